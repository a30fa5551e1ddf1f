import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, repoRoot } from '../../test/faults/support/service-process.js';

/**
 * A Node >= 22 binary for what needs one (PostGraphile v5 and grafast declare `engines.node >=22`):
 * the current node when it is new enough, else the binary the npm registry ships in
 * `node-<platform>-<arch>@22` (the package the `node` package itself installs), kept in
 * bench/.node22 (git-ignored, not a dependency of the project) and installed on first use.
 */
const minimumMajor = 22;
export const node22Dir = join(repoRoot, 'bench', '.node22');
const major = (version: string) => Number(version.replace(/^v/, '').split('.')[0]);
const exec = promisify(execFile);

export type Node22 = { path: string; version: string; installed: boolean } | { skipped: string };

export async function node22(log: (line: string) => void = console.log): Promise<Node22> {
  if (major(process.versions.node) >= minimumMajor) return { path: process.execPath, version: process.version, installed: false };
  const platform = process.platform === 'win32' ? 'win' : process.platform;
  const pkg = `node-${platform}-${process.arch}@${minimumMajor}`;
  const binary = join(node22Dir, 'node_modules', '.bin', process.platform === 'win32' ? 'node.cmd' : 'node');
  const version = async () => (await exec(binary, ['--version'])).stdout.trim();
  let installed = false;
  if (!existsSync(binary)) {
    const args = ['install', '--prefix', node22Dir, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', pkg];
    log(`  Node ${process.versions.node} < ${minimumMajor}: installing a Node ${minimumMajor} binary from the npm registry: npm ${args.join(' ')}`);
    try {
      const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
      await exec(npm, args, { cwd: repoRoot, timeout: 180_000 });
      installed = true;
    } catch (error) {
      const e = error as Error & { stderr?: string };
      const lines = (e.stderr || e.message).split('\n').map((l) => l.replace(/^npm error\s*/, '').trim()).filter(Boolean);
      return { skipped: `could not install ${pkg} (${lines.filter((l) => !l.startsWith('at ')).slice(0, 4).join('; ').slice(0, 300)})` };
    }
  }
  try {
    const v = await version();
    if (major(v) < minimumMajor) return { skipped: `${binary} is ${v}, not >= ${minimumMajor} (remove ${node22Dir} to reinstall)` };
    if (!installed) log(`  Node ${process.versions.node} < ${minimumMajor}: using ${v} from ${binary}`);
    else log(`  installed Node ${v} at ${binary}`);
    return { path: binary, version: v, installed };
  } catch (error) {
    return { skipped: `${binary} does not run: ${(error as Error).message.slice(0, 200)} (remove ${node22Dir} to reinstall)` };
  }
}

/**
 * An entrypoint (`<node> --import tsx <entry>`, cwd the repository) under a given node binary, with
 * the same surface the bench uses of test/faults/support/service-process.ts (which always runs the
 * current node): start (polls /readyz), stop, alive, exitInfo, tail.
 */
export class NodeProcess {
  readonly url: string;
  private child: ChildProcess | null = null;
  private output: string[] = [];
  private exited: Promise<void> = Promise.resolve();
  exitInfo: { code: number | null; signal: NodeJS.Signals | null } | null = null;

  private constructor(private readonly node: string, private readonly entry: string, private readonly env: Record<string, string>, readonly port: number) {
    this.url = `http://127.0.0.1:${port}`;
  }

  static async create(options: { node: string; entry: string; env: Record<string, string> }): Promise<NodeProcess> {
    return new NodeProcess(options.node, options.entry, options.env, await freePort());
  }

  get alive(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(timeoutMs = 30_000): Promise<void> {
    const child = spawn(this.node, ['--import', 'tsx', this.entry], {
      cwd: repoRoot,
      env: { ...process.env, HOST: '127.0.0.1', PORT: String(this.port), ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const kill = () => child.kill('SIGKILL');
    process.once('exit', kill);
    const keep = (chunk: Buffer) => {
      this.output.push(chunk.toString('utf8'));
      if (this.output.length > 200) this.output.splice(0, this.output.length - 200);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => {
      process.off('exit', kill);
      this.exitInfo = { code, signal };
      resolve();
    }));
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.alive) throw new Error(`${this.entry} exited before ready (${JSON.stringify(this.exitInfo)})`);
      try {
        const res = await fetch(`${this.url}/readyz`, { signal: AbortSignal.timeout(2_000) });
        await res.arrayBuffer();
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`${this.entry} not ready after ${timeoutMs} ms`);
  }

  async stop(graceMs = 10_000): Promise<void> {
    if (!this.alive) return;
    this.child?.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  tail(lines = 30): string {
    return this.output.join('').split('\n').slice(-lines).join('\n');
  }
}
