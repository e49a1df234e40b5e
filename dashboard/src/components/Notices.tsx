import { useApolloClient } from '@apollo/client/react';
import { CombinedGraphQLErrors } from '@apollo/client/errors';
import { useLocation } from 'react-router';
import { unreachable } from '../forms/errors.ts';

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

/**
 * A query that failed: the server's own message when it answered, else a sentence a person can
 * act on instead of the browser's "Failed to fetch", and a way to try again.
 */
export function ErrorNotice({ error }: { readonly error: Error | undefined }) {
  const client = useApolloClient();
  if (!error) return null;
  const answered = CombinedGraphQLErrors.is(error);
  return (
    <div className="notice notice-error" role="alert">
      <p>
        {answered
          ? `Could not load this from the server: ${error.errors.map((e) => e.message).join(' ')}`
          : `${unreachable(error)} What is shown may be out of date.`}
      </p>
      {!answered && (
        <button type="button" onClick={() => void client.refetchQueries({ include: 'active' }).catch(() => undefined)}>
          Try again
        </button>
      )}
    </div>
  );
}
