import { z } from 'zod';
import type { SubgraphManifest } from './subgraph-manifest.ts';

/**
 * The one config reader. Every setting comes from the environment, is validated once at start,
 * and is passed down as a typed object. A bad value stops the process with a message that names
 * the variable and says what it should be.
 */
/** A whole number from `min` to `max`; every way of missing it gets the same message, which says what is wanted. */
const wholeNumber = (min: number, max: number, what = 'a whole number') => {
  const error = `must be ${what} from ${min} to ${max}`;
  return z.coerce.number({ error }).int({ error }).min(min, { error }).max(max, { error });
};
const port = (fallback: number) => wholeNumber(1, 65535, 'a port number').default(fallback);
/** A comma-separated list, items trimmed and empty ones dropped; unset or empty: undefined. */
const commaList = () =>
  z
    .string()
    .trim()
    .optional()
    .transform((value) =>
      value
        ? value
            .split(',')
            .map((item) => item.trim())
            .filter(Boolean)
        : undefined,
    );
/** One URL, or several comma-separated: instances of one subgraph the gateway spreads requests over. */
const urls = () => commaList().pipe(z.array(z.url()).min(1).optional());
const ms = (fallback: number) => wholeNumber(1, 600_000, 'a number of milliseconds').default(fallback);

/** Where the log is and the gateway listens: the settings before the subgraphs' own ({@link subgraphSettings}). */
const leadingSettings = {
  /** Comma-separated Kafka bootstrap brokers; unset = the embedded log. */
  KAFKA_BROKERS: commaList().refine((brokers) => !brokers || brokers.every((b) => /^[^\s:]+:\d{1,5}$/.test(b)), {
    message: 'must be host:port[,host:port...]',
  }),
  /** Where the embedded log keeps its files. */
  DATA_DIR: z.string().min(1).default('.data'),
  HOST: z.string().min(1).default('127.0.0.1'),
  GATEWAY_PORT: port(4000),
};

/** Every other setting, after the subgraphs' own. */
const trailingSettings = {
  /** Prepended to every topic name, so several systems (or test runs) can share one cluster. */
  TOPIC_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._-]*$/, 'may hold letters, digits, ".", "_" and "-" only')
    .default(''),
  /** Partitions of each topic when the services create them. */
  TOPIC_PARTITIONS: wholeNumber(1, 1000).default(1),
  /** Replication factor of each topic when the services create them (3 in production). */
  TOPIC_REPLICATION_FACTOR: wholeNumber(1, 10).default(1),
  /**
   * `min.insync.replicas` of each topic the services create: copies a write needs before it is
   * acknowledged. Unset: one less than the replication factor, at least 1 (2 of 3 in production).
   */
  TOPIC_MIN_INSYNC_REPLICAS: wholeNumber(1, 10).optional(),
  /** How long a mutation waits for its event to be stored and applied before UNAVAILABLE. */
  MUTATION_TIMEOUT_MS: ms(10_000),
  /** How long a request with X-Consistency-Token waits before CONSISTENCY_TIMEOUT. */
  CONSISTENCY_TIMEOUT_MS: ms(5_000),
  /**
   * Read-model snapshots (docs/snapshots.md): a service starts from the newest one and replays
   * only what came after it. `false` replays the whole log at every start.
   */
  SNAPSHOTS: z
    .enum(['true', 'false', '1', '0'])
    .default('true')
    .transform((value) => value === 'true' || value === '1'),
  /** A snapshot after this many events applied since the last one. */
  SNAPSHOT_EVERY_EVENTS: wholeNumber(1000, 100_000_000).default(100_000),
  /** A snapshot after this many minutes with events applied since the last one. */
  SNAPSHOT_EVERY_MINUTES: wholeNumber(1, 1440).default(10),
  /** The percentage of its thread's time a snapshot's encoding and writing may take (100: as fast as it can). */
  SNAPSHOT_CPU_PERCENT: wholeNumber(1, 100).default(10),
  /** Answers the gateway's response cache keeps (docs/decisions/0011-response-cache.md); 0 turns it off. */
  RESPONSE_CACHE_ENTRIES: wholeNumber(0, 1_000_000).default(1000),
  /** Bound on the bytes of those answers, in MiB. */
  RESPONSE_CACHE_MB: wholeNumber(1, 65_536).default(32),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Human-readable logs; unset = pretty on a terminal, JSON lines otherwise. */
  LOG_PRETTY: z
    .enum(['true', 'false', '1', '0'])
    .optional()
    .transform((value) => (value === undefined ? undefined : value === 'true' || value === '1')),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /**
   * OpenTelemetry traces: `otlp` sends them over HTTP (to `OTEL_EXPORTER_OTLP_ENDPOINT`, default
   * http://localhost:4318), `console` prints them, `none` (the default) turns tracing off.
   */
  OTEL_TRACES_EXPORTER: z.enum(['none', 'otlp', 'console']).default('none'),
  /** `service.name` of the spans; default the service's own name. */
  OTEL_SERVICE_NAME: z.string().trim().min(1).optional(),
  /**
   * Access tokens with roles: `role:token` pairs, comma-separated, e.g. `viewer:abc,editor:def`,
   * each optionally named (`alice=editor:def`): the name is who the history says made a change
   * with that token (default: the role). `viewer` reads and subscribes, `editor` also mutates.
   * Unset: open (refused in production).
   */
  AUTH_TOKENS: z
    .string()
    .trim()
    .optional()
    .transform((value, ctx) => {
      if (!value) return undefined;
      const tokens = new Map<string, { role: 'viewer' | 'editor'; name: string }>();
      for (const pair of value.split(',')) {
        const [holder = '', token] = pair.trim().split(/:(.*)/s);
        const [, name, role] = /^(?:([A-Za-z0-9._@-]{1,64})=)?(.*)$/s.exec(holder)!;
        if ((role !== 'viewer' && role !== 'editor') || !token || token.length < 16) {
          ctx.addIssue({
            code: 'custom',
            message:
              'must be role:token pairs (or name=role:token), role viewer or editor, tokens of at least 16 characters, names of letters, digits and . _ @ -',
          });
          return z.NEVER;
        }
        tokens.set(token, { role, name: name ?? role });
      }
      return tokens;
    }),
  /** Shared secret the gateway sends to subgraphs; subgraphs refuse other callers. Required in production. */
  SUBGRAPH_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Stack traces in error answers, for debugging the services themselves; never in production. */
  ERROR_STACK_TRACES: z
    .enum(['true', 'false', '1', '0'])
    .optional()
    .transform((value) => value === 'true' || value === '1'),
  /** Introspection and the playground in production (always on in development). */
  ALLOW_INTROSPECTION: z
    .enum(['true', 'false', '1', '0'])
    .optional()
    .transform((value) => value === 'true' || value === '1'),
  /** Origins allowed to open a subscription socket, comma-separated; default: the gateway's own origin. */
  ALLOWED_ORIGINS: commaList(),
  /**
   * Which documents the gateway runs (docs/security.md, "Trusted documents"): `enforce` only
   * those in schema/trusted-documents.json, `log` any and logs the others, `off` any. Unset:
   * `enforce` when NODE_ENV=production, else `off`.
   */
  TRUSTED_DOCUMENTS: z.enum(['off', 'log', 'enforce']).optional(),
  /** Roles that may run any document where trusted documents are enforced, comma-separated (`editor` for the shell). */
  TRUSTED_DOCUMENTS_ANY_ROLES: commaList().pipe(
    z.array(z.enum(['viewer', 'editor'], { error: 'must be roles (viewer, editor), comma-separated' })).optional(),
  ),
  /** Kafka over TLS. */
  KAFKA_SSL: z
    .enum(['true', 'false', '1', '0'])
    .optional()
    .transform((value) => value === 'true' || value === '1'),
  /** Kafka SASL mechanism; with KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD. */
  KAFKA_SASL_MECHANISM: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional(),
  KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
  /** Retention of the topics the services create: `compact` (latest record per entity) or `full` (every event, forever); see docs/history.md. */
  TOPIC_RETENTION: z.enum(['compact', 'full']).default('compact'),
};

/** The checks of several settings together. */
function checkTogether(config: BaseConfig, ctx: z.RefinementCtx): void {
  if ((config.TOPIC_MIN_INSYNC_REPLICAS ?? 1) > config.TOPIC_REPLICATION_FACTOR) {
    ctx.addIssue({
      code: 'custom',
      path: ['TOPIC_MIN_INSYNC_REPLICAS'],
      message: `must be at most TOPIC_REPLICATION_FACTOR (${config.TOPIC_REPLICATION_FACTOR}): Kafka would refuse every write`,
    });
  }
  if (config.KAFKA_SASL_MECHANISM && !(config.KAFKA_SASL_USERNAME && config.KAFKA_SASL_PASSWORD)) {
    ctx.addIssue({
      code: 'custom',
      path: ['KAFKA_SASL_USERNAME'],
      message: 'KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are required with KAFKA_SASL_MECHANISM',
    });
  }
  if (config.NODE_ENV === 'production') {
    if (!config.AUTH_TOKENS)
      ctx.addIssue({ code: 'custom', path: ['AUTH_TOKENS'], message: 'is required when NODE_ENV=production' });
    if (!config.SUBGRAPH_SECRET)
      ctx.addIssue({ code: 'custom', path: ['SUBGRAPH_SECRET'], message: 'is required when NODE_ENV=production' });
  }
}

/** What the settings of a subgraph are made from: the name, settings prefix and default port of its manifest. */
export type SubgraphSettingsSource = Pick<SubgraphManifest, 'name' | 'settings' | 'port'>;

/**
 * The settings of each subgraph of a list: `<settings>_PORT`, the port it listens on (default the
 * port of its manifest), then `<settings>_URL`, where the gateway calls it: one URL, or several
 * comma-separated, instances it spreads requests over (default HOST and that port).
 */
export function subgraphSettings(subgraphs: readonly SubgraphSettingsSource[]): Readonly<Record<string, z.ZodType>> {
  return Object.fromEntries([
    ...subgraphs.map((subgraph) => [`${subgraph.settings}_PORT`, port(subgraph.port)] as const),
    ...subgraphs.map((subgraph) => [`${subgraph.settings}_URL`, urls()] as const),
  ]);
}

/** The schema of every variable a process reads, with the settings of `subgraphs`. */
export function configSchemaFor(subgraphs: readonly SubgraphSettingsSource[] = []) {
  // The subgraphs' settings are typed apart (`Config.subgraphs`); here they only take their place.
  const ofSubgraphs = subgraphSettings(subgraphs) as Record<never, never>;
  return z.object({ ...leadingSettings, ...ofSubgraphs, ...trailingSettings }).superRefine(checkTogether);
}

/** The settings every process reads, whatever its subgraphs. */
export type BaseConfig = z.infer<z.ZodObject<typeof leadingSettings & typeof trailingSettings>>;

/** One subgraph's settings, read. */
export interface SubgraphSettings {
  /** The variable that sets its port (`PRODUCTS_PORT`), to name in messages. */
  readonly portSetting: string;
  readonly port: number;
  /** Where the gateway calls it: `<settings>_URL`, else `http://HOST:<port>/graphql`. */
  readonly urls: readonly string[];
}

export type Config = BaseConfig & {
  /** The settings of each subgraph the config was loaded with, by its name. */
  readonly subgraphs: Readonly<Record<string, SubgraphSettings>>;
};

/** The settings of the subgraph `name`; throws when the config was loaded without its manifest. */
export function subgraphSettingsOf(config: Pick<Config, 'subgraphs'>, name: string): SubgraphSettings {
  const settings = config.subgraphs[name];
  if (!settings) throw new Error(`no settings for subgraph ${name}: load the config with its manifest`);
  return settings;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Variables whose values a message must not repeat. */
const SECRETS = new Set(['AUTH_TOKENS', 'SUBGRAPH_SECRET', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD']);

/**
 * Parses the environment, with the settings of `subgraphs` (their manifests); throws
 * {@link ConfigError} listing every bad variable, each with the value it was given (secrets
 * excepted) and what it should be.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, subgraphs: readonly SubgraphSettingsSource[] = []): Config {
  const result = configSchemaFor(subgraphs).safeParse(env);
  if (result.success) {
    // The subgraphs' variables leave the flat object for `subgraphs`, where they are typed.
    const read = result.data as BaseConfig & Readonly<Record<string, unknown>>;
    const settings: Record<string, SubgraphSettings> = {};
    for (const { name, settings: prefix } of subgraphs) {
      const port = read[`${prefix}_PORT`] as number;
      const urls = read[`${prefix}_URL`] as readonly string[] | undefined;
      settings[name] = { portSetting: `${prefix}_PORT`, port, urls: urls ?? [`http://${read.HOST}:${port}/graphql`] };
    }
    const ofSubgraphs = new Set(Object.keys(subgraphSettings(subgraphs)));
    const base = Object.fromEntries(Object.entries(read).filter(([key]) => !ofSubgraphs.has(key))) as BaseConfig;
    return { ...base, subgraphs: settings };
  }
  const lines = result.error.issues.map((issue) => {
    const name = issue.path.join('.');
    const value = env[name];
    const given = value === undefined || SECRETS.has(name) ? name : `${name}=${JSON.stringify(value)}`;
    const message = issue.code === 'invalid_value' ? `must be one of ${issue.values.map(String).join(', ')}` : issue.message;
    return `  ${given}: ${message}`;
  });
  throw new ConfigError(`Invalid configuration, fix these environment variables:\n${lines.join('\n')}`);
}
