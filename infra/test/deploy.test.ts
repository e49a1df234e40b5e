/**
 * The deployment files checked against the code: compose.yaml, kontena.yml and the Dockerfile may
 * only set what event-core/src/config.ts reads, must set what the production shape needs (the
 * config schema itself decides, with NODE_ENV=production), keep secrets out of the files, and
 * agree with the ports, health paths and entry points the services really have. No Docker engine
 * is needed: the files are parsed, not run.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readClientConfig } from '../../client/src/config.ts';
import type { ZodType } from 'zod';
import { configSchemaFor, loadConfig, subgraphSettingsOf, type Config } from '../../event-core/src/config.ts';
import { SUBGRAPHS as MANIFESTS, type SubgraphName } from '../../schema/src/subgraphs/index.ts';
import { TRUSTED_DOCUMENTS_PATH } from '../../schema/src/trusted-documents/manifest.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

type Env = Record<string, string>;
type Service = Record<string, any>;

/** Every subgraph of the manifests is a service of the deployment files, and so is the gateway. */
const SUBGRAPHS: readonly SubgraphName[] = MANIFESTS.map(({ name }) => name);
type ServiceName = SubgraphName | 'gateway';
const SERVICES: readonly ServiceName[] = [...SUBGRAPHS, 'gateway'];
/** A value for each service, from a subgraph's manifest and for the gateway. */
const perService = <T>(ofSubgraph: (manifest: (typeof MANIFESTS)[number]) => T, gateway: T): Record<ServiceName, T> =>
  ({ ...Object.fromEntries(MANIFESTS.map((manifest) => [manifest.name, ofSubgraph(manifest)])), gateway }) as Record<
    ServiceName,
    T
  >;

/** The port variable each service listens on, and the file its process starts from (a subgraph's: from its manifest). */
const PORT_VARIABLE = perService(({ settings }) => `${settings}_PORT`, 'GATEWAY_PORT');
const URL_VARIABLE = perService(({ settings }) => `${settings}_URL`, '');
const MAIN_FILE = perService(({ main }) => relative(ROOT, main).split(sep).join('/'), 'gateway/src/main.ts');
/** The ports the system documents (README): the gateway's, and each subgraph's in its manifest. */
const EXPECTED_PORT = perService(({ port }) => port, 4000);
/** Every variable the config reads, the subgraphs' settings included. */
const CONFIG_SHAPE = configSchemaFor(MANIFESTS).shape as Readonly<Record<string, ZodType>>;
/** The config's own defaults: what a service uses for a variable nobody sets. */
const defaultOf = (key: string): unknown => CONFIG_SHAPE[key]!.parse(undefined);
/** The port a service listens on, by its config. */
const portOf = (config: Config, name: ServiceName): number =>
  name === 'gateway' ? config.GATEWAY_PORT : subgraphSettingsOf(config, name).port;

const CONFIG_VARIABLES = new Set(Object.keys(CONFIG_SHAPE));
/** The subgraphs' settings: read through `Config.subgraphs`, by names made from their manifests. */
const SUBGRAPH_VARIABLES = new Set(SUBGRAPHS.flatMap((name) => [PORT_VARIABLE[name], URL_VARIABLE[name]]));
/** Variables read by the platform, not by our code: Kontena's load balancer, and node itself. */
const isPlatformVariable = (name: string): boolean => name.startsWith('KONTENA_LB_') || name === 'NODE_OPTIONS';
/** What the shell (client/) reads; it is a client of the gateway, not a service. */
const SHELL_VARIABLES = ['GATEWAY_URL', 'GATEWAY_TOKEN'];
/** Values that must come from outside the files: the operator's environment, or the Kontena Vault. */
const isSecret = (name: string): boolean => /TOKEN|SECRET|PASSWORD/.test(name);
/** Stand-ins for the secrets an operator provides, valid for the config schema. */
const SAMPLE_SECRETS: Env = {
  AUTH_TOKENS: 'editor:0123456789abcdef0123456789abcdef',
  SUBGRAPH_SECRET: '0123456789abcdef0123456789abcdef',
  GATEWAY_TOKEN: '0123456789abcdef0123456789abcdef',
  KAFKA_SASL_PASSWORD: 'sample-password',
};

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

/**
 * Compose interpolation as an operator would run it: nothing set but the secrets. `${X:-d}` is
 * `d`, `${X:?message}` (required) and `${X}` take the secret's stand-in, or stay empty.
 */
const composeInterpolate = (value: string): string =>
  value.replace(/\$\{(\w+)(?:(:?[-?])([^}]*))?\}/g, (_match, name: string, operator?: string, word?: string) =>
    operator?.endsWith('-') ? (SAMPLE_SECRETS[name] ?? word ?? '') : (SAMPLE_SECRETS[name] ?? ''),
  );

/** What every deployment file must satisfy for our four services. */
function checkServiceEnvironments(
  services: Record<ServiceName, Env>,
  kafkaHosts: ReadonlySet<string>,
): Record<ServiceName, Config> {
  const configs = {} as Record<ServiceName, Config>;
  for (const name of SERVICES) {
    const env = services[name];
    const unknown = Object.keys(env).filter((key) => !CONFIG_VARIABLES.has(key) && !isPlatformVariable(key));
    expect(unknown, `${name} sets variables the code does not read`).toEqual([]);
    if (name !== 'gateway') {
      const balanced = Object.keys(env).filter((key) => key.startsWith('KONTENA_LB_'));
      expect(balanced, `${name} is not load-balanced`).toEqual([]);
    }
    // The production shape: Kafka (the embedded log is per process), reachable from other containers.
    expect(env.KAFKA_BROKERS, `${name}: KAFKA_BROKERS`).toBeTruthy();
    expect(env.HOST, `${name}: HOST`).toBe('0.0.0.0');
    expect(env.NODE_ENV, `${name}: NODE_ENV`).toBe('production');
    // The schema decides what production requires (secrets included): loading must succeed.
    let config: Config;
    try {
      config = loadConfig(Object.fromEntries(Object.entries(env).filter(([key]) => CONFIG_VARIABLES.has(key))), MANIFESTS);
    } catch (error) {
      throw new Error(`${name}: ${(error as Error).message}`);
    }
    for (const broker of config.KAFKA_BROKERS ?? []) {
      expect([...kafkaHosts], `${name}: broker ${broker}`).toContain(broker);
    }
    expect(portOf(config, name), `${name}: port`).toBe(EXPECTED_PORT[name]);
    configs[name] = config;
  }
  // The gateway (subscriptions) and the subgraphs must read the same topics on the same cluster,
  // and share the secret the gateway proves itself to the subgraphs with.
  for (const key of ['KAFKA_BROKERS', 'TOPIC_PREFIX', 'SUBGRAPH_SECRET'] as const) {
    const values = new Set(SERVICES.map((name) => JSON.stringify(configs[name][key])));
    expect([...values], `${key} differs between services`).toHaveLength(1);
  }
  for (const subgraph of SUBGRAPHS) {
    for (const key of ['TOPIC_PARTITIONS', 'TOPIC_REPLICATION_FACTOR'] as const) {
      expect(configs[subgraph][key], `${subgraph}: ${key}`).toBe(configs[SUBGRAPHS[0]!][key]);
    }
  }
  // The gateway finds each subgraph by its service name and its port.
  // Production runs only what the clients ship (the config's production default, unless a file says otherwise).
  expect(configs.gateway.TRUSTED_DOCUMENTS ?? 'enforce', 'gateway: TRUSTED_DOCUMENTS').toBe('enforce');
  expect(configs.gateway.TRUSTED_DOCUMENTS_ANY_ROLES ?? [], 'gateway: roles allowed any document').toEqual([]);
  const gateway = services.gateway;
  for (const subgraph of SUBGRAPHS) {
    const url = new URL(gateway[URL_VARIABLE[subgraph]] ?? '');
    expect(url.hostname, `gateway: ${URL_VARIABLE[subgraph]}`).toBe(subgraph);
    expect(Number(url.port), `gateway: ${URL_VARIABLE[subgraph]}`).toBe(portOf(configs[subgraph], subgraph));
    expect(url.pathname).toBe('/graphql');
  }
  return configs;
}

function checkShellEnvironment(env: Env): void {
  expect(Object.keys(env).filter((key) => !SHELL_VARIABLES.includes(key))).toEqual([]);
  const url = new URL(env.GATEWAY_URL ?? '');
  expect(url.hostname).toBe('gateway');
  expect(Number(url.port)).toBe(EXPECTED_PORT.gateway);
  expect(url.pathname).toBe('/graphql');
  expect(env.GATEWAY_TOKEN, 'the shell needs a token to make changes').toBeDefined();
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
const expandArgs = (value: string): string =>
  value.replace(/\$\{(\w+)\}/g, (_m, name: string) => dockerfile.globalArgs[name] ?? '');

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

/** The patterns of .dockerignore, comments and blank lines left out. */
const dockerIgnorePatterns = (): string[] =>
  read('.dockerignore')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));

/** Whether a .dockerignore pattern (relative to the context, `*` within a segment, `**` any) excludes `path`. */
function dockerIgnoreMatches(pattern: string, path: string): boolean {
  if (pattern.startsWith('!')) return false;
  const source = pattern
    .replace(/^\/+/, '')
    .split('**/')
    .map((part) =>
      part
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replaceAll('*', '[^/]*')
        .replaceAll('?', '[^/]'),
    )
    .join('(?:.*/)?');
  return new RegExp(`^${source}$`).test(path);
}

// --- compose.yaml and kontena.yml ---------------------------------------------------------------

const composeText = read('compose.yaml');
const compose = parse(composeText, { merge: true }) as { services: Record<string, Service> };

const kontenaText = read('kontena.yml');
const kontenaRaw = parse(kontenaText) as {
  stack: string;
  version: string;
  variables: Record<string, Service>;
  services: Record<string, Service>;
};
/** Kontena's own variables, and the value every declared variable takes when nothing is given. */
const KONTENA_BUILTINS: Env = { GRID: 'production', STACK: 'shop' };
const withBuiltins = (value: string): string => value.replace(/\$\{(\w+)\}/g, (_m, ref: string) => KONTENA_BUILTINS[ref] ?? '');
const kontenaDefaults: Env = { ...KONTENA_BUILTINS };
for (const [name, variable] of Object.entries(kontenaRaw.variables)) {
  kontenaDefaults[name] = withBuiltins(String(variable.default ?? variable.value ?? ''));
}
// Kontena substitutes variables into the raw text, then parses it: so does this test.
const kontena = parse(kontenaText.replace(/\$\{(\w+)\}/g, (_m, name: string) => kontenaDefaults[name] ?? `\${${name}}`)) as {
  services: Record<string, Service>;
};
/** Vault keys the stack's variables write, and so may hand to services as secrets. */
const kontenaVaultKeys = new Set(
  Object.values(kontenaRaw.variables)
    .map((variable) => variable.to?.vault)
    .filter((key): key is string => typeof key === 'string')
    .map(withBuiltins),
);
/** A Kontena service's environment with its Vault secrets, as the container sees it. */
function kontenaEnvOf(service: Service): Env {
  const env = envOf(service);
  for (const secret of service.secrets ?? []) {
    expect(secret.type, secret.name).toBe('env');
    expect([...kontenaVaultKeys], `${secret.name}: vault key ${secret.secret}`).toContain(secret.secret);
    env[secret.name] = SAMPLE_SECRETS[secret.name] ?? 'from-the-vault';
  }
  return env;
}

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
    const envs = Object.fromEntries(SERVICES.map((name) => [name, envOf(services[name]!, composeInterpolate)]));
    checkServiceEnvironments(envs as Record<ServiceName, Env>, kafkaHosts);
  });

  it('takes every secret from the environment, never from the file', () => {
    for (const name of [...SERVICES, 'shell']) {
      for (const [key, value] of Object.entries(envOf(services[name]!))) {
        if (isSecret(key)) expect(value, `${name}: ${key}`).toMatch(/^\$\{\w+(:?[-?][^}]*)?\}$/);
      }
    }
    // Required ones stop `docker compose` with a message instead of starting a refusing service.
    for (const key of ['AUTH_TOKENS', 'SUBGRAPH_SECRET']) expect(composeText).toMatch(new RegExp(`\\$\\{${key}:\\?`));
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
      expect(build?.target, name).toBe(name);
      expect(stageNamed(build.target), `${name}: target ${build.target}`).toBeDefined();
    }
  });

  it('keeps the shell out of `up` and points it at the gateway', () => {
    const shell = services.shell!;
    expect(shell.profiles).toBeDefined();
    expect(shell.stdin_open && shell.tty).toBe(true);
    checkShellEnvironment(envOf(shell, composeInterpolate));
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
    expect(
      [...used].filter((name) => !declared.has(name)),
      'used but not declared',
    ).toEqual([]);
    const secretsUsed = new Set(
      Object.values(kontena.services).flatMap((service) => (service.secrets ?? []).map((s: Service) => s.secret)),
    );
    const unused = Object.entries(kontenaRaw.variables).filter(
      ([name, variable]) => !used.has(name) && !(variable.to?.vault && secretsUsed.has(withBuiltins(variable.to.vault))),
    );
    expect(
      unused.map(([name]) => name),
      'declared but not used',
    ).toEqual([]);
  });

  it('defines the three subgraphs, the gateway, the load balancer and the shell', () => {
    expect(Object.keys(services)).toEqual(expect.arrayContaining([...SERVICES, 'load-balancer', 'shell']));
    expect(services.kafka, 'Kafka is an existing cluster, linked from outside the stack').toBeUndefined();
  });

  it('sets only variables the code reads, and every one the production shape needs', () => {
    const envs = Object.fromEntries(SERVICES.map((name) => [name, kontenaEnvOf(services[name]!)]));
    const configs = checkServiceEnvironments(envs as Record<ServiceName, Env>, new Set(brokers));
    for (const name of SUBGRAPHS) expect(configs[name].TOPIC_REPLICATION_FACTOR, `${name}: production replication`).toBe(3);
  });

  it('hands secrets over from the Vault, never in the file', () => {
    for (const name of [...SERVICES, 'shell']) {
      expect(Object.keys(envOf(kontenaRaw.services[name]!)).filter(isSecret), name).toEqual([]);
    }
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
    checkShellEnvironment(kontenaEnvOf(shell));
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
    expect(JSON.parse(read('package.json')).dependencies.tsx, 'tsx is a production dependency').toBeDefined();
    expect(allOf('runtime', 'COPY').join('\n')).toContain('--from=build');
  });

  it('runs every service as the non-root user node', () => {
    for (const name of [...SERVICES, 'shell']) {
      expect(inherited(name, 'USER'), name).toBe('node');
    }
  });

  it('bakes no secret into an image', () => {
    const envLines = dockerfile.stages.flatMap((stage) => stage.instructions.filter((i) => ['ENV', 'ARG'].includes(i.keyword)));
    expect(envLines.filter((line) => isSecret(line.args)).map((line) => line.args)).toEqual([]);
  });

  it('gives every service a HEALTHCHECK on /healthz at the port the code listens on', () => {
    expect(read('infra/docker/healthcheck.mjs')).toMatch(/path = '\/healthz'/);
    for (const name of SERVICES) {
      const healthcheck = execForm(inherited(name, 'HEALTHCHECK'));
      const port = String(defaultOf(PORT_VARIABLE[name]));
      expect(port, `${PORT_VARIABLE[name]} default`).toBe(String(EXPECTED_PORT[name]));
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

  it('starts the shell through the `shell` script, whose code reads the variables the files set', () => {
    expect(execForm(inherited('shell', 'CMD'))).toEqual(['npm', 'run', 'shell']);
    const script: string | undefined = JSON.parse(read('package.json')).scripts?.shell;
    expect(script, 'root package.json script "shell"').toBeDefined();
    const entry = /\S+\.ts\b/.exec(script ?? '')?.[0];
    expect(entry && existsSync(join(ROOT, entry)), `the shell's entry ${entry}`).toBe(true);
    const client = sourceFiles('client/src')
      .map((file) => readFileSync(file, 'utf8'))
      .join('\n');
    for (const key of SHELL_VARIABLES) expect(client, `client/src reads ${key}`).toContain(key);
  });

  it('puts the trusted documents into the images, and starts the shell sending hashes as the gateway expects', () => {
    const manifest = relative(ROOT, TRUSTED_DOCUMENTS_PATH).split(sep).join('/');
    const ignoredBy = dockerIgnorePatterns().filter((pattern) =>
      [
        manifest,
        ...manifest
          .split('/')
          .map((_, i, parts) => parts.slice(0, i).join('/'))
          .filter(Boolean),
      ].some((path) => dockerIgnoreMatches(pattern, path)),
    );
    expect(ignoredBy, `.dockerignore keeps ${manifest} out of the build context`).toEqual([]);
    expect(allOf('build', 'COPY').join('\n')).toMatch(/^\. \.$/m);
    const nodeEnv = [
      ...allOf('shell', 'ENV')
        .join('\n')
        .matchAll(/\bNODE_ENV=(\S+)/g),
    ].at(-1)?.[1];
    expect(nodeEnv, 'the shell image runs with NODE_ENV=production').toBe('production');
    expect(readClientConfig({ NODE_ENV: nodeEnv }).sendHashes, 'the typed client sends hashes in production').toBe(true);
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
      for (const key of Object.keys(kontenaEnvOf(kontena.services[name]!))) set.add(key);
    }
    const sources = [
      'event-core/src',
      'schema/src',
      'gateway/src',
      'system/src',
      ...SUBGRAPHS.map((name) => `subgraphs/${name}/src`),
    ]
      .flatMap(sourceFiles)
      .filter((file) => !file.endsWith(join('event-core', 'src', 'config.ts')) && !file.includes(join('src', 'testing')))
      .map((file) => readFileSync(file, 'utf8'))
      .join('\n');
    const unused = [...set].filter(
      (key) => CONFIG_VARIABLES.has(key) && !SUBGRAPH_VARIABLES.has(key) && !new RegExp(`\\b${key}\\b`).test(sources),
    );
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
      const script = join(ROOT, 'infra/docker/healthcheck.mjs');
      execFile(process.execPath, [script, ...args], { env: { PATH: process.env.PATH, ...env } }, (error) =>
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
