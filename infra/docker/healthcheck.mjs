/**
 * The containers' HEALTHCHECK: exits 0 when the service in this container answers 2xx on its
 * health path, 1 otherwise.
 *
 *   node infra/docker/healthcheck.mjs PORT_VARIABLE DEFAULT_PORT [PATH=/healthz]
 *
 * Plain JavaScript run by node: the slim base image has no curl or wget, and loading tsx for a
 * probe every few seconds would cost more than the probe. The port is read from the variable the
 * service itself reads (PRODUCTS_PORT, ...), so a deployment that moves a port moves the probe too.
 */
const [portVariable, defaultPort, path = '/healthz'] = process.argv.slice(2);
if (!portVariable || !defaultPort) {
  console.error('usage: node healthcheck.mjs PORT_VARIABLE DEFAULT_PORT [PATH]');
  process.exit(2);
}
const port = process.env[portVariable] || defaultPort;
// A service listening on every interface answers on loopback; one bound to one address, only there.
const bound = process.env.HOST;
const host = !bound || bound === '0.0.0.0' || bound === '::' ? '127.0.0.1' : bound;
const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}${path}`;

try {
  // Below Docker's --timeout, so a hung service is reported here, with its URL, not killed silently.
  const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  console.log(`${url} ${response.status}`);
  process.exit(response.ok ? 0 : 1);
} catch (error) {
  console.log(`${url} ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
