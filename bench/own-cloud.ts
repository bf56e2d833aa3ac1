/**
 * A benchmark run on its own (`npm run bench:storm`, `bench:resync`, `bench:audit`): a local cloud of its own on
 * free ports, stopped however the run ends (a signal included: cognito-local is a child process that would outlive
 * it), and the process's exit code saying how it went.
 */
import { EPHEMERAL_PORTS, type LocalCloud, type LocalCloudOptions, startLocalCloud } from '../local/cloud';
import { progress } from './aws-calls';

export function runWithOwnCloud(
  name: string,
  measure: (cloud: LocalCloud) => Promise<void>,
  options: Pick<LocalCloudOptions, 'extraTargets'> = {},
): void {
  (async () => {
    progress(`${name}: starting a local cloud of its own`);
    const cloud = await startLocalCloud({ ports: EPHEMERAL_PORTS, apiUrl: 'http://127.0.0.1:0', ...options });
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        cloud.stop().finally(() => process.exit(130));
      });
    }
    try {
      await measure(cloud);
    } finally {
      await cloud.stop();
    }
  })().then(
    () => process.exit(0),
    (error: Error) => {
      process.stderr.write(`bench/${name} failed: ${error.stack ?? error.message}\n`);
      process.exit(1);
    },
  );
}
