/**
 * What the logger really writes: its formatted lines, as CloudWatch Logs would hold them, captured from stdout and
 * stderr. The log level is SILENT in tests; a test that reads the logs turns it up while it captures.
 */
import type { Logger } from '@aws-lambda-powertools/logger';

export interface LogCapture {
  /** Every line written since the capture began or was last cleared. */
  text(): string;
  clear(): void;
  restore(): void;
}

export function captureLogOutput(logger: Logger): LogCapture {
  const written: string[] = [];
  const level = logger.getLevelName();
  logger.setLogLevel('DEBUG');
  // Each invocation would set the level back to the configured one (SILENT): not while capturing.
  const keepLevel = jest.spyOn(logger, 'refreshSampleRateCalculation').mockImplementation(() => undefined);
  const spies = [process.stdout, process.stderr].map((stream) =>
    jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    }),
  );
  return {
    text: () => written.join(''),
    clear: () => {
      written.length = 0;
    },
    restore: () => {
      for (const spy of spies) spy.mockRestore();
      keepLevel.mockRestore();
      logger.setLogLevel(level);
    },
  };
}
