import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface BenchServer {
  url: string;
  adminKey: string;
  cosmosEndpoint: string;
  stop(): Promise<void>;
}

/** The platform in its own process (bench/server.ts): the load generator must not share its event loop. */
export async function startServer(): Promise<BenchServer> {
  // BENCH_PROFILE=1 writes a CPU profile of the platform process (open it in Chrome DevTools).
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${join(__dirname, '..', '..', 'bench', 'results', 'profiles')}`] : [];
  const child = spawn(process.execPath, [...profile, join(__dirname, 'server.js')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the platform exited with ${code}`)));
    createInterface({ input: child.stdout! }).once('line', resolve);
  });
  const info = JSON.parse(line) as Omit<BenchServer, 'stop'>;
  return {
    ...info,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
