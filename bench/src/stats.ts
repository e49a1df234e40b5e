/** Latency samples in milliseconds, and the few statistics the report prints. */
export class Samples {
  private values = new Float64Array(1024);
  private count = 0;
  private sorted: Float64Array | undefined;

  get size(): number {
    return this.count;
  }

  add(ms: number): void {
    if (this.count === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.count++] = ms;
    this.sorted = undefined;
  }

  addAll(other: Samples): void {
    for (let i = 0; i < other.count; i++) this.add(other.values[i]!);
  }

  /** The value below which `fraction` of the samples lie (nearest rank); NaN without samples. */
  quantile(fraction: number): number {
    if (this.count === 0) return Number.NaN;
    this.sorted ??= this.values.slice(0, this.count).sort();
    const rank = Math.min(this.count - 1, Math.max(0, Math.ceil(fraction * this.count) - 1));
    return this.sorted[rank]!;
  }

  get median(): number {
    return this.quantile(0.5);
  }

  get p99(): number {
    return this.quantile(0.99);
  }
}

/** What one side of a comparison measured: latencies, and how many operations in how long. */
export interface Measurement {
  readonly latencies: Samples;
  readonly operations: number;
  readonly errors: number;
  /** The first error seen, to say what went wrong. */
  readonly firstError?: string;
  readonly seconds: number;
}

export const throughput = (m: Measurement): number => (m.seconds > 0 ? m.operations / m.seconds : 0);

/** Adds up the rounds of one side of an interleaved comparison. */
export function combine(rounds: readonly Measurement[]): Measurement {
  const latencies = new Samples();
  let operations = 0;
  let errors = 0;
  let seconds = 0;
  let firstError: string | undefined;
  for (const round of rounds) {
    latencies.addAll(round.latencies);
    operations += round.operations;
    errors += round.errors;
    seconds += round.seconds;
    firstError ??= round.firstError;
  }
  return { latencies, operations, errors, seconds, ...(firstError ? { firstError } : {}) };
}
