/**
 * Starts one local cloud for the whole test run, on free ports (so it also runs while `npm start` is up),
 * as a child process exactly like `npm start` runs it, and exports its environment to the tests.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';

declare global {
  var __LOCAL_CLOUD__: ChildProcess | undefined;
}

export default async function globalSetup(): Promise<void> {
  const root = resolve(__dirname, '../..');
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(root, 'local/serve.ts')], {
    cwd: root,
    env: { ...process.env, LOCAL_PORTS: 'ephemeral', NODE_NO_WARNINGS: '1' },
    // stdin stays open: when this test run dies, the pipe closes and the local cloud stops itself.
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  globalThis.__LOCAL_CLOUD__ = child;
  const env = await new Promise<Record<string, string>>((resolveEnv, reject) => {
    const timer = setTimeout(() => reject(new Error('the local cloud did not start within 60 s')), 60_000);
    child.once('exit', (code) => reject(new Error(`the local cloud exited with code ${code} before it was ready`)));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      if (line.startsWith('LOCAL_CLOUD_READY ')) {
        clearTimeout(timer);
        resolveEnv(JSON.parse(line.slice('LOCAL_CLOUD_READY '.length)) as Record<string, string>);
      }
    });
  });
  Object.assign(process.env, env, { LOCAL_CLOUD_ENV: JSON.stringify(env) });
}
