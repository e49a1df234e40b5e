import type { Kafka, Producer } from 'kafkajs';
import type { Dataset } from './data.ts';
import type { BenchOptions } from './options.ts';

export type ProfiledChild = 'subgraphs' | 'gateway' | 'replay';

/** What every scenario gets: the options, the broker, the loaded data sets. */
export interface BenchContext {
  readonly options: BenchOptions;
  readonly brokers: readonly string[];
  /** The broker's process, when the bench started it or found it running here: its CPU is reported. */
  readonly brokerPid?: number;
  readonly kafka: Kafka;
  /** The fast loading producer; scenarios that write events straight to Kafka use it too. */
  readonly producer: Producer;
  /** The data set most scenarios run on. */
  readonly small: Dataset;
  /** The large data set: replay, memory, the large side of read cost. */
  readonly large: Dataset;
  /** Prefix of every topic this run creates. */
  readonly runPrefix: string;
  progress(message: string): void;
  /** Node flags for a bench child: `--cpu-prof` when asked for, into a folder named after `name`. */
  nodeFlags(child: ProfiledChild, name: string): string[];
}
