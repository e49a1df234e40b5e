import { describe, expect, it } from 'vitest';
import { ConfigError, configSchemaFor, loadConfig, subgraphSettingsOf } from '../src/config.ts';
import { appendTimeoutFor } from '../src/open-log.ts';

/** Two subgraphs, as their manifests declare their settings. */
const SUBGRAPHS = [
  { name: 'books', settings: 'BOOKS', port: 4101 },
  { name: 'loans', settings: 'LOANS', port: 4102 },
];

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      DATA_DIR: '.data',
      GATEWAY_PORT: 4000,
      TOPIC_PREFIX: '',
      TOPIC_PARTITIONS: 1,
      MUTATION_TIMEOUT_MS: 10_000,
      CONSISTENCY_TIMEOUT_MS: 5_000,
      LOG_LEVEL: 'info',
      NODE_ENV: 'development',
      OTEL_TRACES_EXPORTER: 'none',
      RESPONSE_CACHE_ENTRIES: 1000,
      RESPONSE_CACHE_MB: 32,
      SNAPSHOT_CPU_PERCENT: 10,
    });
    expect(config.KAFKA_BROKERS).toBeUndefined();
    expect(config.LOG_PRETTY).toBeUndefined();
  });

  it('splits and trims KAFKA_BROKERS', () => {
    expect(loadConfig({ KAFKA_BROKERS: ' 127.0.0.1:9092, kafka-2:9093 ' }).KAFKA_BROKERS).toEqual([
      '127.0.0.1:9092',
      'kafka-2:9093',
    ]);
  });

  it('treats an empty KAFKA_BROKERS as the embedded log', () => {
    expect(loadConfig({ KAFKA_BROKERS: '' }).KAFKA_BROKERS).toBeUndefined();
  });

  it('refuses bad values, naming every variable to fix', () => {
    let error: unknown;
    try {
      loadConfig({
        KAFKA_BROKERS: 'no-port',
        GATEWAY_PORT: '70000',
        LOG_LEVEL: 'loud',
        TOPIC_PREFIX: 'a b',
        OTEL_TRACES_EXPORTER: 'jaeger',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const name of ['KAFKA_BROKERS', 'GATEWAY_PORT', 'LOG_LEVEL', 'TOPIC_PREFIX', 'OTEL_TRACES_EXPORTER'])
      expect(message).toContain(name);
    expect(message).toMatch(/host:port/);
  });

  it('echoes each bad value and says what it should be', () => {
    const message = (env: NodeJS.ProcessEnv): string => {
      try {
        loadConfig(env);
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error('expected a ConfigError');
    };
    expect(message({ GATEWAY_PORT: 'abc' })).toContain('GATEWAY_PORT="abc": must be a port number from 1 to 65535');
    expect(message({ GATEWAY_PORT: 'abc' })).not.toContain('NaN');
    expect(message({ TOPIC_PARTITIONS: '1.5' })).toContain('TOPIC_PARTITIONS="1.5": must be a whole number from 1 to 1000');
    expect(message({ MUTATION_TIMEOUT_MS: '10s' })).toContain(
      'MUTATION_TIMEOUT_MS="10s": must be a number of milliseconds from 1 to 600000',
    );
    expect(message({ LOG_LEVEL: 'loud' })).toContain(
      'LOG_LEVEL="loud": must be one of fatal, error, warn, info, debug, trace, silent',
    );
    expect(message({ KAFKA_BROKERS: 'kafka' })).toContain('KAFKA_BROKERS="kafka": must be host:port[,host:port...]');
    expect(message({ SNAPSHOT_CPU_PERCENT: '0' })).toContain('SNAPSHOT_CPU_PERCENT="0": must be a whole number from 1 to 100');
  });

  it('does not repeat a secret it refuses', () => {
    const secret = 'admin:not-a-role-but-a-long-secret';
    expect(() => loadConfig({ AUTH_TOKENS: secret })).toThrow(/^\s*AUTH_TOKENS: must be/m);
    expect(() => loadConfig({ AUTH_TOKENS: secret })).not.toThrow(new RegExp(secret));
    expect(() => loadConfig({ SUBGRAPH_SECRET: 'short-secret' })).toThrow(/SUBGRAPH_SECRET: must be at least 16/);
    expect(() => loadConfig({ SUBGRAPH_SECRET: 'short-secret' })).not.toThrow(/short-secret/);
  });

  it('refuses to start in production without tokens and a subgraph secret', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(
      /AUTH_TOKENS[\s\S]*SUBGRAPH_SECRET|SUBGRAPH_SECRET[\s\S]*AUTH_TOKENS/,
    );
    const config = loadConfig({
      NODE_ENV: 'production',
      AUTH_TOKENS: 'viewer:abcdefghijklmnop,editor:qrstuvwxyz012345',
      SUBGRAPH_SECRET: 's'.repeat(16),
    });
    expect([...config.AUTH_TOKENS!]).toEqual([
      ['abcdefghijklmnop', { role: 'viewer', name: 'viewer' }],
      ['qrstuvwxyz012345', { role: 'editor', name: 'editor' }],
    ]);
  });

  it('names a token with name=role:token: the actor its changes record', () => {
    const config = loadConfig({ AUTH_TOKENS: 'alice=editor:abcdefghijklmnop, viewer:qrstu:vwxyz012345' });
    expect([...config.AUTH_TOKENS!]).toEqual([
      ['abcdefghijklmnop', { role: 'editor', name: 'alice' }],
      ['qrstu:vwxyz012345', { role: 'viewer', name: 'viewer' }],
    ]);
    expect(() => loadConfig({ AUTH_TOKENS: 'al ice=editor:abcdefghijklmnop' })).toThrow(/AUTH_TOKENS/);
    expect(() => loadConfig({ AUTH_TOKENS: '=editor:abcdefghijklmnop' })).toThrow(/AUTH_TOKENS/);
  });

  it('refuses malformed tokens and roles', () => {
    expect(() => loadConfig({ AUTH_TOKENS: 'admin:abcdefghijklmnop' })).toThrow(/AUTH_TOKENS/);
    expect(() => loadConfig({ AUTH_TOKENS: 'viewer:short' })).toThrow(/at least 16/);
  });

  it('requires SASL credentials with a SASL mechanism', () => {
    expect(() => loadConfig({ KAFKA_SASL_MECHANISM: 'scram-sha-512' })).toThrow(/KAFKA_SASL_USERNAME/);
    expect(
      loadConfig({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }).KAFKA_SASL_MECHANISM,
    ).toBe('plain');
  });

  it('refuses a min.insync.replicas above the replication factor, which would refuse every write', () => {
    expect(() => loadConfig({ TOPIC_REPLICATION_FACTOR: '3', TOPIC_MIN_INSYNC_REPLICAS: '4' })).toThrow(
      /TOPIC_MIN_INSYNC_REPLICAS.*at most TOPIC_REPLICATION_FACTOR \(3\)/,
    );
    expect(loadConfig({ TOPIC_REPLICATION_FACTOR: '3', TOPIC_MIN_INSYNC_REPLICAS: '2' }).TOPIC_MIN_INSYNC_REPLICAS).toBe(2);
    expect(loadConfig({ TOPIC_REPLICATION_FACTOR: '3' }).TOPIC_MIN_INSYNC_REPLICAS).toBeUndefined();
  });
});

describe("each subgraph's settings, from its manifest", () => {
  it('are <settings>_PORT, default the manifest port, and <settings>_URL, default HOST and that port', () => {
    const config = loadConfig({ HOST: 'shop.local', LOANS_PORT: '5102' }, SUBGRAPHS);
    expect(config.subgraphs).toEqual({
      books: { portSetting: 'BOOKS_PORT', port: 4101, urls: ['http://shop.local:4101/graphql'] },
      loans: { portSetting: 'LOANS_PORT', port: 5102, urls: ['http://shop.local:5102/graphql'] },
    });
    expect(config).not.toHaveProperty('BOOKS_PORT');
  });

  it('take several comma-separated URLs: instances the gateway spreads requests over', () => {
    const config = loadConfig({ BOOKS_URL: 'http://books-1:4101/graphql, http://books-2:4101/graphql' }, SUBGRAPHS);
    expect(subgraphSettingsOf(config, 'books').urls).toEqual(['http://books-1:4101/graphql', 'http://books-2:4101/graphql']);
  });

  it('are refused with the same messages as every other setting, in the order of the list, after GATEWAY_PORT', () => {
    let message = '';
    try {
      loadConfig({ TOPIC_PREFIX: 'a b', LOANS_PORT: '70000', BOOKS_PORT: 'x', GATEWAY_PORT: '0' }, SUBGRAPHS);
    } catch (error) {
      message = (error as ConfigError).message;
    }
    expect(message.split('\n').map((line) => line.trim().split(/[=:]/)[0])).toEqual([
      'Invalid configuration, fix these environment variables',
      'GATEWAY_PORT',
      'BOOKS_PORT',
      'LOANS_PORT',
      'TOPIC_PREFIX',
    ]);
    expect(message).toContain('LOANS_PORT="70000": must be a port number from 1 to 65535');
  });

  it('are variables of the schema, which without manifests has none', () => {
    expect(Object.keys(configSchemaFor(SUBGRAPHS).shape)).toEqual(
      expect.arrayContaining(['BOOKS_PORT', 'LOANS_PORT', 'BOOKS_URL', 'LOANS_URL']),
    );
    expect(Object.keys(configSchemaFor().shape).filter((key) => key.endsWith('_URL'))).toEqual([]);
    expect(() => subgraphSettingsOf(loadConfig({}), 'books')).toThrow(/no settings for subgraph books/);
  });
});

describe('the Kafka append timeout a process gets', () => {
  it('is 5 s, or half the mutation timeout when that is shorter', () => {
    expect(appendTimeoutFor(loadConfig({}).MUTATION_TIMEOUT_MS)).toBe(5_000);
    expect(appendTimeoutFor(loadConfig({ MUTATION_TIMEOUT_MS: '30000' }).MUTATION_TIMEOUT_MS)).toBe(5_000);
    expect(appendTimeoutFor(loadConfig({ MUTATION_TIMEOUT_MS: '4000' }).MUTATION_TIMEOUT_MS)).toBe(2_000);
    expect(appendTimeoutFor(1)).toBe(1);
  });
});
