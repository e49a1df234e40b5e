import { runCli } from '../cli.ts';

// `npm run cli -- <resource> <verb> [options]` (use `npm run -s` so npm's banner stays off stdout).
const status = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
// Exit as soon as the output is flushed: idle keep-alive sockets would hold the process a few seconds.
process.stdout.write('', () => process.exit(status));
