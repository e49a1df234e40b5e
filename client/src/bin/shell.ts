import { createShopClient } from '../client.ts';
import { ClientConfigError, readClientConfig } from '../config.ts';
import { startShell } from '../shell.ts';

// `npm run shell`: the interactive shell on GATEWAY_URL (and GATEWAY_TOKEN).
try {
  const client = createShopClient(readClientConfig());
  const { closed } = await startShell({ client });
  await closed;
  await client.close();
  // Idle keep-alive sockets to the gateway would hold the process open for a few seconds more.
  process.stdout.write('', () => process.exit(0));
} catch (error) {
  if (!(error instanceof ClientConfigError)) throw error;
  console.error(error.message);
  process.exit(2);
}
