/** Runs the project's own Serverless Framework (osls) offline, as a user would from the shell. */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const projectRoot = resolve(__dirname, '../..');

export async function serverless(args: string[], env: Record<string, string | undefined> = {}) {
  return run(process.execPath, [resolve(projectRoot, 'node_modules/osls/bin/serverless.js'), ...args], {
    cwd: projectRoot,
    env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', ...env },
    maxBuffer: 64 * 1024 * 1024,
    timeout: 120_000,
  });
}
