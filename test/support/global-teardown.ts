import { removePackage } from './package';

export default async function globalTeardown(): Promise<void> {
  removePackage();
  await Promise.all(
    (globalThis.__LOCAL_CLOUDS__ ?? []).map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }),
  );
}
