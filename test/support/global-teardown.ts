import { removePackage } from './package';

export default async function globalTeardown(): Promise<void> {
  removePackage();
  const child = globalThis.__LOCAL_CLOUD__;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
