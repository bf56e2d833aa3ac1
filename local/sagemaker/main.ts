/**
 * Runs the SageMaker emulator as a process: `npx tsx local/sagemaker/main.ts [port]`.
 * Port from the argument or SAGEMAKER_EMULATOR_PORT (default 0: a free port); prints the URL.
 */
import { startSageMakerEmulator } from './index';

async function main(): Promise<void> {
  const port = Number(process.argv[2] ?? process.env.SAGEMAKER_EMULATOR_PORT ?? 0);
  const emulator = await startSageMakerEmulator({
    port,
    host: process.env.SAGEMAKER_EMULATOR_HOST,
    region: process.env.AWS_REGION,
  });
  console.log(`SageMaker emulator listening on ${emulator.url}`);
  const stop = (): void => {
    void emulator.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
