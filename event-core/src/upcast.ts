import { DecodeError } from './codec.ts';
import type { EventEnvelope } from './envelope.ts';

/**
 * One step of an event type's schema history: turns an event written with version `n` of its
 * type into the same event as version `n + 1` would have written it. Pure; it may change `data`
 * and even `type` (a renamed event), never the envelope's identity (`id`, `entityId`, `version`).
 */
export type Upcaster = (event: EventEnvelope) => EventEnvelope;

export interface EventVersionsSpec<TType extends string> {
  /** The schema version writers write, per event type; 1 until a type first changes. */
  readonly current: Readonly<Record<TType, number>>;
  /** Per event type, the step from each older version `n` to `n + 1`: one for every n below `current`. */
  readonly upcasters?: Readonly<Partial<Record<TType, Readonly<Record<number, Upcaster>>>>>;
}

/** The schema versions of one topic's event types, and the upcasting between them. */
export interface EventVersions<TType extends string> {
  readonly current: Readonly<Record<TType, number>>;
  /**
   * An event of any version of a known type, as the current version: unchanged when it is current
   * (or of a type this topic does not know, which its parser refuses). {@link DecodeError} for a
   * version newer than this reader knows: a writer was upgraded before its readers.
   */
  upcast(event: EventEnvelope): EventEnvelope;
  /** `event` with the current schema version of its type stamped on it, for writers. */
  stamp<E extends EventEnvelope<TType>>(event: E): E;
}

/**
 * Declares the schema versions of a topic's event types with their upcasters, and checks at
 * start (when the module loads) that every older version has its step to the next: a missing
 * upcaster is a programming error, never a record skipped at run time.
 */
export function defineEventVersions<TType extends string>({
  current,
  upcasters: given,
}: EventVersionsSpec<TType>): EventVersions<TType> {
  const stepsOf = (type: TType): Readonly<Record<number, Upcaster>> => given?.[type] ?? {};
  const types = Object.keys(current) as TType[];
  for (const type of types) {
    const latest = current[type];
    if (!Number.isInteger(latest) || latest < 1)
      throw new Error(`${type}: the current schema version must be an integer >= 1, not ${latest}`);
    const steps = stepsOf(type);
    for (let version = 1; version < latest; version++) {
      if (typeof steps[version] !== 'function')
        throw new Error(`${type}: no upcaster from schema version ${version} to ${version + 1}`);
    }
    for (const version of Object.keys(steps).map(Number)) {
      if (!(version >= 1 && version < latest))
        throw new Error(`${type}: an upcaster from version ${version} does not lead to current version ${latest}`);
    }
  }
  const isKnown = (type: string): type is TType => Object.hasOwn(current, type);

  return {
    current,

    upcast(event) {
      let upcast = event;
      let version = event.schemaVersion ?? 1;
      while (isKnown(upcast.type) && version < current[upcast.type]) {
        const step = stepsOf(upcast.type)[version];
        if (!step) throw new Error(`${upcast.type}: no upcaster from schema version ${version}`);
        upcast = step(upcast);
        version++;
      }
      if (isKnown(upcast.type) && version > current[upcast.type]) {
        throw new DecodeError(
          `${upcast.type} schema version ${version} is newer than this service reads (${current[upcast.type]}): upgrade every reader of the topic before its writers`,
        );
      }
      return upcast === event ? event : { ...upcast, schemaVersion: version };
    },

    stamp(event) {
      return { ...event, schemaVersion: current[event.type] };
    },
  };
}
