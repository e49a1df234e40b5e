import { useConnectionState } from '../live/LiveContext.tsx';
import { useAsOf } from '../time/ViewTime.tsx';

const labels = {
  past: 'Paused',
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
} as const;

const explanations = {
  past: 'Viewing the past: changes made since are not shown until you go back to live.',
  connecting: 'Opening the live connection.',
  live: 'Changes by anyone appear here as they happen.',
  reconnecting: 'The live connection dropped; trying again. Missed changes are replayed when it is back.',
  offline: 'No live connection. Still trying; missed changes are replayed when it is back.',
} as const;

/**
 * The live connection's state, in words (not colour alone), announced when it changes. While the
 * past is shown nothing on screen is live, whatever the socket does: the badge says paused.
 */
export function ConnectionBadge() {
  const connection = useConnectionState();
  const state = useAsOf() ? 'past' : connection;
  return (
    <p className={`connection connection-${state}`} role="status" title={explanations[state]} data-state={state}>
      <span className="dot" aria-hidden="true" />
      <span>{labels[state]}</span>
      <span className="visually-hidden">: {explanations[state]}</span>
    </p>
  );
}
