/**
 * The platform as the benchmark drives it: its own process (the load generator must not share an
 * event loop with the server), timers off so that only the measured work runs. Prints one JSON line.
 */
import { startLocalPlatform } from '../local/platform';

async function main() {
  const local = await startLocalPlatform({ port: 0, timers: false, env: { ...process.env, LOG_LEVEL: 'silent' } });
  process.stdout.write(`${JSON.stringify({ url: local.url, adminKey: local.adminKey, cosmosEndpoint: local.stack.cosmosEndpoint })}\n`);
  const stop = async () => {
    await local.stop();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
