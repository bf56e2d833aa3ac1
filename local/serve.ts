/**
 * Runs the local cloud alone, for the test suite and for tools: starts it (ports from LOCAL_PORTS=ephemeral
 * or the defaults), prints one line `LOCAL_CLOUD_READY <json env>` and runs until SIGTERM/SIGINT.
 */
import { DEFAULT_PORTS, EPHEMERAL_PORTS, startLocalCloud } from './cloud';

async function main(): Promise<void> {
  const ports = process.env.LOCAL_PORTS === 'ephemeral' ? EPHEMERAL_PORTS : DEFAULT_PORTS;
  const cloud = await startLocalCloud({ ports, apiUrl: process.env.API_URL ?? 'http://127.0.0.1:3000' });
  process.stdout.write(`LOCAL_CLOUD_READY ${JSON.stringify(cloud.env)}\n`);
  const stop = () => {
    cloud.stop().finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  // The parent (a test run) going away must not leave the emulators behind.
  process.stdin.on('end', stop);
  process.stdin.resume();
}

main().catch((error: Error) => {
  process.stderr.write(`local cloud failed to start: ${error.message}\n`);
  process.exit(1);
});
