/**
 * Starts one local cloud per jest worker, side by side, on free ports (so it also runs while `npm start` is
 * up), each a child process exactly like `npm start` runs it. A worker's test files use its own cloud
 * (`test/support/env.ts` picks it by JEST_WORKER_ID): the emulators' knobs (held calls, injected faults,
 * latency) and SageMaker's limit of 25 teams are then the business of one test file at a time, as they were
 * when every file ran in one process.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Config } from '@jest/types';
import { removePackage } from './package';

declare global {
  var __LOCAL_CLOUDS__: ChildProcess[] | undefined;
}

const root = resolve(__dirname, '../..');

function startCloud(): { child: ChildProcess; ready: Promise<Record<string, string>> } {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(root, 'local/serve.ts')], {
    cwd: root,
    env: { ...process.env, LOCAL_PORTS: 'ephemeral', NODE_NO_WARNINGS: '1' },
    // stdin stays open: when this test run dies, the pipe closes and the local cloud stops itself.
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const ready = new Promise<Record<string, string>>((resolveEnv, reject) => {
    const timer = setTimeout(() => reject(new Error('the local cloud did not start within 60 s')), 60_000);
    child.once('exit', (code) => reject(new Error(`the local cloud exited with code ${code} before it was ready`)));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      if (line.startsWith('LOCAL_CLOUD_READY ')) {
        clearTimeout(timer);
        resolveEnv(JSON.parse(line.slice('LOCAL_CLOUD_READY '.length)) as Record<string, string>);
      }
    });
  });
  return { child, ready };
}

export default async function globalSetup(globalConfig: Config.GlobalConfig): Promise<void> {
  const workers = Math.max(1, globalConfig.maxWorkers);
  const clouds = Array.from({ length: workers }, startCloud);
  globalThis.__LOCAL_CLOUDS__ = clouds.map((cloud) => cloud.child);
  const envs = await Promise.all(clouds.map((cloud) => cloud.ready));
  // Workers are started after this and inherit the environment; the run's id names what they share (the package).
  process.env.TEST_RUN_ID = String(process.pid);
  removePackage();
  envs.forEach((env, index) => {
    process.env[`LOCAL_CLOUD_ENV_${index + 1}`] = JSON.stringify(env);
  });
}
