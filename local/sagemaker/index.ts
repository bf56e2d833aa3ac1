import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { callScope } from '../caller-identity';
import { readBody as readWholeBody } from '../http-server';
import { DEFAULT_BEHAVIOUR, type EmulatorBehaviour, parseBehaviour } from './behaviour';
import { type CallerIdentity, type CloudTrailEvent, cloudTrailEvent, RECORDED_OPERATIONS } from './cloudtrail';
import { ApiError } from './errors';
import { isRecord, type Json } from './input';
import { SageMakerState } from './state';

export type { EmulatorBehaviour } from './behaviour';
export type { CallerIdentity, CloudTrailEvent } from './cloudtrail';

export interface SageMakerEmulatorOptions {
  /** 0 = a free port (default). */
  port?: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /** The region of a call whose signature names none. Default 'us-east-1'. */
  region?: string;
  /** The account of every key but a target's temporary one (`ASIA<account>…`). Default '000000000000'. */
  accountId?: string;
  /**
   * Who signs with which access key, for the CloudTrail events: a key not listed here is an IAM user named by the
   * key (or a target role's session, for a temporary key). The local cloud maps the functions' key to their
   * assumed role, and its STS adds the sessions it issues: read at every call, never copied.
   */
  identities?: Readonly<Record<string, CallerIdentity>>;
}

export interface EmulatorKnobs {
  latencyMs: number;
  /** 0..1 share of calls answered ThrottlingException. */
  throttleRate: number;
  /** 0..1 share of calls answered 500/503. */
  serverErrorRate: number;
}

export interface SageMakerEmulator {
  url: string;
  port: number;
  setKnobs(knobs: Partial<EmulatorKnobs>): void;
  /** Picks what the emulator does where SageMaker's documentation is silent (behaviour.ts); reset() restores it. */
  setBehaviour(behaviour: Partial<EmulatorBehaviour>): void;
  /**
   * Per operation name, e.g. { ListWorkteams: 3 }, counting every call received (also throttled ones); with a
   * scope, only the calls made in that account and region.
   */
  callCounts(scope?: { account: string; region: string }): Record<string, number>;
  resetCallCounts(): void;
  /**
   * The next `count` calls of `operation` answer `errorType` (status 400 unless given): a refusal the
   * project's own validation cannot foresee, for tests of rollback. Cleared by reset().
   */
  injectFault(fault: Fault): void;
  /**
   * The next `count` calls of `operation` wait (counted, before any knob or fault applies) until released one
   * by one, oldest first: tests put two attempts at exactly the interleaving they mean.
   */
  hold(operation: string, count?: number): void;
  /** Releases the oldest waiting call of `operation`; false when none waits. */
  release(operation: string): boolean;
  /** How many calls of each operation wait now. */
  waiting(): Record<string, number>;
  /** Calls being answered right now, and the most there were at once since the counts were reset. */
  inFlight(): { current: number; max: number };
  /**
   * Receives an "AWS API Call via CloudTrail" event for every CreateWorkteam, UpdateWorkteam and DeleteWorkteam
   * call answered (a refused one, throttled and injected faults included, with errorCode and errorMessage), right
   * after the answer is sent; returns the unsubscribe function. A listener's exception never reaches the call.
   */
  subscribe(listener: (event: CloudTrailEvent) => void): () => void;
  /**
   * Drops all state (teams, workforces, tags, of every account and region); knobs back to 0, counts to 0, the
   * default behaviour. Subscriptions stay.
   */
  reset(): void;
  close(): Promise<void>;
}

export interface Fault {
  operation: string;
  errorType: string;
  message: string;
  count?: number;
  status?: number;
}

function parseFault(value: unknown): Required<Fault> {
  if (!isRecord(value)) throw new RangeError('a fault must be a JSON object');
  const { operation, errorType, message, count = 1, status = 400 } = value;
  if (typeof operation !== 'string' || typeof errorType !== 'string' || typeof message !== 'string') {
    throw new RangeError('a fault needs operation, errorType and message strings');
  }
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1)
    throw new RangeError('count must be a whole number >= 1');
  if (typeof status !== 'number' || status < 400 || status > 599) throw new RangeError('status must be 400..599');
  return { operation, errorType, message, count, status };
}

/** How a call was answered: the operation's result, or the error on the wire. */
type Outcome = { result: Json } | { error: ApiError };

/** The request body as CloudTrail would record it: a JSON object, or nothing. */
function jsonObject(body: string): Json | undefined {
  try {
    const parsed: unknown = body.trim() === '' ? {} : JSON.parse(body);
    return isRecord(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';
const TARGET_PREFIX = 'SageMaker.';
const MAX_BODY_BYTES = 10 * 1024 * 1024;
const NO_KNOBS: Readonly<EmulatorKnobs> = { latencyMs: 0, throttleRate: 0, serverErrorRate: 0 };

/** Validates a partial knob set (from code or from the control plane); throws a RangeError when invalid. */
function parseKnobs(value: unknown): Partial<EmulatorKnobs> {
  if (!isRecord(value)) throw new RangeError('knobs must be a JSON object');
  const knobs: Partial<EmulatorKnobs> = {};
  for (const [key, knob] of Object.entries(value)) {
    if (key !== 'latencyMs' && key !== 'throttleRate' && key !== 'serverErrorRate') {
      throw new RangeError(`unknown knob '${key}'`);
    }
    if (typeof knob !== 'number' || !Number.isFinite(knob) || knob < 0) {
      throw new RangeError(`knob '${key}' must be a finite number >= 0`);
    }
    if (key !== 'latencyMs' && knob > 1) throw new RangeError(`knob '${key}' must be between 0 and 1`);
    knobs[key] = knob;
  }
  return knobs;
}

/** The body as text, at most MAX_BODY_BYTES (a SerializationException past it, as AWS answers). */
async function readBody(req: IncomingMessage): Promise<string> {
  const tooLarge = () => new ApiError('SerializationException', 'Request body too large', 413);
  return (await readWholeBody(req, { maxBytes: MAX_BODY_BYTES, tooLarge })).toString('utf8');
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body?: string): void {
  if (res.headersSent || res.destroyed) return;
  const allHeaders: Record<string, string | number> = { ...headers };
  if (body !== undefined) allHeaders['Content-Length'] = Buffer.byteLength(body);
  res.writeHead(status, allHeaders);
  res.end(body);
}

function sendApiError(res: ServerResponse, requestId: string, error: ApiError): void {
  send(
    res,
    error.status,
    { 'Content-Type': JSON_CONTENT_TYPE, 'x-amzn-RequestId': requestId, 'x-amzn-ErrorType': error.type },
    JSON.stringify({ __type: error.type, Message: error.message }),
  );
}

/**
 * Starts a wire-compatible (awsJson1_1) SageMaker emulator for work teams, workforces and tags, with state per
 * account and region: the account of the request's access key (a target's temporary key names its own; any other
 * key is `accountId`'s), the region of its SigV4 signature. Knobs, faults, holds and the behaviour apply to all.
 */
export async function startSageMakerEmulator(options: SageMakerEmulatorOptions = {}): Promise<SageMakerEmulator> {
  const host = options.host ?? '127.0.0.1';
  const trail = {
    region: options.region ?? 'us-east-1',
    accountId: options.accountId ?? '000000000000',
    identities: options.identities ?? {},
  };
  let behaviour: EmulatorBehaviour = { ...DEFAULT_BEHAVIOUR };
  /** Each account's and region's teams, workforce and tags, by `<account>/<region>`, made at its first call. */
  let states = new Map<string, SageMakerState>();
  const stateOf = (scope: { account: string; region: string }): SageMakerState => {
    const key = `${scope.account}/${scope.region}`;
    let state = states.get(key);
    if (!state) {
      state = new SageMakerState(scope.region, scope.account, () => behaviour);
      states.set(key, state);
    }
    return state;
  };
  const scopeOf = (req: IncomingMessage) =>
    callScope(req.headers.authorization, { account: trail.accountId, region: trail.region });
  const listeners = new Set<(event: CloudTrailEvent) => void>();
  let knobs: EmulatorKnobs = { ...NO_KNOBS };
  let faults: Required<Fault>[] = [];
  const injectFault = (fault: Fault): void => {
    faults.push(parseFault(fault));
  };
  let counts = new Map<string, number>();
  /** The same counts by `<account>/<region>`. */
  let scopedCounts = new Map<string, Map<string, number>>();
  const count = (scope: { account: string; region: string }, operation: string): void => {
    counts.set(operation, (counts.get(operation) ?? 0) + 1);
    const key = `${scope.account}/${scope.region}`;
    const own = scopedCounts.get(key) ?? new Map<string, number>();
    own.set(operation, (own.get(operation) ?? 0) + 1);
    scopedCounts.set(key, own);
  };
  const callCounts = (scope?: { account: string; region: string }): Record<string, number> =>
    Object.fromEntries(scope ? (scopedCounts.get(`${scope.account}/${scope.region}`) ?? []) : counts);
  const resetCounts = (): void => {
    counts = new Map();
    scopedCounts = new Map();
  };
  let holds = new Map<string, number>();
  let held = new Map<string, (() => void)[]>();
  let inFlight = { current: 0, max: 0 };
  const hold = (operation: string, count = 1): void => {
    if (!Number.isInteger(count) || count < 1) throw new RangeError('count must be a whole number >= 1');
    holds.set(operation, (holds.get(operation) ?? 0) + count);
  };
  const release = (operation: string): boolean => {
    const next = held.get(operation)?.shift();
    next?.();
    return next !== undefined;
  };
  const waiting = (): Record<string, number> =>
    Object.fromEntries([...held].filter(([, queue]) => queue.length > 0).map(([op, queue]) => [op, queue.length]));
  const releaseAll = (): void => {
    for (const queue of held.values()) for (const wake of queue.splice(0)) wake();
  };
  const sleepers = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();

  const setKnobs = (partial: Partial<EmulatorKnobs>): void => {
    knobs = { ...knobs, ...parseKnobs(partial) };
  };
  const setBehaviour = (partial: Partial<EmulatorBehaviour>): void => {
    behaviour = { ...behaviour, ...parseBehaviour(partial) };
  };

  /** Waits at least `ms` milliseconds (re-arming if a timer fires early); cut short by close(). */
  const sleep = (ms: number): Promise<void> => {
    const deadline = performance.now() + ms;
    return new Promise((resolve) => {
      const arm = (): void => {
        const left = deadline - performance.now();
        if (left <= 0) {
          resolve();
          return;
        }
        const sleeper = {
          timer: setTimeout(() => {
            sleepers.delete(sleeper);
            arm();
          }, Math.ceil(left)),
          wake: resolve,
        };
        sleepers.add(sleeper);
      };
      arm();
    });
  };

  const handleSageMaker = async (req: IncomingMessage, res: ServerResponse, body: string): Promise<void> => {
    const requestId = randomUUID();
    const header = req.headers['x-amz-target'];
    const target = Array.isArray(header) ? header[0] : header;
    if (req.method !== 'POST' || !target) {
      sendApiError(res, requestId, new ApiError('UnknownOperationException', 'Missing or invalid X-Amz-Target header'));
      return;
    }
    const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : target;
    const scope = scopeOf(req);
    count(scope, operation);
    inFlight.current += 1;
    inFlight.max = Math.max(inFlight.max, inFlight.current);
    let outcome: Outcome;
    try {
      outcome = await answerSageMaker(stateOf(scope), target, operation, body);
    } finally {
      inFlight.current -= 1;
    }
    if ('result' in outcome) {
      send(
        res,
        200,
        { 'Content-Type': JSON_CONTENT_TYPE, 'x-amzn-RequestId': requestId },
        JSON.stringify(outcome.result),
      );
    } else sendApiError(res, requestId, outcome.error);

    if (listeners.size === 0 || !target.startsWith(TARGET_PREFIX) || !RECORDED_OPERATIONS.includes(operation)) return;
    const event = cloudTrailEvent(trail, { req, operation, requestId, params: jsonObject(body), outcome });
    for (const listener of listeners) {
      try {
        listener(event);
      } catch {
        // a subscriber's failure is its own: the call was answered already
      }
    }
  };

  const answerSageMaker = async (
    state: SageMakerState,
    target: string,
    operation: string,
    body: string,
  ): Promise<Outcome> => {
    const holding = holds.get(operation) ?? 0;
    if (holding > 0) {
      holds.set(operation, holding - 1);
      await new Promise<void>((wake) => held.set(operation, [...(held.get(operation) ?? []), wake]));
    }
    const { latencyMs, throttleRate, serverErrorRate } = knobs;
    if (latencyMs > 0) await sleep(latencyMs);
    try {
      if (Math.random() < throttleRate) throw new ApiError('ThrottlingException', 'Rate exceeded');
      if (Math.random() < serverErrorRate) {
        throw Math.random() < 0.5
          ? new ApiError('InternalFailure', 'The request processing has failed because of an unknown error.', 500)
          : new ApiError('ServiceUnavailable', 'The service is unavailable. Please try again later.', 503);
      }
      const fault = faults.find((candidate) => candidate.operation === operation);
      if (fault) {
        fault.count -= 1;
        if (fault.count === 0) faults = faults.filter((candidate) => candidate !== fault);
        throw new ApiError(fault.errorType, fault.message, fault.status);
      }
      if (!target.startsWith(TARGET_PREFIX) || !state.supports(operation)) {
        throw new ApiError('UnknownOperationException', `Unknown operation: ${target}`);
      }
      let parsed: unknown;
      try {
        parsed = body.trim() === '' ? {} : JSON.parse(body);
      } catch {
        throw new ApiError('SerializationException', 'Malformed JSON in the request body');
      }
      if (!isRecord(parsed)) throw new ApiError('SerializationException', 'The request body must be a JSON object');
      return { result: state.handle(operation, parsed) };
    } catch (error) {
      return {
        error:
          error instanceof ApiError
            ? error
            : new ApiError('InternalFailure', error instanceof Error ? error.message : String(error), 500),
      };
    }
  };

  const handleControl = (
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    query: URLSearchParams,
    body: string,
  ): void => {
    const json = (status: number, value: unknown): void =>
      send(res, status, { 'Content-Type': 'application/json' }, JSON.stringify(value));
    const route = `${req.method} ${path}`;
    switch (route) {
      case 'GET /_emulator/calls': {
        // ?account=…&region=…: only that account's and region's calls (both, or neither)
        const account = query.get('account');
        const region = query.get('region');
        json(200, account && region ? callCounts({ account, region }) : callCounts());
        break;
      }
      case 'DELETE /_emulator/calls':
        resetCounts();
        inFlight = { current: inFlight.current, max: inFlight.current };
        send(res, 204, {});
        break;
      case 'GET /_emulator/in-flight':
        json(200, inFlight);
        break;
      case 'GET /_emulator/holds':
        json(200, waiting());
        break;
      case 'POST /_emulator/holds':
        try {
          const { operation, count } = JSON.parse(body) as { operation?: unknown; count?: unknown };
          if (typeof operation !== 'string') throw new RangeError('a hold needs an operation');
          hold(operation, count === undefined ? 1 : Number(count));
          send(res, 204, {});
        } catch (error) {
          json(400, { message: error instanceof Error ? error.message : String(error) });
        }
        break;
      case 'POST /_emulator/holds/release':
        try {
          const { operation } = JSON.parse(body) as { operation?: unknown };
          if (typeof operation !== 'string') throw new RangeError('a release needs an operation');
          json(200, { released: release(operation) });
        } catch (error) {
          json(400, { message: error instanceof Error ? error.message : String(error) });
        }
        break;
      case 'GET /_emulator/knobs':
        json(200, knobs);
        break;
      case 'PUT /_emulator/knobs':
        try {
          setKnobs(parseKnobs(JSON.parse(body)));
          send(res, 204, {});
        } catch (error) {
          json(400, { message: error instanceof Error ? error.message : String(error) });
        }
        break;
      case 'GET /_emulator/behaviour':
        json(200, behaviour);
        break;
      case 'PUT /_emulator/behaviour':
        try {
          setBehaviour(JSON.parse(body));
          send(res, 204, {});
        } catch (error) {
          json(400, { message: error instanceof Error ? error.message : String(error) });
        }
        break;
      case 'DELETE /_emulator/faults':
        faults = [];
        send(res, 204, {});
        break;
      case 'DELETE /_emulator/holds':
        // Holds not yet used are dropped, and every call waiting goes on: what a test left behind ends here.
        holds = new Map();
        releaseAll();
        send(res, 204, {});
        break;
      case 'POST /_emulator/faults':
        try {
          injectFault(JSON.parse(body) as Fault);
          send(res, 204, {});
        } catch (error) {
          json(400, { message: error instanceof Error ? error.message : String(error) });
        }
        break;
      case 'POST /_emulator/reset':
        emulator.reset();
        send(res, 204, {});
        break;
      default:
        json(404, { message: `no control route ${route}` });
    }
  };

  const server = createServer((req, res) => {
    const [path = '/', search = ''] = (req.url ?? '/').split('?');
    readBody(req)
      .then((body) =>
        path.startsWith('/_emulator/')
          ? handleControl(req, res, path, new URLSearchParams(search), body)
          : handleSageMaker(req, res, body),
      )
      .catch((error: unknown) => {
        const apiError = error instanceof ApiError ? error : new ApiError('InternalFailure', String(error), 500);
        sendApiError(res, randomUUID(), apiError);
      });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  const emulator: SageMakerEmulator = {
    url: `http://${urlHost}:${port}`,
    port,
    setKnobs,
    setBehaviour,
    callCounts,
    resetCallCounts: resetCounts,
    injectFault,
    hold,
    release,
    waiting,
    inFlight: () => ({ ...inFlight }),
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    reset: () => {
      states = new Map();
      behaviour = { ...DEFAULT_BEHAVIOUR };
      knobs = { ...NO_KNOBS };
      faults = [];
      resetCounts();
      holds = new Map();
      releaseAll();
      held = new Map();
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        listeners.clear();
        holds = new Map();
        releaseAll();
        for (const sleeper of sleepers) {
          clearTimeout(sleeper.timer);
          sleeper.wake();
        }
        sleepers.clear();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
  return emulator;
}
