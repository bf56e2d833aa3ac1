/**
 * The one place that builds the Powertools logger, metrics and tracer; every function imports these. Every log
 * line is masked here, once: the logger's JSON replacer masks each string it writes (the message, attributes at any
 * depth, an error's message and stack), so an e-mail address never reaches the logs (the rule is
 * lib/domain/privacy.ts) and call sites log what they have.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { redactEmailAddresses } from '../domain/privacy';

const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 'workteam-automation';

/** Runs on every value of a log line as it is written (errors arrive as their fields): strings come out masked. */
function maskedLogValue(_key: string, value: unknown): unknown {
  return typeof value === 'string' ? redactEmailAddresses(value) : value;
}

export const logger = new Logger({ serviceName, jsonReplacerFn: maskedLogValue });
export const metrics = new Metrics({
  serviceName,
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'WorkteamAutomation',
});
export const tracer = new Tracer({ serviceName });
