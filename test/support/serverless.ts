/** Runs the project's own Serverless Framework (osls) offline, as a user would from the shell. */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { serverlessOfflineNodeArgs } from '../../local/event-bus';
import { reservePort, waitForPort } from '../../local/ports';

const run = promisify(execFile);
export const projectRoot = resolve(__dirname, '../..');

let runs = 0;

/**
 * A bundling folder of this run's own (serverless.yml's `custom.esbuild.outputWorkFolder`): a package removes its
 * folder when it is done, which must never be the one a serverless offline of another worker, or of `npm start`,
 * is running from.
 */
function workFolder(): string {
  runs += 1;
  return `.esbuild/test-${process.pid}-${runs}`;
}

export async function serverless(args: string[], env: Record<string, string | undefined> = {}) {
  const folder = workFolder();
  try {
    return await run(process.execPath, [resolve(projectRoot, 'node_modules/osls/bin/serverless.js'), ...args], {
      cwd: projectRoot,
      env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_ESBUILD_WORK_FOLDER: folder, ...env },
      maxBuffer: 64 * 1024 * 1024,
      timeout: 120_000,
    });
  } finally {
    rmSync(resolve(projectRoot, folder), { recursive: true, force: true });
  }
}

export interface Offline {
  apiUrl: string;
  /** serverless offline's Lambda invoke endpoint. */
  lambdaUrl: string;
  /** Resolves once the HTTP API listens (bundling takes a while); rejects with offline's output if it does not. */
  ready: Promise<void>;
  /** What offline printed so far, for a failure's message. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * `serverless offline` of the local stage on free ports, as `npm start` runs it, with the given environment: with
 * the module hook that fixes serverless-offline 13's timed-out functions (serverlessOfflineNodeArgs), so that a
 * function that timed out once does not hang its later calls.
 */
export async function startOffline(env: Record<string, string>): Promise<Offline> {
  const httpPort = await reservePort(0, 'offline HTTP');
  const lambdaPort = await reservePort(0, 'offline Lambda');
  const args = [
    'offline',
    'start',
    '--stage',
    'local',
    '--httpPort',
    String(httpPort),
    '--lambdaPort',
    String(lambdaPort),
  ];
  const folder = workFolder();
  const offline: ChildProcess = spawn(
    process.execPath,
    [...serverlessOfflineNodeArgs(), resolve(projectRoot, 'node_modules/osls/bin/serverless.js'), ...args],
    {
      cwd: projectRoot,
      env: {
        ...process.env,
        ...env,
        POWERTOOLS_LOG_LEVEL: 'SILENT',
        SLS_TELEMETRY_DISABLED: '1',
        SLS_ESBUILD_WORK_FOLDER: folder,
      },
    },
  );
  let output = '';
  offline.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  offline.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const ready = waitForPort(httpPort, 90_000).catch((error: Error) => {
    throw new Error(`serverless offline did not start: ${error.message}\n${output}`);
  });
  ready.catch(() => undefined);
  return {
    apiUrl: `http://127.0.0.1:${httpPort}`,
    lambdaUrl: `http://127.0.0.1:${lambdaPort}`,
    ready,
    output: () => output,
    async stop() {
      if (offline.exitCode === null && offline.signalCode === null) {
        const exited = new Promise((done) => offline.once('exit', done));
        offline.kill('SIGINT');
        await exited;
      }
      rmSync(resolve(projectRoot, folder), { recursive: true, force: true });
    },
  };
}
