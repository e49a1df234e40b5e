/**
 * The subgraphs of the shop: one manifest each, and this list of them, the one place that names
 * them all. Settings, the one-process system, the separate processes, composition, the gateway's
 * subgraphs, the change feed and the subscription fields it serves are derived from it.
 */
import { checkManifests, topicNames } from '@shop/event-core';
import { customers } from './customers.ts';
import { products } from './products.ts';
import { purchases } from './purchases.ts';

export const SUBGRAPHS = [products, customers, purchases] as const;
checkManifests(SUBGRAPHS);

export type SubgraphName = (typeof SUBGRAPHS)[number]['name'];

/** The manifest of the subgraph `name`. */
export function subgraphNamed(name: SubgraphName): (typeof SUBGRAPHS)[number] {
  return SUBGRAPHS.find((subgraph) => subgraph.name === name)!;
}

/** The topic of each subgraph of the shop, by its name. */
export type EventTopics = { readonly [Name in SubgraphName]: string };

/**
 * The topics of the shop; the names are the public contract. A prefix (`TOPIC_PREFIX`, empty by
 * default) lets several independent systems, or test runs, share one Kafka cluster.
 */
export function eventTopics(prefix = ''): EventTopics {
  return topicNames(SUBGRAPHS, prefix) as EventTopics;
}

export const TOPICS: EventTopics = eventTopics();
