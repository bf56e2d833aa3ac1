/**
 * Lambda's invoke path for the benchmark, in process: `POST /2015-03-31/functions/<name>/invocations` on 127.0.0.1
 * calls the function's handler in this process (with a Lambda context: its name, its timeout), so that what an
 * invocation sends through the functions' own SDK clients is counted by bench/aws-calls.ts. What serverless
 * offline answers the local event delivery, this answers too: the handler's result as the payload, a thrown error
 * as `X-Amz-Function-Error: Unhandled` with `{ errorType, errorMessage }`, an unknown function 404
 * (ResourceNotFoundException). Every invocation is recorded (its records, the batch item failures it answered).
 *
 * Unlike Lambda, invocations that run at once share one module instance and one set of SDK clients (Lambda gives
 * each its own execution environment): their calls are paced by one pacer, as one container's would be.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { Context } from 'aws-lambda';
import { lambdaContext } from '../local/lambda-context';

export type InvokedHandler = (event: never, context: Context) => Promise<unknown>;

export interface LambdaFunction {
  /** The function's key in serverless.yml (`cognitoSync`): the context names it `workteam-automation-<stage>-<key>`. */
  key: string;
  stage: string;
  timeoutMs: number;
  handler: InvokedHandler;
}

export interface Invocation {
  functionName: string;
  startMs: number;
  endMs: number;
  /** The SQS records of the event (0 for an event that has none). */
  records: number;
  /** `batchItemFailures` of the answer. */
  batchItemFailures: number;
  /** The error's name when the handler threw. */
  error?: string;
}

export interface LambdaEndpoint {
  url: string;
  /** The invocations since the last take, in the order they ended; the record starts empty again. */
  takeInvocations(): Invocation[];
  close(): Promise<void>;
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Serves the given functions by their deployed name (`workteam-automation-local-cognitoSync`). */
export async function startLambdaEndpoint(functions: Record<string, LambdaFunction>): Promise<LambdaEndpoint> {
  let invocations: Invocation[] = [];
  const server = createServer((req, res) => {
    const match = req.method === 'POST' ? INVOKE_PATH.exec(req.url ?? '') : null;
    const name = match ? decodeURIComponent(match[1] as string) : '';
    const fn = functions[name];
    readBody(req)
      .then(async (body) => {
        if (!match || !fn) {
          res.writeHead(404, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ Type: 'User', message: `Function not found: ${name || req.url}` }));
          return;
        }
        const event = JSON.parse(body || '{}') as { Records?: unknown[] };
        const invocation: Invocation = {
          functionName: name,
          startMs: performance.now(),
          endMs: Number.NaN,
          records: Array.isArray(event.Records) ? event.Records.length : 0,
          batchItemFailures: 0,
        };
        let status = 200;
        let payload: unknown;
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        try {
          payload = await fn.handler(
            event as never,
            lambdaContext(fn.key, { stage: fn.stage, timeoutMs: fn.timeoutMs }),
          );
          const failures = (payload as { batchItemFailures?: unknown[] } | undefined)?.batchItemFailures;
          invocation.batchItemFailures = Array.isArray(failures) ? failures.length : 0;
        } catch (error) {
          const { name: errorType = 'Error', message = '' } = error as Error;
          invocation.error = errorType;
          headers['x-amz-function-error'] = 'Unhandled';
          payload = { errorType, errorMessage: message };
          status = 200;
        }
        invocation.endMs = performance.now();
        invocations.push(invocation);
        res.writeHead(status, headers);
        res.end(payload === undefined ? '' : JSON.stringify(payload));
      })
      .catch((error: Error) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: error.message }));
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    takeInvocations() {
      const taken = invocations;
      invocations = [];
      return taken;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
