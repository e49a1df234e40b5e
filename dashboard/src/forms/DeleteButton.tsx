import { useEffect, useRef, useState } from 'react';
import { useReadOnly } from '../time/ViewTime.tsx';

export interface DeleteButtonProps {
  /** What is deleted, as the question names it: "Butter". */
  readonly what: string;
  readonly note: string;
  readonly onDelete: () => Promise<void>;
}

/** Deleting takes two clicks: the first asks, in place, without a modal that traps focus. */
export function DeleteButton({ what, note, onDelete }: DeleteButtonProps) {
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const confirmButton = useRef<HTMLButtonElement>(null);
  const readOnly = useReadOnly();
  // The question appears where the first button was: keep the keyboard there.
  useEffect(() => {
    if (confirming) confirmButton.current?.focus();
  }, [confirming]);
  if (!confirming) {
    return (
      <button type="button" className="danger" onClick={() => setConfirming(true)} disabled={readOnly}>
        Delete…
      </button>
    );
  }
  return (
    <span className="confirm" role="group" aria-label="Confirm deletion">
      <span>
        Delete {what}? {note}
      </span>
      <button
        type="button"
        className="danger"
        ref={confirmButton}
        onClick={async () => {
          try {
            await onDelete();
          } catch (err) {
            setError(err instanceof Error ? err.message : String(err));
          }
        }}
      >
        Delete
      </button>
      <button type="button" onClick={() => setConfirming(false)}>
        Cancel
      </button>
      {error && (
        <span className="field-error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}
