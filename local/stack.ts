import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { dirname, join } from 'node:path';

/** The Cosmos DB emulator's published development key: the stand-in accepts it, nothing real does. */
export const LOCAL_COSMOS_KEY = 'C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU9DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==';
/** Azurite's published development account. */
const AZURITE_ACCOUNT = 'devstoreaccount1';
const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface StackEndpoints {
  cosmosEndpoint: string;
  blobConnectionString: string;
  blobServiceUri: string;
}

export interface EmbeddedStack extends StackEndpoints {
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, name: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode} before listening`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${name} did not listen on port ${port} within ${timeoutMs} ms`);
}

function packageBin(pkg: string, relative: string): string {
  return join(dirname(require.resolve(`${pkg}/package.json`)), relative);
}

const children = new Set<ChildProcess>();
// If this process ends without stopping the stack, the servers go with it.
process.once('exit', () => children.forEach((c) => c.kill('SIGKILL')));

function start(name: string, args: string[]): ChildProcess {
  // Run with node itself (not npx), so stopping the child stops the server.
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  child.once('exit', (code, signal) => {
    children.delete(child);
    if (code && !signal) process.stderr.write(`${name} exited with code ${code}\n${stderr}\n`);
  });
  children.add(child);
  return child;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
    child.once('exit', () => (clearTimeout(timer), resolve()));
    child.kill('SIGTERM');
  });
}

/**
 * Starts the local stand-ins on free ports, in processes of their own: the Cosmos DB server
 * (in memory, plain HTTP) and Azurite's blob service (in memory). There is no local Service Bus:
 * the local host brings an in-process bus instead.
 */
export async function startEmbeddedStack(ports: { cosmos?: number; blob?: number } = {}): Promise<EmbeddedStack> {
  const cosmosPort = ports.cosmos ?? (await freePort());
  const blobPort = ports.blob ?? (await freePort());
  // Its CLI answers every request with `connection: close`; the library's keep-alive option avoids a
  // new TCP connection per operation, as Azure's endpoint does.
  const server = `require(${JSON.stringify(packageBin('@vercel/cosmosdb-server', 'lib/index.js'))})`;
  const cosmos = start('cosmosdb-server', ['-e', `${server}.createHttpServer({ keepAlive: true }).listen(${cosmosPort}, '127.0.0.1')`]);
  const azurite = start('azurite-blob', [
    packageBin('azurite', 'dist/src/blob/main.js'),
    '--blobHost',
    '127.0.0.1',
    '--blobPort',
    String(blobPort),
    '--inMemoryPersistence',
    '--skipApiVersionCheck',
    '--disableTelemetry',
    '--silent',
  ]);
  try {
    await Promise.all([waitForPort(cosmosPort, cosmos, 'cosmosdb-server'), waitForPort(blobPort, azurite, 'azurite-blob')]);
  } catch (error) {
    await Promise.all([stopChild(cosmos), stopChild(azurite)]);
    throw error;
  }
  const blobServiceUri = `http://127.0.0.1:${blobPort}/${AZURITE_ACCOUNT}`;
  return {
    cosmosEndpoint: `http://127.0.0.1:${cosmosPort}/`,
    blobServiceUri,
    blobConnectionString: `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};BlobEndpoint=${blobServiceUri};`,
    stop: async () => {
      await Promise.all([stopChild(cosmos), stopChild(azurite)]);
    },
  };
}
