import { Link } from 'react-router';
import { useActivity } from '../live/LiveContext.tsx';
import { formatTime } from '../lib/format.ts';

const kindLabel = { CREATED: 'new', UPDATED: 'changed', DELETED: 'deleted' } as const;

/** Every change since this page opened, from the subscriptions, newest first. */
export function ActivityFeed() {
  const activity = useActivity();
  return (
    <section className="panel feed" aria-labelledby="activity-heading">
      <h2 id="activity-heading">Live activity</h2>
      {activity.length === 0 ? (
        <p className="empty">Changes made anywhere appear here as they happen.</p>
      ) : (
        <ol role="log" aria-labelledby="activity-heading">
          {activity.map((entry) => (
            <li key={entry.key} className={`activity activity-${entry.stream}`}>
              <time dateTime={entry.occurredAt}>{formatTime(entry.occurredAt)}</time>
              <span className={`tag tag-${entry.kind.toLowerCase()}`}>
                {entry.stream === 'purchases' ? 'purchase' : kindLabel[entry.kind]}
              </span>
              <Link to={entry.href}>{entry.text}</Link>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
