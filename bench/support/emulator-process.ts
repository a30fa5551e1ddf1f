import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { repoRoot } from '../../test/faults/support/service-process.js';

/** The Chargebee emulator as its own process (src/chargebee/emulator/cli.ts), driven over its HTTP control API. */
export class EmulatorProcess {
  private constructor(private readonly child: ChildProcess, readonly url: string, readonly apiKey: string) {}

  static async start(apiKey: string): Promise<EmulatorProcess> {
    const child = spawn(process.execPath, ['--max-old-space-size=4096', '--import', 'tsx', 'src/chargebee/emulator/cli.ts', '--port', '0', '--api-key', apiKey], {
      cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'],
    });
    process.once('exit', () => child.kill('SIGKILL'));
    const line = await new Promise<string>((resolve, reject) => {
      const rl = createInterface({ input: child.stdout as NodeJS.ReadableStream });
      rl.once('line', resolve);
      child.once('exit', (code) => reject(new Error(`emulator exited (${code}) before printing its url`)));
    });
    return new EmulatorProcess(child, (JSON.parse(line) as { url: string }).url, apiKey);
  }

  async control<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.url}/__emulator${path}`, {
      method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`emulator ${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}

export interface EmulatorStats {
  totalRequests: number;
  byStatus: Record<string, number>;
  rateLimited: number;
  maxRequestsInWindow?: number;
}
