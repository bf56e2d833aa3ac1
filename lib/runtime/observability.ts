/**
 * The one place that builds the Powertools logger, metrics and tracer; every function imports these. Every log
 * line is masked here, once, by the logger's formatter: an e-mail address in a message, an attribute, an error's
 * message or stack never reaches the logs (the rule is lib/domain/privacy.ts), so call sites log what they have.
 */
import { LogFormatter, Logger, LogItem } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { redactDeep } from '../domain/privacy';

const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 'workteam-automation';

/** Powertools' own log format (its keys, in its order), with every string of the line masked. */
export class MaskingLogFormatter extends LogFormatter {
  formatAttributes(attributes: UnformattedAttributes, additional: LogAttributes): LogItem {
    const base: LogAttributes = {
      level: attributes.logLevel,
      message: attributes.message,
      timestamp: this.formatTimestamp(attributes.timestamp),
      service: attributes.serviceName,
      cold_start: attributes.lambdaContext?.coldStart,
      function_arn: attributes.lambdaContext?.invokedFunctionArn,
      function_memory_size: attributes.lambdaContext?.memoryLimitInMB,
      function_name: attributes.lambdaContext?.functionName,
      function_request_id: attributes.lambdaContext?.awsRequestId,
      sampling_rate: attributes.sampleRateValue,
      xray_trace_id: attributes.xRayTraceId,
    };
    return new LogItem({ attributes: redactDeep(this.#plain({ ...base, ...additional })) as LogAttributes });
  }

  /** Errors anywhere in the line as Powertools writes them (name, message, stack, cause), so they are masked too. */
  #plain(value: unknown): unknown {
    if (value instanceof Error) return this.#plain(this.formatError(value));
    if (value instanceof Date) return value.toISOString();
    if (Array.isArray(value)) return value.map((entry) => this.#plain(entry));
    if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
      return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, this.#plain(entry)]));
    }
    return value;
  }
}

export const logger = new Logger({ serviceName, logFormatter: new MaskingLogFormatter() });
export const metrics = new Metrics({
  serviceName,
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'WorkteamAutomation',
});
export const tracer = new Tracer({ serviceName });
