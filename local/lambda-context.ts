/**
 * A Lambda context with the usual fields, for invoking a handler in process as `serverless invoke local` does
 * (the tests and the benchmarks): the function's name under the stack's naming, and the time it has left.
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

export function lambdaContext(functionName: string, options: { stage: string; timeoutMs: number }): Context {
  const deadline = Date.now() + options.timeoutMs;
  const name = `workteam-automation-${options.stage}-${functionName}`;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: options.stage,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
