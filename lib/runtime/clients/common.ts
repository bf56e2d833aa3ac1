/**
 * What every AWS SDK v3 client of the functions shares: region and retries from the configuration, and every call
 * bound to the running invocation's remaining time. One module per client (lib/runtime/clients/*.ts), so a function's
 * bundle carries only the SDK clients it uses. Endpoints come from the SDK's own AWS_ENDPOINT_URL_<SERVICE>
 * variables, so the same code reaches AWS or the local cloud without a branch.
 */
import { SERVICE_ID } from '../aws-errors';
import type { AwsConfig } from '../config';
import { invocationSignal } from '../invocation';
import { type ConfiguredTarget, credentialsOf } from '../targets';

/**
 * `standard` retries; `adaptive` (for the services whose request-rate quotas the sync and the audit meet at scale:
 * SNS, Cognito) also paces the client's own calls once it is throttled, so a burst slows down instead of using up
 * its retries against the quota.
 */
export function clientConfig(
  config: Pick<AwsConfig, 'AWS_REGION' | 'AWS_MAX_ATTEMPTS'>,
  retryMode: 'standard' | 'adaptive' = 'standard',
) {
  return { region: config.AWS_REGION, maxAttempts: config.AWS_MAX_ATTEMPTS, retryMode };
}

/**
 * The configuration of a client acting in a target (lib/runtime/targets.ts): the target's region, and the credentials
 * of its role unless it is the hub.
 */
export function targetClientConfig(
  config: Pick<AwsConfig, 'AWS_REGION' | 'AWS_MAX_ATTEMPTS'>,
  target: ConfiguredTarget,
  retryMode: 'standard' | 'adaptive' = 'standard',
) {
  const credentials = credentialsOf(target, config);
  return {
    ...clientConfig(config, retryMode),
    region: target.region,
    ...(credentials === undefined ? {} : { credentials }),
  };
}

/**
 * Every call of the client carries the running invocation's AbortSignal (lib/runtime/invocation.ts), unless the caller
 * gives its own options: paginators and adapters stay unaware of it, and nothing outlives the invocation. Every
 * error it raises names its service (`serviceOf` in lib/runtime/aws-errors.ts), so that a reason can say which service
 * throttled.
 */
export function boundToInvocation<
  C extends { send: (...args: never[]) => unknown; config: { serviceId?: string }; middlewareStack: unknown },
>(client: C): C {
  namingServiceInErrors(client);
  const send = client.send.bind(client) as (command: unknown, options?: unknown) => unknown;
  (client as { send: unknown }).send = (command: unknown, options?: unknown) => {
    const signal = invocationSignal();
    if (options !== undefined || signal === undefined) return send(command, options);
    return send(command, { abortSignal: signal });
  };
  return client;
}

type Middleware = (next: (args: unknown) => Promise<unknown>) => (args: unknown) => Promise<unknown>;

function namingServiceInErrors(client: { config: { serviceId?: string }; middlewareStack: unknown }): void {
  const service = client.config.serviceId;
  const middleware: Middleware = (next) => async (args) => {
    try {
      return await next(args);
    } catch (error) {
      if (error instanceof Error && service) Object.assign(error, { [SERVICE_ID]: service });
      throw error;
    }
  };
  (client.middlewareStack as { add: (middleware: Middleware, options: object) => void }).add(middleware, {
    step: 'initialize',
    name: 'name-service-in-errors',
  });
}
