import { existsSync } from 'node:fs';
import { printSchema, Supergraph } from '@apollo/federation-internals';
import { buildSchema, isNonNullType, isObjectType, Kind, type ObjectTypeDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { ConfigError, configSchemaFor, loadConfig, subscriptionFieldsOf, topicNames } from '@shop/event-core';
import { composeSupergraph, loadSubgraphSdl } from '../src/compose-lib.ts';
import { eventTopics, SUBGRAPHS } from '../src/subgraphs/index.ts';

// The shop's list of manifests is what everything else derives from: these tests hold it to the
// settings, topics and GraphQL the system had before it was written as a list, and to the SDLs.

describe("the shop's subgraphs, from their manifests", () => {
  it('keep the port settings, their defaults and the URL settings', () => {
    const config = loadConfig({}, SUBGRAPHS);
    expect(config.subgraphs).toEqual({
      products: { portSetting: 'PRODUCTS_PORT', port: 4001, urls: ['http://127.0.0.1:4001/graphql'] },
      customers: { portSetting: 'CUSTOMERS_PORT', port: 4002, urls: ['http://127.0.0.1:4002/graphql'] },
      purchases: { portSetting: 'PURCHASES_PORT', port: 4003, urls: ['http://127.0.0.1:4003/graphql'] },
    });
    expect(Object.keys(configSchemaFor(SUBGRAPHS).shape)).toEqual(
      expect.arrayContaining(['PRODUCTS_URL', 'CUSTOMERS_URL', 'PURCHASES_URL']),
    );
    expect(loadConfig({ PRODUCTS_URL: 'http://a:1/graphql,http://b:1/graphql' }, SUBGRAPHS).subgraphs.products?.urls).toEqual([
      'http://a:1/graphql',
      'http://b:1/graphql',
    ]);
  });

  it('refuse a bad port with the message they always had', () => {
    expect(() => loadConfig({ PURCHASES_PORT: '70000' }, SUBGRAPHS)).toThrow(ConfigError);
    expect(() => loadConfig({ PURCHASES_PORT: '70000' }, SUBGRAPHS)).toThrow(
      'PURCHASES_PORT="70000": must be a port number from 1 to 65535',
    );
  });

  it('keep the public topic names, prefixed', () => {
    expect(eventTopics()).toEqual({
      products: 'eventbus.products',
      customers: 'eventbus.customers',
      purchases: 'eventbus.purchases',
    });
    expect(topicNames(SUBGRAPHS, 'shop.')).toEqual(eventTopics('shop.'));
    expect(eventTopics('shop.').purchases).toBe('shop.eventbus.purchases');
  });

  it('name files that exist', () => {
    for (const { name, sdl, main } of SUBGRAPHS) {
      expect(existsSync(sdl), `${name}: ${sdl}`).toBe(true);
      expect(existsSync(main), `${name}: ${main}`).toBe(true);
    }
  });

  it("declare each subscription field of a subgraph's SDL, and only those", () => {
    for (const subgraph of SUBGRAPHS) {
      const declared = loadSubgraphSdl(subgraph)
        .definitions.filter(
          (d): d is ObjectTypeDefinitionNode =>
            (d.kind === Kind.OBJECT_TYPE_DEFINITION || d.kind === Kind.OBJECT_TYPE_EXTENSION) && d.name.value === 'Subscription',
        )
        .flatMap((d) => (d.fields ?? []).map((field) => field.name.value));
      expect(declared.sort(), subgraph.name).toEqual(Object.keys(subgraph.subscriptions ?? {}).sort());
    }
  });

  it('hydrate each subscription through a query field of the supergraph that answers its payload type', () => {
    const api = buildSchema(printSchema(Supergraph.build(composeSupergraph()).apiSchema()));
    const query = api.getQueryType()!.getFields();
    const subscription = api.getSubscriptionType()!.getFields();
    for (const [name, field] of Object.entries(subscriptionFieldsOf(SUBGRAPHS))) {
      const payload = subscription[name]!.type;
      const payloadType = isNonNullType(payload) ? payload.ofType : payload;
      expect(isObjectType(payloadType) && payloadType.name, name).toBe(field.typename);
      const entity = isObjectType(payloadType) ? payloadType.getFields()[field.entity] : undefined;
      expect(entity, `${name}: ${field.typename}.${field.entity}`).toBeDefined();
      const hydrating = query[field.query];
      expect(
        hydrating?.args.map((arg) => arg.name),
        `${name}: Query.${field.query}`,
      ).toEqual(expect.arrayContaining(['id', ...(field.includeDeleted ? ['includeDeleted'] : [])]));
      expect(String(hydrating?.type).replace('!', ''), `${name}: Query.${field.query}`).toBe(
        String(entity?.type).replace('!', ''),
      );
      for (const filter of field.filters ?? [])
        expect(
          subscription[name]!.args.map((arg) => arg.name),
          `${name}(${filter})`,
        ).toContain(filter);
    }
  });
});
