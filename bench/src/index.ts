/** The bench harness as a library: what `npm run bench` runs, for tools that want the rows themselves. */
export { runBench, type BenchResult } from './run.ts';
export { parseOptions, SCENARIOS, type BenchOptions, type Scenario } from './options.ts';
export { renderReport, renderTable, type Row, type Side, type Machine } from './report.ts';
export { launchChromium } from './browser.ts';
