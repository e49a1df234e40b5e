import type { EventEnvelope, EventMeta } from '../envelope.ts';
import { badInput, notFound } from '../errors.ts';
import { inputDigest, inputsDiffer, reusedKey } from '../idempotency.ts';
import { isEntityId } from '../ids.ts';
import { runCommand, type EventWriter } from '../writer.ts';
import type { SubgraphContext } from './subgraph-server.ts';

/** Checks an `id` argument; a malformed id is BAD_USER_INPUT, not a silent NOT_FOUND. */
export function checkId(id: string | null | undefined, field = 'id'): string {
  if (typeof id !== 'string' || !isEntityId(id)) {
    throw badInput(`"${String(id).slice(0, 80)}" is not a valid ${field}: ids are 1-64 URL-safe characters`, field);
  }
  return id;
}

export const IDEMPOTENCY_KEY_MAX_LENGTH = 200;

/** Checks an optional `idempotencyKey` argument. */
export function checkIdempotencyKey(key: string | null | undefined): string | undefined {
  if (key === null || key === undefined) return undefined;
  if (key.length === 0 || key.length > IDEMPOTENCY_KEY_MAX_LENGTH) {
    throw badInput(`idempotencyKey must be 1 to ${IDEMPOTENCY_KEY_MAX_LENGTH} characters`, 'idempotencyKey');
  }
  return key;
}

export interface MutationSpec<T> {
  readonly kind: string;
  readonly writer: EventWriter;
  readonly context: SubgraphContext;
  readonly idempotencyKey?: string | null;
  /** When set, a lost race is a CONFLICT for the client; when not, the command is decided again. */
  readonly expectedVersion?: number | null;
  /** The entity an earlier event with this idempotency key touched, if any. */
  readonly entityForKey: (key: string) => string | undefined;
  /** The input digest that earlier event carried, if any (`idempotency.ts`). */
  readonly inputDigestForKey: (key: string) => string | undefined;
  /** The mutation's arguments as the resolvers parsed them, the idempotency key aside: what a retry must repeat. */
  readonly input: unknown;
  /** Pure decision on the current read model. */
  readonly decide: (meta: EventMeta) => EventEnvelope;
  /** Reads the entity back from the read model once its event is applied. */
  readonly read: (entityId: string) => T | undefined;
}

/**
 * The one way a mutation runs: idempotency check → decide → append → wait until applied →
 * return the entity as applied (read-your-writes), recording the event's position for the
 * `X-Consistency-Token` response header.
 */
export async function executeMutation<T>(spec: MutationSpec<T>): Promise<T> {
  const key = checkIdempotencyKey(spec.idempotencyKey);
  const digest = key === undefined ? undefined : inputDigest(spec.input);
  const { entityId, position } = await runCommand({
    writer: spec.writer,
    retryOnConflict: spec.expectedVersion === undefined || spec.expectedVersion === null,
    decide: () => {
      const earlier = key === undefined ? undefined : spec.entityForKey(key);
      if (earlier !== undefined) {
        if (inputsDiffer(digest, spec.inputDigestForKey(key!))) throw reusedKey(key!);
        return { existingEntityId: earlier };
      }
      return {
        event: spec.decide(
          key === undefined ? spec.context.meta : { ...spec.context.meta, idempotencyKey: key, inputDigest: digest },
        ),
      };
    },
  });
  if (position) spec.context.recordPosition(position);
  const entity = spec.read(entityId);
  if (entity === undefined) throw notFound(spec.kind, entityId);
  return entity;
}
