/** Runs the customers subgraph as its own process (`npm run start:kafka` starts one of these). */
import { runSubgraphMain } from '@shop/event-core';
import { SUBGRAPHS } from '@shop/schema';

runSubgraphMain('customers', SUBGRAPHS);
