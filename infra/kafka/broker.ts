/**
 * A local single-node Apache Kafka for development and tests: KRaft mode (one JVM that is both
 * broker and controller), run straight from the Maven Central jars that `pom.xml` lists, so it
 * needs a JDK (17+) and Maven, but no Kafka download, no container and no ZooKeeper.
 *
 * Everything lives in one working directory (default `<repo>/.kafka`, env `KAFKA_HOME_DIR`):
 * `libs/` (the jars), `data/` (the log dirs: topics survive a restart), `server.properties`,
 * `kafka.log` (the broker's stdout and stderr) and `kafka.pid`.
 *
 * The command line is `kafka.ts`; this module is the library behind it, used by the vitest global
 * setup (start a broker when `KAFKA_BROKERS` is unset) and by fault tests (stop and restart it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = resolve(HERE, '../..');
const POM_FILE = join(HERE, 'pom.xml');
const LOG4J_CONFIG_FILE = join(HERE, 'log4j2.yaml');
const HOST = '127.0.0.1';

/** Options shared by every operation on the local broker. */
export interface LocalKafkaOptions {
  /** Client (PLAINTEXT) listener port. Default: env `KAFKA_PORT`, else 9092. */
  readonly port?: number;
  /** KRaft controller listener port. Default: env `KAFKA_CONTROLLER_PORT`, else `port + 1`. */
  readonly controllerPort?: number;
  /** Working directory for jars, data, config, log and pid. Default: env `KAFKA_HOME_DIR`, else `<repo>/.kafka`. */
  readonly dir?: string;
  /**
   * Where the jars are (fetched there when missing or stale). Default `<dir>/libs`. A second broker
   * in a scratch directory (a fault test's, which it may stop at will) can share the first one's
   * jars instead of copying 45 MB.
   */
  readonly libsDir?: string;
  /** Receives progress messages meant for a person. Default: `console.log`. */
  readonly log?: (message: string) => void;
}

export interface StartKafkaOptions extends LocalKafkaOptions {
  /** How long to wait for the broker to answer a metadata request, in ms. Default 90 000. */
  readonly readyTimeoutMs?: number;
  /** JVM maximum heap, as a `-Xmx` value. Default `512m`: plenty for tests, small on a laptop. */
  readonly maxHeap?: string;
  /** This broker as one node of a cluster (`cluster.ts` builds these). Default: a one-node cluster of its own. */
  readonly node?: ClusterNode;
  /**
   * Resolve only once the broker answers. Default true. A cluster's nodes are started without
   * waiting, then waited for together: none answers before a majority of the controllers runs.
   */
  readonly waitUntilReady?: boolean;
}

/** One node of a multi-node KRaft cluster: every node is broker and controller, as the single node is. */
export interface ClusterNode {
  /** `node.id`, from 1. */
  readonly nodeId: number;
  /** Every node's id and controller port: the static voter set, the same in every node's properties. */
  readonly voters: readonly { readonly nodeId: number; readonly controllerPort: number }[];
  /** The id every node's storage is formatted with; nodes with different ids never form a quorum. */
  readonly clusterId: string;
}

export interface StopKafkaOptions extends LocalKafkaOptions {
  /** How long a clean shutdown (SIGTERM) may take before SIGKILL, in ms. Default 30 000. */
  readonly timeoutMs?: number;
  /** Skip the clean shutdown and SIGKILL at once, as a crash would. Default false. */
  readonly force?: boolean;
}

/** A broker that answers on {@link RunningKafka.brokers}. */
export interface RunningKafka {
  /** Bootstrap servers for a client, e.g. `['127.0.0.1:9092']`. */
  readonly brokers: string[];
  /** Process id of the broker JVM when this directory's pid file names it; `null` for a foreign broker. */
  readonly pid: number | null;
  /** True when a broker already answered on the port, so this call started nothing. */
  readonly alreadyRunning: boolean;
  /**
   * Stops the broker this call started (see {@link stopKafka}); does nothing when it was
   * {@link alreadyRunning}, so a test run leaves a developer's broker up. Fault tests that must
   * stop whatever runs call {@link stopKafka} directly.
   */
  stop(options?: Pick<StopKafkaOptions, 'timeoutMs' | 'force'>): Promise<void>;
}

export interface KafkaStatus {
  readonly brokers: string[];
  /** Process id from the pid file, when that process is alive. */
  readonly pid: number | null;
  /** A broker answered a metadata request on the port. */
  readonly answering: boolean;
}

interface ResolvedOptions {
  readonly port: number;
  readonly controllerPort: number;
  readonly dir: string;
  readonly libsDir: string;
  readonly log: (message: string) => void;
}

interface Paths {
  readonly libs: string;
  readonly stamp: string;
  readonly data: string;
  readonly properties: string;
  readonly logFile: string;
  readonly pidFile: string;
}

/** Stamp written into `libs/` after a complete fetch; a different pom means stale jars. */
interface FetchStamp {
  readonly kafkaVersion: string;
  readonly pomSha256: string;
}

/**
 * JVMs spawned by this process, so {@link stopKafka} can await their real exit: a child that has
 * exited but is not yet reaped still answers `kill(pid, 0)`.
 */
const children = new Map<number, ChildProcess>();

/** The Kafka version `pom.xml` pins. */
export function kafkaVersion(): string {
  const version = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(readFileSync(POM_FILE, 'utf8'))?.[1];
  if (!version) throw new Error(`${POM_FILE} has no <kafka.version> property`);
  return version.trim();
}

/**
 * Copies the broker jars (about 45 MB) from Maven Central into `<dir>/libs` unless they are already
 * there for the current `pom.xml`. Needs `mvn` on the PATH. Takes about 25 s with an empty Maven
 * cache, 5 s with a warm one.
 *
 * @returns true when it fetched, false when the jars were up to date.
 */
export async function fetchKafka(options: LocalKafkaOptions = {}): Promise<boolean> {
  const { dir, libsDir, log } = resolveOptions(options);
  const paths = pathsOf(dir, libsDir);
  const wanted: FetchStamp = {
    kafkaVersion: kafkaVersion(),
    pomSha256: createHash('sha256').update(readFileSync(POM_FILE)).digest('hex'),
  };
  if (readStamp(paths.stamp)?.pomSha256 === wanted.pomSha256) return false;

  log(`Fetching Apache Kafka ${wanted.kafkaVersion} jars from Maven Central into ${paths.libs}`);
  // Fetch into a scratch folder and swap it in at the end, so an interrupted fetch never leaves a
  // half-filled libs/ that looks complete.
  const partial = `${paths.libs}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  await run(
    'mvn',
    ['-q', '-B', '-Dstyle.color=never', '-f', POM_FILE, 'dependency:copy-dependencies', `-DoutputDirectory=${partial}`],
    'Maven (mvn) is needed to fetch the Kafka jars: install it (e.g. `apt-get install maven`) and retry.',
  );
  writeFileSync(join(partial, '.fetched.json'), `${JSON.stringify(wanted, null, 2)}\n`);
  rmSync(paths.libs, { recursive: true, force: true });
  renameSync(partial, paths.libs);
  return true;
}

/**
 * Starts the local broker (fetching the jars and formatting the storage first when needed) and
 * resolves once it answers a metadata request. The JVM runs detached: it outlives the calling
 * process until {@link stopKafka}. When a broker already answers on the port, it starts nothing.
 *
 * With jars to fetch it takes about 40 s; warm, 5 to 15 s depending on how busy the machine is
 * (the JVM's start-up is most of it).
 */
export async function startKafka(options: StartKafkaOptions = {}): Promise<RunningKafka> {
  const resolved = resolveOptions(options);
  const { port, dir, libsDir, log } = resolved;
  const { readyTimeoutMs = 90_000, maxHeap = '512m', node, waitUntilReady: wait = true } = options;
  const paths = pathsOf(dir, libsDir);
  const brokers = [`${HOST}:${port}`];
  const handle = (pid: number | null, alreadyRunning: boolean): RunningKafka => ({
    brokers,
    pid,
    alreadyRunning,
    async stop(stopOptions) {
      if (!alreadyRunning) await stopKafka({ ...resolved, ...stopOptions });
    },
  });

  const ownPid = readLivePid(paths.pidFile);
  if (await brokerAnswers(brokers)) return handle(ownPid, true);
  if (ownPid !== null && !wait) return handle(ownPid, false);
  if (ownPid !== null) {
    // Our broker from an earlier `start` that is still starting up: wait for it, start no second one.
    log(`Kafka (pid ${ownPid}) is starting; waiting for it`);
    await waitUntilReady(brokers, ownPid, paths.logFile, 0, readyTimeoutMs);
    return handle(ownPid, false);
  }
  if (await portInUse(port)) {
    throw new Error(
      `Port ${port} is in use, but not by a Kafka broker that answers. Free it, or choose another port with KAFKA_PORT.`,
    );
  }

  await fetchKafka(resolved);
  const java = javaCommand();
  await checkJavaVersion(java);
  mkdirSync(paths.data, { recursive: true });
  writeFileSync(paths.properties, serverProperties(resolved, paths, node));
  if (!existsSync(join(paths.data, 'meta.properties'))) await formatStorage(java, paths, node?.clusterId, log);

  const logOffset = existsSync(paths.logFile) ? statSync(paths.logFile).size : 0;
  const out = openSync(paths.logFile, 'a');
  const child = spawn(
    java,
    [
      `-Xmx${maxHeap}`,
      '-XX:+UseG1GC',
      '-XX:MaxGCPauseMillis=20',
      '-Djava.awt.headless=true',
      `-Dlog4j2.configurationFile=${LOG4J_CONFIG_FILE}`,
      '-cp',
      join(paths.libs, '*'),
      'kafka.Kafka',
      paths.properties,
    ],
    // detached + its own stdio: the broker keeps running after `npm run kafka:start` returns.
    { detached: true, stdio: ['ignore', out, out] },
  );
  closeSync(out);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`Could not start ${java}; see ${paths.logFile}`);
  children.set(pid, child);
  child.once('exit', () => children.delete(pid));
  child.unref();
  writeFileSync(paths.pidFile, `${pid}\n`);
  log(`Started Kafka ${kafkaVersion()} (pid ${pid}); log: ${paths.logFile}`);
  if (!wait) return handle(pid, false);

  try {
    await waitUntilReady(brokers, pid, paths.logFile, logOffset, readyTimeoutMs);
  } catch (error) {
    await stopKafka({ ...resolved, force: true });
    throw error;
  }
  return handle(pid, false);
}

/**
 * Stops the broker whose pid file is in the working directory: SIGTERM for a clean shutdown (about
 * 2 s), SIGKILL if it takes longer than `timeoutMs`, or at once with `force`. The data stays.
 *
 * @returns true when a broker was running.
 */
export async function stopKafka(options: StopKafkaOptions = {}): Promise<boolean> {
  const { dir, libsDir } = resolveOptions(options);
  const { timeoutMs = 30_000, force = false } = options;
  const { pidFile } = pathsOf(dir, libsDir);
  const pid = readLivePid(pidFile);
  if (pid === null) {
    rmSync(pidFile, { force: true });
    return false;
  }
  if (!force) {
    signal(pid, 'SIGTERM');
    if (await waitForExit(pid, timeoutMs)) {
      rmSync(pidFile, { force: true });
      return true;
    }
  }
  signal(pid, 'SIGKILL');
  if (!(await waitForExit(pid, 10_000))) throw new Error(`Kafka (pid ${pid}) did not exit after SIGKILL`);
  rmSync(pidFile, { force: true });
  return true;
}

/**
 * The process id of this directory's broker when it runs, from its pid file: no request is sent,
 * so it answers at once for a frozen (SIGSTOP) broker too.
 */
export function kafkaPid(options: LocalKafkaOptions = {}): number | null {
  const { dir, libsDir } = resolveOptions(options);
  return readLivePid(pathsOf(dir, libsDir).pidFile);
}

/** Is this directory's broker running, and does a broker answer on the port? */
export async function kafkaStatus(options: LocalKafkaOptions = {}): Promise<KafkaStatus> {
  const { port, dir, libsDir } = resolveOptions(options);
  const brokers = [`${HOST}:${port}`];
  return {
    brokers,
    pid: readLivePid(pathsOf(dir, libsDir).pidFile),
    answering: await brokerAnswers(brokers),
  };
}

function resolveOptions(options: LocalKafkaOptions): ResolvedOptions {
  const port = options.port ?? envPort('KAFKA_PORT') ?? 9092;
  const dir = resolve(options.dir ?? (process.env.KAFKA_HOME_DIR || join(REPO_ROOT, '.kafka')));
  return {
    port,
    controllerPort: options.controllerPort ?? envPort('KAFKA_CONTROLLER_PORT') ?? port + 1,
    dir,
    libsDir: resolve(options.libsDir ?? join(dir, 'libs')),
    log: options.log ?? ((message) => console.log(message)),
  };
}

function envPort(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new Error(`${name}=${raw} is not a TCP port: use a whole number from 1 to 65535.`);
  }
  return port;
}

function pathsOf(dir: string, libs: string): Paths {
  return {
    libs,
    stamp: join(libs, '.fetched.json'),
    data: join(dir, 'data'),
    properties: join(dir, 'server.properties'),
    logFile: join(dir, 'kafka.log'),
    pidFile: join(dir, 'kafka.pid'),
  };
}

function readStamp(file: string): FetchStamp | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as FetchStamp;
  } catch {
    return null;
  }
}

function serverProperties({ port, controllerPort }: ResolvedOptions, paths: Paths, node?: ClusterNode): string {
  const voters = node?.voters ?? [{ nodeId: 1, controllerPort }];
  const properties: Record<string, string | number | boolean> = {
    'process.roles': 'broker,controller',
    'node.id': node?.nodeId ?? 1,
    // A static voter set rather than a dynamic quorum (`format --standalone`): the controller's
    // address then comes from this file at every start instead of being frozen into the formatted
    // metadata log, so changing KAFKA_PORT or KAFKA_CONTROLLER_PORT later needs no reformat.
    'controller.quorum.voters': voters.map((voter) => `${voter.nodeId}@${HOST}:${voter.controllerPort}`).join(','),
    listeners: `PLAINTEXT://${HOST}:${port},CONTROLLER://${HOST}:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://${HOST}:${port}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'log.dirs': paths.data,
    'num.partitions': 1,
    // Topics are created on purpose (EventLog.provision) with their configs; a typo in a topic
    // name must fail, not silently create a topic with default settings.
    'auto.create.topics.enable': false,
    // One broker: internal topics cannot have the default replication factor of 3.
    'offsets.topic.replication.factor': 1,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'share.coordinator.state.topic.replication.factor': 1,
    'share.coordinator.state.topic.min.isr': 1,
    ...(voters.length > 1 ? clusterProperties(voters.length) : {}),
    // Every follower joins a consumer group of its own, and the first join on a new broker waits
    // while the group coordinator creates its internal topic: 1 partition instead of 50 makes
    // that about 2 s faster on a small machine.
    'offsets.topic.num.partitions': 1,
    // Every reader joins its own fresh group; the default 3 s delay would slow down each one.
    'group.initial.rebalance.delay.ms': 0,
  };
  const lines = Object.entries(properties).map(([key, value]) => `${key}=${escapeProperty(String(value))}`);
  return `# Written by infra/kafka/broker.ts at every start; edit that file, not this one.\n${lines.join('\n')}\n`;
}

/**
 * A cluster's settings: production's (docs/deploy.md, "Kafka in production") for replication, and
 * light ones for the rest, since three brokers share a laptop's cores with the services.
 */
function clusterProperties(nodes: number): Record<string, string | number | boolean> {
  const replicas = Math.min(3, nodes);
  const minInsync = Math.max(1, replicas - 1);
  return {
    // Internal topics and topics created without a replication factor as safe as the services' own.
    'default.replication.factor': replicas,
    'min.insync.replicas': minInsync,
    'offsets.topic.replication.factor': replicas,
    'transaction.state.log.replication.factor': replicas,
    'transaction.state.log.min.isr': minInsync,
    'share.coordinator.state.topic.replication.factor': replicas,
    'share.coordinator.state.topic.min.isr': minInsync,
    // Kafka's default, stated: an out-of-sync replica never becomes leader, so no acknowledged record is lost.
    'unclean.leader.election.enable': false,
    // Fewer threads than a server's defaults (3 network, 8 I/O): a few clients, and two cores for everything.
    'num.network.threads': 2,
    'num.io.threads': 2,
    // The log cleaner's dedupe buffer is allocated on the heap when the first compacted topic
    // appears: 128 MiB by default, half of a small node's heap. 16 MiB holds 400,000 keys per pass.
    'log.cleaner.dedupe.buffer.size': 16 * 1024 * 1024,
  };
}

/** Java .properties treats `\` as an escape character (a Windows path needs it doubled). */
function escapeProperty(value: string): string {
  return value.replaceAll('\\', '\\\\');
}

async function formatStorage(
  java: string,
  paths: Paths,
  clusterId: string | undefined,
  log: (message: string) => void,
): Promise<void> {
  log(`Formatting Kafka storage in ${paths.data}`);
  await run(
    java,
    [
      `-Dlog4j2.configurationFile=${LOG4J_CONFIG_FILE}`,
      '-cp',
      join(paths.libs, '*'),
      'kafka.tools.StorageTool',
      'format',
      '--cluster-id',
      clusterId ?? randomClusterId(),
      '--config',
      paths.properties,
    ],
    'Could not run Java to format the Kafka storage: install a JDK 17+ or set JAVA_HOME.',
  );
}

/**
 * A cluster id as `kafka-storage random-uuid` makes one (16 random bytes, URL-safe base64 without
 * padding), without starting a JVM for it. Kafka rejects ids that start with `-` (they read as a
 * command-line flag), so draw again in that case, as Kafka's own `Uuid.randomUuid` does.
 */
export function randomClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function javaCommand(): string {
  const javaHome = process.env.JAVA_HOME;
  return javaHome ? join(javaHome, 'bin', 'java') : 'java';
}

/** Kafka 4 brokers need Java 17; an older JVM fails with an obscure class-version error. */
async function checkJavaVersion(java: string): Promise<void> {
  const output = await run(java, ['-version'], 'Java is needed to run Kafka: install a JDK 17+ or set JAVA_HOME.');
  const version = /version "([^"]+)"/.exec(output)?.[1] ?? '';
  const major = Number(version.startsWith('1.') ? version.split('.')[1] : version.split(/[.+-]/)[0]);
  if (!(major >= 17)) {
    throw new Error(`Kafka 4 needs Java 17 or newer, but ${java} is version "${version}": set JAVA_HOME to a newer JDK.`);
  }
}

/** Runs a command to completion; resolves with its combined output, rejects with it on failure. */
function run(command: string, args: readonly string[], missingHint: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' ? new Error(`${command} not found. ${missingHint}`) : error),
    );
    child.once('close', (code) => {
      const output = Buffer.concat(chunks).toString('utf8');
      if (code === 0) resolvePromise(output);
      else reject(new Error(`${command} ${args.join(' ')} failed (exit ${code}):\n${output.trim()}`));
    });
  });
}

/** The pid in the pid file, if that process is alive and still a Kafka JVM. */
function readLivePid(pidFile: string): number | null {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').trim());
  } catch {
    return null;
  }
  return Number.isInteger(pid) && pid > 0 && isKafkaProcess(pid) ? pid : null;
}

function isKafkaProcess(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // Pids are reused: after a reboot the pid file may name an unrelated process. Where procfs
  // exists (Linux), check the command line; elsewhere trust the liveness check.
  if (!existsSync('/proc/self')) return true;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('kafka.Kafka');
  } catch {
    return false;
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const child = children.get(pid);
  if (child && child.exitCode === null && child.signalCode === null) {
    return new Promise((resolvePromise) => {
      const timer = setTimeout(() => resolvePromise(false), timeoutMs);
      child.once('exit', () => {
        clearTimeout(timer);
        resolvePromise(true);
      });
    });
  }
  const deadline = Date.now() + timeoutMs;
  while (isKafkaProcess(pid)) {
    if (Date.now() >= deadline) return false;
    await sleep(100);
  }
  return true;
}

/**
 * Polls until the broker answers a metadata request with itself in the broker list. Fails early
 * with the tail of the broker's log when the JVM exits, and after `timeoutMs`.
 */
async function waitUntilReady(
  brokers: string[],
  pid: number,
  logFile: string,
  logOffset: number,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await brokerAnswers(brokers)) return;
    if (!isKafkaProcess(pid)) {
      throw new Error(`Kafka (pid ${pid}) exited during start-up. Its log:\n${readTail(logFile, logOffset)}`);
    }
    if (Date.now() >= deadline) {
      throw new Error(
        `Kafka did not answer on ${brokers.join(',')} within ${timeoutMs} ms. Its log:\n${readTail(logFile, logOffset)}`,
      );
    }
    await sleep(250);
  }
}

/**
 * Does a Kafka broker answer a metadata request on `brokers` within about a second, naming at
 * least `minBrokers` brokers of its cluster?
 */
export async function brokerAnswers(brokers: readonly string[], minBrokers = 1): Promise<boolean> {
  const admin = new Kafka({
    clientId: 'local-kafka-probe',
    brokers: [...brokers],
    connectionTimeout: 1_000,
    requestTimeout: 2_000,
    // A probe is expected to fail while the broker starts: no retries, no error logs.
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length >= Math.max(1, minBrokers);
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

function portInUse(port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const socket = connect({ host: HOST, port });
    socket.setTimeout(1_000);
    socket.once('connect', () => {
      socket.destroy();
      resolvePromise(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolvePromise(true);
    });
    socket.once('error', () => resolvePromise(false));
  });
}

/** The last lines the broker wrote since `offset`, to explain a failed start. */
function readTail(file: string, offset: number, maxBytes = 8_192): string {
  try {
    const size = statSync(file).size;
    const start = Math.max(offset, size - maxBytes);
    const buffer = Buffer.alloc(size - start);
    const fd = openSync(file, 'r');
    try {
      readSync(fd, buffer, 0, buffer.length, start);
    } finally {
      closeSync(fd);
    }
    return buffer.toString('utf8').trim() || '(empty)';
  } catch {
    return '(no log)';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolvePromise) => setTimeout(resolvePromise, ms));
}
