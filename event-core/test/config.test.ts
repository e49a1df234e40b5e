import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      DATA_DIR: '.data',
      GATEWAY_PORT: 4000,
      PRODUCTS_PORT: 4001,
      CUSTOMERS_PORT: 4002,
      PURCHASES_PORT: 4003,
      TOPIC_PREFIX: '',
      TOPIC_PARTITIONS: 1,
      MUTATION_TIMEOUT_MS: 10_000,
      CONSISTENCY_TIMEOUT_MS: 5_000,
      LOG_LEVEL: 'info',
      NODE_ENV: 'development',
    });
    expect(config.KAFKA_BROKERS).toBeUndefined();
    expect(config.LOG_PRETTY).toBeUndefined();
  });

  it('splits and trims KAFKA_BROKERS', () => {
    expect(loadConfig({ KAFKA_BROKERS: ' 127.0.0.1:9092, kafka-2:9093 ' }).KAFKA_BROKERS).toEqual(['127.0.0.1:9092', 'kafka-2:9093']);
  });

  it('treats an empty KAFKA_BROKERS as the embedded log', () => {
    expect(loadConfig({ KAFKA_BROKERS: '' }).KAFKA_BROKERS).toBeUndefined();
  });

  it('refuses bad values, naming every variable to fix', () => {
    let error: unknown;
    try {
      loadConfig({ KAFKA_BROKERS: 'no-port', GATEWAY_PORT: '70000', LOG_LEVEL: 'loud', TOPIC_PREFIX: 'a b' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const name of ['KAFKA_BROKERS', 'GATEWAY_PORT', 'LOG_LEVEL', 'TOPIC_PREFIX']) expect(message).toContain(name);
    expect(message).toMatch(/host:port/);
  });
});
