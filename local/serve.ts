/**
 * Runs the local cloud alone, for the test suite and for tools: starts it (ports from LOCAL_PORTS=ephemeral
 * or the defaults), prints one line `LOCAL_CLOUD_READY <json env>` and runs until SIGTERM/SIGINT.
 */
import { DEFAULT_PORTS, EPHEMERAL_PORTS, startLocalCloud } from './cloud';

/**
 * Ports chosen at random are checked free, then bound a moment later: another local cloud starting beside this one
 * (one per test worker) may take one in between. Such a start fails cleanly (everything started is stopped) and is
 * tried again with other ports; fixed ports are not (a clash with them is the user's to fix).
 */
const EPHEMERAL_ATTEMPTS = 3;

async function start() {
  const ephemeral = process.env.LOCAL_PORTS === 'ephemeral';
  const options = {
    ports: ephemeral ? EPHEMERAL_PORTS : DEFAULT_PORTS,
    apiUrl: process.env.API_URL ?? 'http://127.0.0.1:3000',
  };
  for (let attempt = 1; ; attempt++) {
    try {
      return await startLocalCloud(options);
    } catch (error) {
      if (!ephemeral || attempt >= EPHEMERAL_ATTEMPTS) throw error;
      process.stderr.write(`local cloud start ${attempt} failed (${(error as Error).message}); trying other ports\n`);
    }
  }
}

async function main(): Promise<void> {
  const cloud = await start();
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
