/**
 * What every AWS SDK v3 client of the functions shares: region and retries from the configuration, and every call
 * bound to the running invocation's remaining time. One module per client (lib/clients/*.ts), so a function's
 * bundle carries only the SDK clients it uses. Endpoints come from the SDK's own AWS_ENDPOINT_URL_<SERVICE>
 * variables, so the same code reaches AWS or the local cloud without a branch.
 */
import type { AwsConfig } from '../config';
import { invocationSignal } from '../invocation';

export function clientConfig(config: Pick<AwsConfig, 'AWS_REGION' | 'AWS_MAX_ATTEMPTS'>) {
  return { region: config.AWS_REGION, maxAttempts: config.AWS_MAX_ATTEMPTS, retryMode: 'standard' as const };
}

/**
 * Every call of the client carries the running invocation's AbortSignal (lib/invocation.ts), unless the caller
 * gives its own options: paginators and adapters stay unaware of it, and nothing outlives the invocation.
 */
export function boundToInvocation<C extends { send: (...args: never[]) => unknown }>(client: C): C {
  const send = client.send.bind(client) as (command: unknown, options?: unknown) => unknown;
  (client as { send: unknown }).send = (command: unknown, options?: unknown) => {
    const signal = invocationSignal();
    if (options !== undefined || signal === undefined) return send(command, options);
    return send(command, { abortSignal: signal });
  };
  return client;
}
