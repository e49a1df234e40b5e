/**
 * The deployment files checked against the code: compose.yaml, kontena.yml and the Dockerfile may
 * only set what event-core/src/config.ts reads, must set what the production shape needs, and must
 * agree with the ports, health paths and entry points the services really have. No Docker engine
 * is needed: the files are parsed, not run.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configSchema, loadConfig, type Config } from '../../event-core/src/config.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

type Env = Record<string, string>;
type Service = Record<string, any>;

const SUBGRAPHS = ['products', 'customers', 'purchases'] as const;
const SERVICES = [...SUBGRAPHS, 'gateway'] as const;
type ServiceName = (typeof SERVICES)[number];

/** The port variable each service listens on, and the file its process starts from. */
const PORT_VARIABLE = {
  products: 'PRODUCTS_PORT',
  customers: 'CUSTOMERS_PORT',
  purchases: 'PURCHASES_PORT',
  gateway: 'GATEWAY_PORT',
} as const satisfies Record<ServiceName, keyof Config>;
const URL_VARIABLE = { products: 'PRODUCTS_URL', customers: 'CUSTOMERS_URL', purchases: 'PURCHASES_URL' } as const;
const MAIN_FILE: Record<ServiceName, string> = {
  products: 'subgraphs/products/src/main.ts',
  customers: 'subgraphs/customers/src/main.ts',
  purchases: 'subgraphs/purchases/src/main.ts',
  gateway: 'gateway/src/main.ts',
};
/** The ports the system documents (README, DESIGN §8): the config's defaults. */
const DEFAULTS = loadConfig({});
const EXPECTED_PORT: Record<ServiceName, number> = {
  products: 4001,
  customers: 4002,
  purchases: 4003,
  gateway: 4000,
};

const CONFIG_VARIABLES = new Set(Object.keys(configSchema.shape));
/** Variables read by the platform, not by our code: Kontena's load balancer, and node itself. */
const isPlatformVariable = (name: string): boolean => name.startsWith('KONTENA_LB_') || name === 'NODE_OPTIONS';

/** A service's environment as strings, from either the map or the list form. */
function envOf(service: Service, resolve: (value: string) => string = (value) => value): Env {
  const raw = service.environment ?? {};
  const entries: [string, unknown][] = Array.isArray(raw)
    ? raw.map((item: string) => {
        const at = item.indexOf('=');
        return [item.slice(0, at), item.slice(at + 1)];
      })
    : Object.entries(raw);
  return Object.fromEntries(entries.map(([key, value]) => [key, resolve(String(value ?? ''))]));
}

/** Compose interpolation with nothing set in the environment: `${X:-default}` is its default. */
const composeDefaults = (value: string): string =>
  value.replace(/\$\{(\w+)(?::?[-?]([^}]*))?\}/g, (_match, _name: string, fallback?: string) => fallback ?? '');

/** The config a service would run with: our variables only, validated by the real schema. */
function effectiveConfig(env: Env): Config {
  return loadConfig(Object.fromEntries(Object.entries(env).filter(([key]) => CONFIG_VARIABLES.has(key))));
}

/** What every deployment file must satisfy for our four services. */
function checkServiceEnvironments(services: Record<ServiceName, Env>, kafkaHosts: ReadonlySet<string>): Record<ServiceName, Config> {
  const configs = {} as Record<ServiceName, Config>;
  for (const name of SERVICES) {
    const env = services[name];
    const unknown = Object.keys(env).filter((key) => !CONFIG_VARIABLES.has(key) && !isPlatformVariable(key));
    expect(unknown, `${name} sets variables the code does not read`).toEqual([]);
    if (name !== 'gateway') {
      expect(Object.keys(env).filter(isPlatformVariable).filter((key) => key !== 'NODE_OPTIONS'), `${name} is not load-balanced`).toEqual([]);
    }
    // The production shape: Kafka (the embedded log is per process), reachable from other containers.
    expect(env.KAFKA_BROKERS, `${name}: KAFKA_BROKERS`).toBeTruthy();
    expect(env.HOST, `${name}: HOST`).toBe('0.0.0.0');
    expect(env.NODE_ENV, `${name}: NODE_ENV`).toBe('production');
    const config = effectiveConfig(env);
    for (const broker of config.KAFKA_BROKERS ?? []) {
      expect([...kafkaHosts], `${name}: broker ${broker}`).toContain(broker);
    }
    expect(config[PORT_VARIABLE[name]], `${name}: port`).toBe(EXPECTED_PORT[name]);
    configs[name] = config;
  }
  // The gateway (subscriptions) and the subgraphs must read the same topics on the same cluster.
  for (const key of ['KAFKA_BROKERS', 'TOPIC_PREFIX'] as const) {
    const values = new Set(SERVICES.map((name) => JSON.stringify(configs[name][key])));
    expect([...values], `${key} differs between services`).toHaveLength(1);
  }
  for (const subgraph of SUBGRAPHS) {
    for (const key of ['TOPIC_PARTITIONS', 'TOPIC_REPLICATION_FACTOR'] as const) {
      expect(configs[subgraph][key], `${subgraph}: ${key}`).toBe(configs.products[key]);
    }
  }
  // The gateway finds each subgraph by its service name and its port.
  const gateway = services.gateway;
  for (const subgraph of SUBGRAPHS) {
    const url = new URL(gateway[URL_VARIABLE[subgraph]] ?? '');
    expect(url.hostname, `gateway: ${URL_VARIABLE[subgraph]}`).toBe(subgraph);
    expect(Number(url.port), `gateway: ${URL_VARIABLE[subgraph]}`).toBe(configs[subgraph][PORT_VARIABLE[subgraph]]);
    expect(url.pathname).toBe('/graphql');
  }
  return configs;
}

// --- Dockerfile -------------------------------------------------------------------------------

interface Instruction {
  readonly keyword: string;
  readonly args: string;
}
interface Stage {
  readonly name: string;
  readonly from: string;
  readonly instructions: Instruction[];
}

/** Instructions by stage, with line continuations joined and comments dropped. */
function parseDockerfile(text: string): { globalArgs: Env; stages: Stage[] } {
  const logical: string[] = [];
  let pending = '';
  for (const line of text.split('\n')) {
    if (/^\s*#/.test(line)) continue;
    if (line.trimEnd().endsWith('\\')) {
      pending += line.trimEnd().slice(0, -1) + ' ';
      continue;
    }
    const full = (pending + line).trim();
    pending = '';
    if (full) logical.push(full);
  }
  const globalArgs: Env = {};
  const stages: Stage[] = [];
  for (const line of logical) {
    const [, keyword = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const upper = keyword.toUpperCase();
    if (upper === 'FROM') {
      const [from = '', , name] = args.split(/\s+/);
      stages.push({ name: name ?? `#${stages.length}`, from, instructions: [] });
    } else if (stages.length === 0 && upper === 'ARG') {
      const [key = '', value = ''] = args.split('=');
      globalArgs[key] = value;
    } else {
      stages.at(-1)?.instructions.push({ keyword: upper, args });
    }
  }
  return { globalArgs, stages };
}

const dockerfile = parseDockerfile(read('Dockerfile'));
const stageNamed = (name: string): Stage | undefined => dockerfile.stages.find((stage) => stage.name === name);
const expandArgs = (value: string): string => value.replace(/\$\{(\w+)\}/g, (_m, name: string) => dockerfile.globalArgs[name] ?? '');

/** The last value of an instruction along a stage's chain of bases, as an image inherits it. */
function inherited(stageName: string, keyword: string): string | undefined {
  const stage = stageNamed(stageName);
  if (!stage) return undefined;
  const own = stage.instructions.filter((instruction) => instruction.keyword === keyword).at(-1);
  return own?.args ?? inherited(expandArgs(stage.from), keyword);
}
function allOf(stageName: string, keyword: string): string[] {
  const stage = stageNamed(stageName);
  if (!stage) return [];
  const own = stage.instructions.filter((instruction) => instruction.keyword === keyword).map((instruction) => instruction.args);
  return [...allOf(expandArgs(stage.from), keyword), ...own];
}
/** Exec form (`["a", "b"]`) of CMD, or the command after `HEALTHCHECK ... CMD`. */
const execForm = (args: string | undefined): string[] => JSON.parse(args?.replace(/^.*?\bCMD\s+(?=\[)/, '') ?? 'null');

// --- compose.yaml and kontena.yml ---------------------------------------------------------------

const compose = parse(read('compose.yaml'), { merge: true }) as { services: Record<string, Service>; volumes?: unknown };

const kontenaText = read('kontena.yml');
const kontenaRaw = parse(kontenaText) as { stack: string; version: string; variables: Record<string, Service>; services: Record<string, Service> };
/** Kontena's own variables, and the value every declared variable takes when nothing is given. */
const KONTENA_BUILTINS: Env = { GRID: 'production', STACK: 'shop' };
const kontenaDefaults: Env = { ...KONTENA_BUILTINS };
for (const [name, variable] of Object.entries(kontenaRaw.variables)) {
  kontenaDefaults[name] = String(variable.default ?? variable.value ?? '').replace(/\$\{(\w+)\}/g, (_m, ref: string) => KONTENA_BUILTINS[ref] ?? '');
}
// Kontena substitutes variables into the raw text, then parses it: so does this test.
const kontena = parse(kontenaText.replace(/\$\{(\w+)\}/g, (_m, name: string) => kontenaDefaults[name] ?? `\${${name}}`)) as {
  services: Record<string, Service>;
};

function sourceFiles(dir: string): string[] {
  const path = join(ROOT, dir);
  if (!existsSync(path)) return [];
  return readdirSync(path, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.(ts|mts|js|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

describe('compose.yaml', () => {
  const services = compose.services;
  const kafkaListeners = String(envOf(services.kafka ?? {}).KAFKA_ADVERTISED_LISTENERS ?? '');
  const kafkaHosts = new Set([...kafkaListeners.matchAll(/PLAINTEXT:\/\/([^,]+)/g)].map((match) => match[1]!));

  it('defines Kafka, the three subgraphs, the gateway and the shell', () => {
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['kafka', ...SERVICES, 'shell']));
  });

  it('runs the Apache Kafka version the local broker runs, in KRaft mode', () => {
    const pinned = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(read('infra/kafka/pom.xml'))?.[1];
    expect(services.kafka!.image).toBe(`apache/kafka:${pinned}`);
    const env = envOf(services.kafka!);
    expect(env.KAFKA_PROCESS_ROLES?.split(',')).toEqual(expect.arrayContaining(['broker', 'controller']));
    expect(Object.keys(env).filter((key) => key.includes('ZOOKEEPER'))).toEqual([]);
    expect(env.CLUSTER_ID).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(services.kafka!.healthcheck?.test).toBeDefined();
    expect(kafkaHosts).toEqual(new Set(['kafka:9092']));
  });

  it('runs two replicas of each subgraph and publishes no subgraph port', () => {
    for (const name of SUBGRAPHS) {
      expect(services[name]!.deploy?.replicas, name).toBe(2);
      expect(services[name]!.ports, name).toBeUndefined();
      expect(services[name]!.container_name, `${name}: replicas need generated names`).toBeUndefined();
    }
  });

  it('sets only variables the code reads, and every one the production shape needs', () => {
    const envs = Object.fromEntries(SERVICES.map((name) => [name, envOf(services[name]!, composeDefaults)])) as Record<ServiceName, Env>;
    checkServiceEnvironments(envs, kafkaHosts);
  });

  it('publishes the gateway on the port it listens on, and waits for Kafka to be healthy', () => {
    const published = (services.gateway!.ports as string[]).map((port) => Number(String(port).split(':').at(-1)));
    expect(published).toEqual([EXPECTED_PORT.gateway]);
    for (const name of SERVICES) {
      expect(services[name]!.depends_on?.kafka?.condition, name).toBe('service_healthy');
      // The image's HEALTHCHECK (liveness on /healthz) applies: no override that could drift.
      expect(services[name]!.healthcheck, name).toBeUndefined();
    }
  });

  it('builds each service from the Dockerfile target that starts it', () => {
    for (const name of [...SERVICES, 'shell']) {
      const build = services[name]!.build;
      expect(build?.context, name).toBe('.');
      expect(build?.dockerfile ?? 'Dockerfile', name).toBe('Dockerfile');
      expect(stageNamed(build?.target), `${name}: target ${build?.target}`).toBeDefined();
      expect(build.target).toBe(name);
    }
  });

  it('keeps the shell out of `up` and points it at the gateway', () => {
    const shell = services.shell!;
    expect(shell.profiles).toBeDefined();
    expect(shell.stdin_open && shell.tty).toBe(true);
    const url = new URL(envOf(shell).GATEWAY_URL ?? '');
    expect(url.hostname).toBe('gateway');
    expect(Number(url.port)).toBe(EXPECTED_PORT.gateway);
  });
});

describe('kontena.yml', () => {
  const services = kontena.services;
  const brokers = kontenaDefaults.kafka_brokers!.split(',');

  it('is a stack with a name, a version and variables, every one declared and used', () => {
    expect(kontenaRaw.stack).toMatch(/^[\w-]+\/[\w-]+$/);
    expect(kontenaRaw.version).toMatch(/^\d+\.\d+\.\d+$/);
    const used = new Set([...kontenaText.matchAll(/\$\{(\w+)\}/g)].map((match) => match[1]!));
    const declared = new Set([...Object.keys(kontenaRaw.variables), ...Object.keys(KONTENA_BUILTINS)]);
    expect([...used].filter((name) => !declared.has(name)), 'used but not declared').toEqual([]);
    expect(Object.keys(kontenaRaw.variables).filter((name) => !used.has(name)), 'declared but not used').toEqual([]);
  });

  it('defines the three subgraphs, the gateway, the load balancer and the shell', () => {
    expect(Object.keys(services)).toEqual(expect.arrayContaining([...SERVICES, 'load-balancer', 'shell']));
    expect(services.kafka, 'Kafka is an existing cluster, linked from outside the stack').toBeUndefined();
  });

  it('sets only variables the code reads, and every one the production shape needs', () => {
    const envs = Object.fromEntries(SERVICES.map((name) => [name, envOf(services[name]!)])) as Record<ServiceName, Env>;
    const configs = checkServiceEnvironments(envs, new Set(brokers));
    expect(configs.products.TOPIC_REPLICATION_FACTOR, 'production replication').toBe(3);
  });

  it('links every service of ours to the Kafka cluster and runs several instances of each subgraph', () => {
    for (const name of SERVICES) {
      expect(services[name]!.external_links, name).toContain('kafka-cluster/kafka');
    }
    for (const name of SUBGRAPHS) {
      expect(Number(services[name]!.instances), name).toBeGreaterThanOrEqual(2);
    }
  });

  it('checks readiness on /readyz at the port each service listens on', () => {
    for (const name of SERVICES) {
      const check = services[name]!.health_check;
      expect(check?.protocol, name).toBe('http');
      expect(check?.uri, name).toBe('/readyz');
      expect(check?.port, name).toBe(EXPECTED_PORT[name]);
      expect(services[name]!.deploy?.wait_for_port, name).toBe(EXPECTED_PORT[name]);
    }
  });

  it('puts the gateway behind the Kontena load balancer on its own port', () => {
    const gateway = services.gateway!;
    const env = envOf(gateway);
    expect(gateway.links).toContain('load-balancer');
    expect(services['load-balancer']!.image).toMatch(/^kontena\/lb:/);
    expect(services['load-balancer']!.ports).toContain('80:80');
    expect(env.KONTENA_LB_MODE).toBe('http');
    expect(Number(env.KONTENA_LB_INTERNAL_PORT)).toBe(EXPECTED_PORT.gateway);
    expect(env.KONTENA_LB_VIRTUAL_PATH).toBe('/');
    for (const name of SUBGRAPHS) expect(services[name]!.links ?? [], `${name} is internal`).not.toContain('load-balancer');
  });

  it('builds each image from the Dockerfile stage of its service', () => {
    for (const name of [...SERVICES, 'shell']) {
      const build = services[name]!.build;
      expect(build?.context, name).toBe('.');
      expect(build?.args?.SERVICE, name).toBe(name);
      expect(stageNamed(build.args.SERVICE), name).toBeDefined();
      expect(services[name]!.image, name).toContain(`/${name}:`);
    }
  });

  it('runs the shell as an idle client service pointed at the gateway', () => {
    const shell = services.shell!;
    expect(shell.command).toMatch(/^sleep /);
    expect(shell.links).toContain('gateway');
    const url = new URL(envOf(shell).GATEWAY_URL ?? '');
    expect(url.hostname).toBe('gateway');
    expect(Number(url.port)).toBe(EXPECTED_PORT.gateway);
  });
});

describe('Dockerfile', () => {
  it('builds on node:20-bookworm-slim in every stage', () => {
    const bases = dockerfile.stages.map((stage) => expandArgs(stage.from)).filter((from) => !stageNamed(from));
    expect(new Set(bases)).toEqual(new Set(['node:20-bookworm-slim']));
  });

  it('installs with a toolchain for better-sqlite3, then keeps only production dependencies', () => {
    const runs = allOf('build', 'RUN').join('\n');
    expect(runs).toMatch(/apt-get install[^\n]*python3[^\n]*make[^\n]*g\+\+/);
    expect(runs).toContain('npm ci');
    expect(runs).toContain('npm prune --omit=dev');
    // The services run TypeScript through tsx: it must survive the prune.
    const rootPackage = JSON.parse(read('package.json'));
    expect(rootPackage.dependencies.tsx, 'tsx is a production dependency').toBeDefined();
    expect(allOf('runtime', 'COPY').join('\n')).toContain('--from=build');
  });

  it('runs every service as the non-root user node', () => {
    for (const name of [...SERVICES, 'shell']) {
      expect(inherited(name, 'USER'), name).toBe('node');
    }
  });

  it('gives every service a HEALTHCHECK on /healthz at the port the code listens on', () => {
    const script = read('infra/docker/healthcheck.mjs');
    expect(script).toMatch(/path = '\/healthz'/);
    for (const name of SERVICES) {
      const healthcheck = execForm(inherited(name, 'HEALTHCHECK'));
      const port = String(DEFAULTS[PORT_VARIABLE[name]]);
      expect(healthcheck, name).toEqual(['node', 'infra/docker/healthcheck.mjs', PORT_VARIABLE[name], port]);
      expect(inherited(name, 'EXPOSE'), name).toBe(port);
    }
  });

  it('starts each service from its main file, which exists', () => {
    for (const name of SERVICES) {
      const command = execForm(inherited(name, 'CMD'));
      expect(command, name).toEqual(['node', '--import', 'tsx', MAIN_FILE[name]]);
      expect(existsSync(join(ROOT, MAIN_FILE[name])), MAIN_FILE[name]).toBe(true);
    }
  });

  it('starts the shell through the `shell` script, which exists and reads GATEWAY_URL', () => {
    expect(execForm(inherited('shell', 'CMD'))).toEqual(['npm', 'run', 'shell']);
    expect(JSON.parse(read('package.json')).scripts?.shell, 'root package.json script "shell"').toBeDefined();
    const readsGatewayUrl = sourceFiles('client/src').some((file) => readFileSync(file, 'utf8').includes('GATEWAY_URL'));
    expect(readsGatewayUrl, 'client/src reads GATEWAY_URL').toBe(true);
  });

  it('lets builders without --target pick the service with a build argument', () => {
    const last = dockerfile.stages.at(-1)!;
    expect(last.from).toBe('${SERVICE}');
    expect(stageNamed(dockerfile.globalArgs.SERVICE ?? '')).toBeDefined();
  });

  it('keeps local data, dependencies and secrets out of the build context', () => {
    const ignored = read('.dockerignore').split('\n');
    for (const entry of ['**/node_modules', '.data', '.kafka', '.env', '.git']) expect(ignored, entry).toContain(entry);
  });
});

describe('what the deployment files rely on in the code', () => {
  it('serves /healthz and /readyz from every subgraph and from the gateway', () => {
    for (const file of ['event-core/src/graphql/subgraph-server.ts', 'gateway/src/index.ts']) {
      const source = read(file);
      expect(source, file).toMatch(/['"`]\/healthz['"`]/);
      expect(source, file).toMatch(/['"`]\/readyz['"`]/);
    }
  });

  it('uses every variable the deployment files set, not only declares it', () => {
    const set = new Set<string>();
    for (const name of SERVICES) {
      for (const key of Object.keys(envOf(compose.services[name]!))) set.add(key);
      for (const key of Object.keys(envOf(kontena.services[name]!))) set.add(key);
    }
    const sources = ['event-core/src', 'schema/src', 'gateway/src', 'system/src', ...SUBGRAPHS.map((name) => `subgraphs/${name}/src`)]
      .flatMap(sourceFiles)
      .filter((file) => !file.endsWith(join('event-core', 'src', 'config.ts')) && !file.includes(join('src', 'testing')))
      .map((file) => readFileSync(file, 'utf8'))
      .join('\n');
    const unused = [...set].filter((key) => CONFIG_VARIABLES.has(key) && !new RegExp(`\\b${key}\\b`).test(sources));
    expect(unused, 'set by a deployment file, parsed by config.ts, used nowhere').toEqual([]);
  });
});

describe('infra/docker/healthcheck.mjs', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((request, response) => {
      response.statusCode = request.url === '/healthz' ? 200 : 503;
      response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const probe = (args: string[], env: Env): Promise<number> =>
    new Promise((resolve) => {
      execFile(process.execPath, [join(ROOT, 'infra/docker/healthcheck.mjs'), ...args], { env: { PATH: process.env.PATH, ...env } }, (error) =>
        resolve(error ? Number(error.code ?? 1) : 0),
      );
    });

  it('succeeds when the service answers 200 on /healthz at the port its variable names', async () => {
    expect(await probe(['SOME_PORT', '1'], { SOME_PORT: String(port), HOST: '0.0.0.0' })).toBe(0);
  });

  it('fails when the path answers 503', async () => {
    expect(await probe(['SOME_PORT', String(port), '/readyz'], {})).toBe(1);
  });

  it('fails when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const free = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(await probe(['SOME_PORT', String(free)], {})).toBe(1);
  });

  it('refuses to run without a port variable and a default', async () => {
    expect(await probe([], {})).toBe(2);
  });
});
