import { useLocation } from 'react-router';

/** A message handed over by navigation, e.g. "Deleted Butter." after a delete. */
export function PageNotice() {
  const { state } = useLocation() as { state: { notice?: string } | null };
  if (!state?.notice) return null;
  return (
    <p className="notice notice-info" role="status">
      {state.notice}
    </p>
  );
}

export function ErrorNotice({ error }: { readonly error: Error | undefined }) {
  if (!error) return null;
  return (
    <p className="notice notice-error" role="alert">
      Could not load this from the server: {error.message}
    </p>
  );
}
