import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

/** The repository root (this file lives in test/faults/support). */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../../..');

export const serviceAuth = { username: 'chargebee', password: 'hook-secret-123' };
export const serviceAuthHeader = `Basic ${Buffer.from(`${serviceAuth.username}:${serviceAuth.password}`).toString('base64')}`;

/** A free TCP port on loopback (released before the service binds it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface ServiceOptions {
  databaseUrl: string;
  port?: number;
  env?: Record<string, string>;
  /** The entrypoint, relative to the repository root (default src/main.ts). */
  entry?: string;
  /** Extra node flags (e.g. --cpu-prof for a profile of a bench run). */
  nodeArgs?: string[];
  /** false: the entry is compiled JavaScript (dist/), run without tsx. */
  tsx?: boolean;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Child services must never outlive the process that started them, however it ends. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  const killAll = () => {
    for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.once('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killAll();
      process.exit(130);
    });
  }
}

/**
 * The service as its own process (`node --import tsx src/main.ts`, so the pid is the service itself
 * and not a tsx wrapper), with LOG_LEVEL=warn. Output is kept (tail only) for failure messages.
 */
export class ServiceProcess {
  readonly url: string;
  private child: ChildProcess | null = null;
  private output: string[] = [];
  private exited: Promise<void> = Promise.resolve();
  /** Set once the current child has exited; tells a crash from a kill. */
  exitInfo: { code: number | null; signal: NodeJS.Signals | null } | null = null;

  constructor(readonly options: ServiceOptions & { port: number }) {
    this.url = `http://127.0.0.1:${options.port}`;
  }

  static async create(options: ServiceOptions): Promise<ServiceProcess> {
    return new ServiceProcess({ ...options, port: options.port ?? (await freePort()) });
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get alive(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Spawns the service; resolves at spawn time (use waitReady for /readyz). */
  spawn(): void {
    if (this.alive) throw new Error('service already running');
    installExitHook();
    // Settings of the parent's test runner must not leak into the service (the test's own env may set them).
    const { CHARGEBEE_SITE: _site, CHARGEBEE_API_KEY: _key, API_TOKENS: _tokens, ...inherited } = process.env;
    const env: NodeJS.ProcessEnv = {
      ...inherited,
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
      PORT: String(this.options.port),
      DATABASE_URL: this.options.databaseUrl,
      CHARGEBEE_WEBHOOK_USERNAME: serviceAuth.username,
      CHARGEBEE_WEBHOOK_PASSWORD: serviceAuth.password,
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
      ...this.options.env,
    };
    const loader = this.options.tsx === false ? [] : ['--import', 'tsx'];
    const child = spawn(process.execPath, [...(this.options.nodeArgs ?? []), ...loader, this.options.entry ?? 'src/main.ts'], {
      cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.exitInfo = null;
    running.add(child);
    const keep = (chunk: Buffer) => {
      this.output.push(chunk.toString('utf8'));
      if (this.output.length > 200) this.output.splice(0, this.output.length - 200);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        running.delete(child);
        this.exitInfo = { code, signal };
        resolve();
      });
    });
  }

  /** Polls /readyz until 200; fails if the process exits or the timeout passes. */
  async waitReady(timeoutMs = 30_000, pollMs = 20): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.alive) throw new Error(`service exited before ready (${JSON.stringify(this.exitInfo)}):\n${this.tail()}`);
      try {
        const res = await fetch(`${this.url}/readyz`, { signal: AbortSignal.timeout(2_000) });
        await res.arrayBuffer();
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      await sleep(pollMs);
    }
    throw new Error(`service not ready after ${timeoutMs} ms:\n${this.tail()}`);
  }

  async start(timeoutMs?: number): Promise<void> {
    this.spawn();
    await this.waitReady(timeoutMs);
  }

  /** SIGKILL: no shutdown hook runs, in-flight requests are cut. */
  async kill(): Promise<void> {
    if (!this.alive) return;
    this.child?.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM (graceful), then SIGKILL if it takes longer than graceMs. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.alive) return;
    this.child?.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** Resident set size of the service process in bytes (Linux /proc). */
  async rssBytes(): Promise<number> {
    const { readFile } = await import('node:fs/promises');
    const status = await readFile(`/proc/${this.pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1];
    if (kb === undefined) throw new Error('no VmRSS');
    return Number(kb) * 1024;
  }

  tail(lines = 30): string {
    return this.output.join('').split('\n').slice(-lines).join('\n');
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
