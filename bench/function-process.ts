/**
 * One function in a process of its own, for the benchmarks that measure a function's memory: its handler behind
 * Lambda's invoke path (bench/lambda-endpoint.ts), with the environment the parent hands over (the local cloud's
 * and serverless.yml's for that function), and a control route the parent reads:
 *
 * - `GET /calls` the AWS calls its SDK clients made since the last read, by `Service Operation` (every client of
 *   the process, every target's: the SDK's Client.prototype.send is counted);
 * - `GET /memory` its peak resident memory (the kernel's maxRSS, MB), its heap after a full garbage collection
 *   (what it keeps between invocations), and its invocations since the last read (their durations).
 *
 * Run as Lambda runs Node: with its old space held to about 90% of the function's memory (the parent passes
 * `--max-old-space-size`), so the collector works as it would under the function's limit; `--expose-gc` for the
 * heap after collection.
 *
 * Prints `READY <invoke URL> <control URL>` on stdout once both listen. Never logs a request's content.
 *
 *   npx tsx bench/function-process.ts <function key> <deployed name> <timeout seconds>
 */
import { createServer } from 'node:http';
import { startLambdaEndpoint } from './lambda-endpoint';

const HANDLERS: Record<string, () => Promise<{ handler: unknown }>> = {
  audit: () => import('../functions/audit'),
  auditTarget: () => import('../functions/audit-target'),
};

async function main(): Promise<void> {
  const [key = '', name = '', timeoutSeconds = '300'] = process.argv.slice(2);
  const load = HANDLERS[key];
  if (!load) throw new Error(`no such function here: ${key}`);
  const calls: Record<string, number> = {};
  // Every SDK client of the process shares this prototype: counting here counts every target's clients.
  const { SNSClient } = await import('@aws-sdk/client-sns');
  const base = Object.getPrototypeOf(SNSClient.prototype) as { send: (...args: unknown[]) => unknown };
  const send = base.send;
  base.send = function counted(this: { config: { serviceId?: string } }, ...args: unknown[]) {
    const command = args[0] as { constructor: { name: string } };
    const call = `${this.config.serviceId ?? 'AWS'} ${command.constructor.name.replace(/Command$/, '')}`;
    calls[call] = (calls[call] ?? 0) + 1;
    return send.apply(this, args);
  };
  const { handler } = await load();
  const endpoint = await startLambdaEndpoint({
    [name]: { key, stage: 'local', timeoutMs: Number(timeoutSeconds) * 1000, handler: handler as never },
  });
  const control = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    if (req.url === '/calls') {
      res.end(JSON.stringify({ ...calls }));
      for (const call of Object.keys(calls)) delete calls[call];
    } else {
      (globalThis as { gc?: () => void }).gc?.();
      res.end(
        JSON.stringify({
          maxRssMb: process.resourceUsage().maxRSS / 1024,
          heapUsedMb: process.memoryUsage().heapUsed / 1024 ** 2,
          invocations: endpoint.takeInvocations().map(({ startMs, endMs, error }) => ({ ms: endMs - startMs, error })),
        }),
      );
    }
  });
  await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', () => resolve()));
  const address = control.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`READY ${endpoint.url} http://127.0.0.1:${port}\n`);
}

main().catch((error: Error) => {
  process.stderr.write(`bench/function-process failed: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
