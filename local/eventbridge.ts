/**
 * The local EventBridge's front door: `PutEvents` of the EventBridge API (awsJson1_1, `X-Amz-Target:
 * AWSEvents.PutEvents`, what the SDK v3 `EventBridgeClient` sends to `AWS_ENDPOINT_URL_EVENTBRIDGE`), with AWS's
 * checks: at most 10 entries and 256 KiB a request (else the whole request is a ValidationException), and per entry
 * Source, DetailType and Detail (a JSON object) required, no `aws.` source (reserved for AWS), the default bus only
 * (else that entry fails with AWS's ErrorCode and ErrorMessage, and the others go on). Each accepted entry becomes an
 * event as EventBridge delivers it and reaches the bus: it is kept and handed to every subscriber (npm start's local
 * event bus), and so is every event recorded another way (`record`: CloudTrail's events of SageMaker and Cognito).
 * The last 1000 are readable at `GET /_events` (`?source=` filters, newest last) and dropped by `DELETE /_events`:
 * what reached the bus, for tests and for whoever looks at a running stack.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { ApiError } from './sagemaker/errors';

/** An event on the bus, as EventBridge hands it to a rule's target. */
export interface EventBridgeEvent {
  version: '0';
  id: string;
  source: string;
  'detail-type': string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

export interface LocalEventBridgeOptions {
  /** 0 picks a free port. */
  port: number;
  region: string;
  accountId: string;
  /** How many events `GET /_events` keeps; 1000 unless given. */
  keep?: number;
}

export interface LocalEventBridge {
  url: string;
  /** Receives every event that reaches the bus, in order; returns the unsubscribe function. */
  subscribe(listener: (event: EventBridgeEvent) => void): () => void;
  /** Puts an event that reached the bus another way (a CloudTrail recording) on it: kept and handed on. */
  record(event: EventBridgeEvent): void;
  /** The kept events, oldest first. */
  events(filter?: { source?: string }): EventBridgeEvent[];
  clear(): void;
  close(): Promise<void>;
}

const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';
const TARGET = 'AWSEvents.PutEvents';
const MAX_ENTRIES = 10;
const MAX_REQUEST_BYTES = 256 * 1024;
const MAX_BODY_BYTES = 1024 * 1024;

type ResultEntry = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** An entry's size as EventBridge counts it against the request's 256 KiB. */
function entrySize(entry: Record<string, unknown>): number {
  const bytes = (value: unknown) => (typeof value === 'string' ? Buffer.byteLength(value) : 0);
  const resources = Array.isArray(entry.Resources) ? entry.Resources : [];
  return (
    (entry.Time === undefined ? 0 : 14) +
    bytes(entry.Source) +
    bytes(entry.DetailType) +
    bytes(entry.Detail) +
    resources.reduce((sum: number, resource) => sum + bytes(resource), 0)
  );
}

/** How AWS names the entries in the message of a too long request. */
function describeEntry(entry: unknown): string {
  const e = isObject(entry) ? entry : {};
  const show = (value: unknown) => (value === undefined || value === null ? 'null' : String(value));
  return (
    `PutEventsRequestEntry(time=${show(e.Time)}, source=${show(e.Source)}, resources=${show(e.Resources)}, ` +
    `detailType=${show(e.DetailType)}, detail=${show(e.Detail)}, eventBusName=${show(e.EventBusName)}, ` +
    'traceHeader=null, kmsKeyIdentifier=null, internalMetadata=null)'
  );
}

function isDefaultBus(name: unknown): boolean {
  return (
    name === undefined ||
    name === null ||
    name === '' ||
    name === 'default' ||
    /:event-bus\/default$/.test(String(name))
  );
}

/** The time of an entry: its `Time` (epoch seconds, as the SDK sends it, or a date text), else now; whole seconds. */
function eventTime(time: unknown): string {
  const date =
    typeof time === 'number' ? new Date(time * 1000) : typeof time === 'string' ? new Date(time) : new Date(Number.NaN);
  const valid = Number.isNaN(date.getTime()) ? new Date() : date;
  return valid.toISOString().replace(/\.\d+Z$/, 'Z');
}

export async function startLocalEventBridge(options: LocalEventBridgeOptions): Promise<LocalEventBridge> {
  const keep = options.keep ?? 1000;
  const listeners = new Set<(event: EventBridgeEvent) => void>();
  let kept: EventBridgeEvent[] = [];

  const record = (event: EventBridgeEvent): void => {
    kept.push(event);
    if (kept.length > keep) kept = kept.slice(kept.length - keep);
    for (const listener of listeners) {
      try {
        listener(event);
      } catch {
        // a subscriber's failure is its own: the event reached the bus
      }
    }
  };

  const accept = (entry: unknown): ResultEntry => {
    const e = isObject(entry) ? entry : {};
    const invalid = (parameter: string) => ({
      ErrorCode: 'InvalidArgument',
      ErrorMessage: `Parameter ${parameter} is not valid. Reason: ${parameter} is a required argument.`,
    });
    if (typeof e.Source !== 'string' || e.Source === '') return invalid('Source');
    if (typeof e.DetailType !== 'string' || e.DetailType === '') return invalid('DetailType');
    if (typeof e.Detail !== 'string' || e.Detail === '') return invalid('Detail');
    let detail: unknown;
    try {
      detail = JSON.parse(e.Detail);
    } catch {
      detail = undefined;
    }
    if (!isObject(detail)) return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    if (e.Source.startsWith('aws.')) {
      return { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' };
    }
    if (!isDefaultBus(e.EventBusName)) {
      // AWS takes an entry for a bus that does not exist and drops it; here no other bus can exist, so say so.
      return {
        ErrorCode: 'InvalidArgument',
        ErrorMessage: `Parameter EventBusName is not valid. Reason: the local EventBridge has the default event bus only, not '${String(e.EventBusName)}'.`,
      };
    }
    const event: EventBridgeEvent = {
      version: '0',
      id: randomUUID(),
      source: e.Source,
      'detail-type': e.DetailType,
      account: options.accountId,
      time: eventTime(e.Time),
      region: options.region,
      resources: Array.isArray(e.Resources) ? e.Resources.filter((r): r is string => typeof r === 'string') : [],
      detail,
    };
    record(event);
    return { EventId: event.id };
  };

  const putEvents = (body: string): { FailedEntryCount: number; Entries: ResultEntry[] } => {
    let request: unknown;
    try {
      request = body.trim() === '' ? {} : JSON.parse(body);
    } catch {
      throw new ApiError('SerializationException', 'Malformed JSON in the request body');
    }
    const entries = isObject(request) ? request.Entries : undefined;
    if (entries === undefined || entries === null) {
      throw new ApiError(
        'ValidationException',
        "1 validation error detected: Value null at 'entries' failed to satisfy constraint: Member must not be null",
      );
    }
    if (!Array.isArray(entries)) throw new ApiError('SerializationException', "Expected a list at 'Entries'");
    if (entries.length < 1 || entries.length > MAX_ENTRIES) {
      const bound = entries.length < 1 ? 'greater than or equal to 1' : `less than or equal to ${MAX_ENTRIES}`;
      throw new ApiError(
        'ValidationException',
        `1 validation error detected: Value '[${entries.map(describeEntry).join(', ')}]' at 'entries' failed to satisfy constraint: Member must have length ${bound}`,
      );
    }
    const size = entries.reduce((sum: number, entry) => sum + (isObject(entry) ? entrySize(entry) : 0), 0);
    if (size > MAX_REQUEST_BYTES) {
      throw new ApiError('ValidationException', 'Total size of the entries in the request is over the limit.');
    }
    const results = entries.map(accept);
    return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
  };

  const events = (filter: { source?: string } = {}) =>
    kept.filter((event) => filter.source === undefined || event.source === filter.source);

  const handle = (req: IncomingMessage, res: ServerResponse, body: string): void => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const json = (status: number, value: unknown, headers: Record<string, string> = {}) => {
      const text = JSON.stringify(value);
      res.writeHead(status, { 'content-length': Buffer.byteLength(text), ...headers });
      res.end(text);
    };
    if (url.pathname === '/_events') {
      if (req.method === 'GET') {
        json(200, events({ source: url.searchParams.get('source') ?? undefined }), {
          'content-type': 'application/json',
        });
      } else if (req.method === 'DELETE') {
        kept = [];
        res.writeHead(204).end();
      } else json(405, { message: 'GET or DELETE /_events' }, { 'content-type': 'application/json' });
      return;
    }
    const requestId = randomUUID();
    try {
      const target = req.headers['x-amz-target'];
      if (req.method !== 'POST' || target !== TARGET) {
        throw new ApiError(
          'UnknownOperationException',
          `The local EventBridge answers ${TARGET} only, not ${target ? String(target) : 'a request without X-Amz-Target'}`,
        );
      }
      json(200, putEvents(body), { 'content-type': JSON_CONTENT_TYPE, 'x-amzn-requestid': requestId });
    } catch (error) {
      const apiError = error instanceof ApiError ? error : new ApiError('InternalException', String(error), 500);
      json(
        apiError.status,
        { __type: apiError.type, message: apiError.message },
        { 'content-type': JSON_CONTENT_TYPE, 'x-amzn-requestid': requestId, 'x-amzn-errortype': apiError.type },
      );
    }
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        res.writeHead(413).end();
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;

  return {
    url: `http://127.0.0.1:${port}`,
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    record,
    events,
    clear() {
      kept = [];
    },
    async close() {
      listeners.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
