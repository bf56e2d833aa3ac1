/**
 * The local CloudTrail: the trails of the local account and the read calls the audit makes of them, on the wire as
 * CloudTrail answers them (awsJson1_1, the target prefix `com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.`
 * or the SDK v3's `CloudTrail_20131101.`, shapes of botocore's cloudtrail 2013-11-01 model): `DescribeTrails` (shadow trails, another region's multi-region
 * trail or an organisation's trail, unless `includeShadowTrails` is false), `GetTrailStatus`, `GetEventSelectors`
 * (basic or advanced selectors) and `ListTrails`, with `TrailNotFoundException`, `InvalidTrailNameException`,
 * `CloudTrailARNInvalidException` and, for a trail its account may not read, `AccessDeniedException`.
 *
 * It also decides, as AWS does, whether a recorded call reaches EventBridge at all: "AWS API Call via CloudTrail"
 * events exist only while a trail that applies to the region is logging and its selectors take the call's
 * management events (`logsEvent`, which the local cloud asks before the bus gets the SageMaker emulator's and the
 * Cognito proxy's records). The local account starts with one trail, `management-events`, logging every management
 * event of its region, and so does every other account in each of its regions the local cloud names
 * (`otherAccounts`: the targets), so the local event loop runs as in accounts that have one.
 *
 * Each call is answered for the account of its access key and the region of its signature
 * (local/caller-identity.ts): its own trails, another region's multi-region trails of its account and
 * organisation trails (as shadow trails); an event is logged by a trail of its own account (or an organisation's).
 *
 * Control routes under `/_cloudtrail/` (JSON; CloudTrail itself is `POST /`), to take the trail away or stop its
 * logging and see what the product makes of it. A trail is named by its name, and `?account=&region=` (its owner
 * and home region) where several have that name; without them, the local account's and region's:
 *   GET    /_cloudtrail/trails            the trails as set (of one account and region, with the query)
 *   PUT    /_cloudtrail/trails/{name}     a trail of that name, created or replaced (LocalTrailSettings)
 *   PATCH  /_cloudtrail/trails/{name}     some of its settings changed ({"logging": false} stops it)
 *   DELETE /_cloudtrail/trails/{name}     the trail removed
 *   POST   /_cloudtrail/reset             back to the one default trail of each account and region, logging
 */

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CallerIdentity, callScope, userIdentity } from './caller-identity';
import { readBody as readWholeBody } from './http-server';

export type ReadWriteType = 'ReadOnly' | 'WriteOnly' | 'All';

export interface EventSelector {
  ReadWriteType?: ReadWriteType;
  IncludeManagementEvents?: boolean;
  DataResources?: { Type?: string; Values?: string[] }[];
  ExcludeManagementEventSources?: string[];
}

export interface AdvancedFieldSelector {
  Field: string;
  Equals?: string[];
  StartsWith?: string[];
  EndsWith?: string[];
  NotEquals?: string[];
  NotStartsWith?: string[];
  NotEndsWith?: string[];
}

export interface AdvancedEventSelector {
  Name?: string;
  FieldSelectors: AdvancedFieldSelector[];
}

/** A trail as the control routes set it; every setting has a default. */
export interface LocalTrailSettings {
  /** Where it was created (default: the local region); another region's multi-region trail is a shadow trail here. */
  homeRegion?: string;
  /** Default false. */
  multiRegion?: boolean;
  /** An organisation trail: created in the organisation's management account (`accountId`), a shadow trail here. */
  organization?: boolean;
  /** The account that owns it (default: the local account). */
  accountId?: string;
  /** Default true. */
  logging?: boolean;
  /** Default: every management event, read and write, as a trail made in the console has. */
  eventSelectors?: EventSelector[];
  /** Instead of `eventSelectors`. */
  advancedEventSelectors?: AdvancedEventSelector[];
  /** False: GetTrailStatus and GetEventSelectors of it are denied (AccessDeniedException). Default true. */
  readable?: boolean;
  s3BucketName?: string;
}

/** A trail as the control route `GET /_cloudtrail/trails` shows it. */
export interface LocalTrail {
  name: string;
  arn: string;
  homeRegion: string;
  multiRegion: boolean;
  organization: boolean;
  accountId: string;
  logging: boolean;
  readable: boolean;
  s3BucketName: string;
  eventSelectors?: EventSelector[];
  advancedEventSelectors?: AdvancedEventSelector[];
}

/** What of a recorded call decides whether a trail logs it (an "AWS API Call via CloudTrail" event's). */
export interface RecordedCallEvent {
  /** The account the call acted in (default: the local account). */
  account?: string;
  region: string;
  detail: Record<string, unknown>;
}

export interface LocalCloudTrailOptions {
  /** 0 picks a free port. */
  port: number;
  region: string;
  accountId: string;
  /** Other accounts and regions that start with a default trail of their own (the local cloud's targets). */
  otherAccounts?: readonly { account: string; region: string }[];
  /** Who signs with which key, for the message of a refusal (as in local/caller-identity.ts). */
  identities?: Readonly<Record<string, CallerIdentity>>;
}

export interface LocalCloudTrail {
  /** What CloudTrail clients use (AWS_ENDPOINT_URL_CLOUDTRAIL). */
  url: string;
  /** The base of the control routes (LOCAL_CLOUDTRAIL_CONTROL_URL). */
  controlUrl: string;
  trails(): LocalTrail[];
  putTrail(name: string, settings?: LocalTrailSettings): LocalTrail;
  /** Changes some settings of a trail; undefined when there is none of that name. */
  updateTrail(name: string, settings: LocalTrailSettings): LocalTrail | undefined;
  deleteTrail(name: string): boolean;
  /** The default trails again (the local account's, and one per other account and region), logging. */
  reset(): void;
  /** Whether some trail logs this call, so that EventBridge receives its event. */
  logsEvent(event: RecordedCallEvent): boolean;
  close(): Promise<void>;
}

export const DEFAULT_TRAIL_NAME = 'management-events';
/** What a trail made in the console logs: every management event, read and write. */
const ALL_MANAGEMENT_EVENTS: EventSelector[] = [
  { ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] },
];
/**
 * The X-Amz-Target prefixes CloudTrail answers: the model's `targetPrefix` (the AWS CLI's, botocore's) and the
 * Smithy service name alone (the SDK v3's).
 */
const TARGET_PREFIXES = ['com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.', 'CloudTrail_20131101.'];
const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';
const CONTROL_PREFIX = '/_cloudtrail';
const MAX_BODY_BYTES = 1024 * 1024;
const TRAIL_ARN = /^arn:aws[a-z-]*:cloudtrail:([a-z0-9-]+):(\d{12}):trail\/(.+)$/;
const READ_WRITE_TYPES: readonly string[] = ['ReadOnly', 'WriteOnly', 'All'];
const OPERATORS = ['Equals', 'StartsWith', 'EndsWith', 'NotEquals', 'NotStartsWith', 'NotEndsWith'] as const;

class ApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

interface Trail extends LocalTrail {
  hasCustomSelectors: boolean;
  startedAt?: Date;
  stoppedAt?: Date;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** CloudTrail's rule for trail names: 3 to 128 of letters, digits, `.`, `_`, `-`, no two of those in a row, no IP. */
function validTrailName(name: string): boolean {
  return (
    /^[A-Za-z0-9][A-Za-z0-9._-]{1,126}[A-Za-z0-9]$/.test(name) &&
    !/[._-]{2}/.test(name) &&
    !/^\d{1,3}(\.\d{1,3}){3}$/.test(name)
  );
}

const epochSeconds = (date: Date) => date.getTime() / 1000;
/** GetTrailStatus's string times, `2020-05-27T18:21:23Z`, or "" when there is none. */
const isoSeconds = (date: Date | undefined) => (date ? date.toISOString().replace(/\.\d+Z$/, 'Z') : '');

function parseSelectors(value: unknown): EventSelector[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > 5) {
    throw new ControlError(400, 'eventSelectors is a list of 1 to 5 selectors');
  }
  return value.map((selector) => {
    if (!isRecord(selector)) throw new ControlError(400, 'an event selector is an object');
    const { ReadWriteType = 'All', IncludeManagementEvents = true, ExcludeManagementEventSources = [] } = selector;
    if (typeof ReadWriteType !== 'string' || !READ_WRITE_TYPES.includes(ReadWriteType)) {
      throw new ControlError(400, 'ReadWriteType is ReadOnly, WriteOnly or All');
    }
    if (typeof IncludeManagementEvents !== 'boolean')
      throw new ControlError(400, 'IncludeManagementEvents is a boolean');
    if (
      !Array.isArray(ExcludeManagementEventSources) ||
      !ExcludeManagementEventSources.every((s) => typeof s === 'string')
    ) {
      throw new ControlError(400, 'ExcludeManagementEventSources is a list of event sources');
    }
    return {
      ReadWriteType: ReadWriteType as ReadWriteType,
      IncludeManagementEvents,
      DataResources: [],
      ExcludeManagementEventSources: ExcludeManagementEventSources as string[],
    };
  });
}

function parseAdvancedSelectors(value: unknown): AdvancedEventSelector[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new ControlError(400, 'advancedEventSelectors is a list of selectors');
  }
  return value.map((selector) => {
    if (!isRecord(selector) || !Array.isArray(selector.FieldSelectors) || selector.FieldSelectors.length === 0) {
      throw new ControlError(400, 'an advanced event selector has FieldSelectors');
    }
    const fieldSelectors = selector.FieldSelectors.map((field): AdvancedFieldSelector => {
      if (!isRecord(field) || typeof field.Field !== 'string') {
        throw new ControlError(400, 'a field selector names its Field');
      }
      const parsed: AdvancedFieldSelector = { Field: field.Field };
      for (const operator of OPERATORS) {
        const values = field[operator];
        if (values === undefined) continue;
        if (!Array.isArray(values) || !values.every((v) => typeof v === 'string')) {
          throw new ControlError(400, `${operator} is a list of strings`);
        }
        parsed[operator] = values as string[];
      }
      return parsed;
    });
    return {
      ...(typeof selector.Name === 'string' ? { Name: selector.Name } : {}),
      FieldSelectors: fieldSelectors,
    };
  });
}

/** Whether a field selector holds for the value (undefined: the event has no such field). */
function fieldHolds(selector: AdvancedFieldSelector, value: string | undefined): boolean {
  const some = (values: string[] | undefined, test: (candidate: string) => boolean) =>
    values === undefined || (value !== undefined && values.some(test));
  const none = (values: string[] | undefined, test: (candidate: string) => boolean) =>
    values === undefined || value === undefined || !values.some(test);
  return (
    some(selector.Equals, (v) => value === v) &&
    some(selector.StartsWith, (v) => value?.startsWith(v) === true) &&
    some(selector.EndsWith, (v) => value?.endsWith(v) === true) &&
    none(selector.NotEquals, (v) => value === v) &&
    none(selector.NotStartsWith, (v) => value?.startsWith(v) === true) &&
    none(selector.NotEndsWith, (v) => value?.endsWith(v) === true)
  );
}

/** Whether the trail's selectors take this call (a management event: CloudTrail records no other here). */
function selectsEvent(trail: Trail, detail: Record<string, unknown>): boolean {
  const readOnly = detail.readOnly === true;
  const eventSource = typeof detail.eventSource === 'string' ? detail.eventSource : '';
  if (trail.advancedEventSelectors) {
    const identity = isRecord(detail.userIdentity) ? detail.userIdentity : {};
    const fields: Record<string, string | undefined> = {
      eventCategory: 'Management',
      readOnly: String(readOnly),
      eventSource,
      eventName: typeof detail.eventName === 'string' ? detail.eventName : undefined,
      eventType: typeof detail.eventType === 'string' ? detail.eventType : undefined,
      'userIdentity.arn': typeof identity.arn === 'string' ? identity.arn : undefined,
    };
    return trail.advancedEventSelectors.some((selector) =>
      selector.FieldSelectors.every((field) => fieldHolds(field, fields[field.Field])),
    );
  }
  return (trail.eventSelectors ?? ALL_MANAGEMENT_EVENTS).some(
    (selector) =>
      selector.IncludeManagementEvents !== false &&
      (selector.ReadWriteType ?? 'All') !== (readOnly ? 'WriteOnly' : 'ReadOnly') &&
      !(selector.ExcludeManagementEventSources ?? []).includes(eventSource),
  );
}

/** The control routes' settings are JSON: each of the right type, or a 400 naming it. */
function checkTypes(settings: LocalTrailSettings): void {
  const fields: Record<string, 'boolean' | 'string'> = {
    homeRegion: 'string',
    multiRegion: 'boolean',
    organization: 'boolean',
    accountId: 'string',
    logging: 'boolean',
    readable: 'boolean',
    s3BucketName: 'string',
  };
  for (const [field, type] of Object.entries(fields)) {
    const value = (settings as Record<string, unknown>)[field];
    if (value !== undefined && typeof value !== type) throw new ControlError(400, `${field} is a ${type}`);
  }
  if (settings.accountId !== undefined && !/^\d{12}$/.test(settings.accountId)) {
    throw new ControlError(400, 'accountId is 12 digits');
  }
}

/** The body as text, at most MAX_BODY_BYTES (a SerializationException past it, as AWS answers). */
async function readBody(req: IncomingMessage): Promise<string> {
  const tooLarge = () => new ApiError('SerializationException', 'Request body too large', 413);
  return (await readWholeBody(req, { maxBytes: MAX_BODY_BYTES, tooLarge })).toString('utf8');
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body?: string): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { ...headers, ...(body === undefined ? {} : { 'Content-Length': Buffer.byteLength(body) }) });
  res.end(body);
}

export async function startLocalCloudTrail(options: LocalCloudTrailOptions): Promise<LocalCloudTrail> {
  const { region, accountId } = options;
  const identities = options.identities ?? {};
  /** By ARN: names are unique within an account and region only. */
  const trails = new Map<string, Trail>();
  type Scope = { account: string; region: string };
  const scopeOf = (req: IncomingMessage): Scope => callScope(req.headers.authorization, { account: accountId, region });

  const arnOf = (name: string, home: string, owner: string) => `arn:aws:cloudtrail:${home}:${owner}:trail/${name}`;
  const view = (trail: Trail): LocalTrail => {
    const { hasCustomSelectors: _custom, startedAt: _started, stoppedAt: _stopped, ...shown } = trail;
    return structuredClone(shown);
  };

  /**
   * The trail a control route names: `name`, of `account` and `region` where given; where several accounts have
   * one of that name, the local account's (none: undefined).
   */
  const find = (name: string, account?: string, home?: string): Trail | undefined => {
    const named = [...trails.values()].filter(
      (trail) =>
        trail.name === name &&
        (account === undefined || trail.accountId === account) &&
        (home === undefined || trail.homeRegion === home),
    );
    if (named.length <= 1) return named[0];
    // Several accounts' (the targets' default trails): the local account's, when it has one of that name.
    const local = named.filter((trail) => trail.accountId === accountId);
    if (local.length <= 1) return local[0];
    const here = local.filter((trail) => trail.homeRegion === region);
    if (here.length === 1) return here[0];
    throw new ControlError(409, `several trails are named ${name}: name one with ?account=…&region=…`);
  };

  const putTrail = (name: string, settings: LocalTrailSettings = {}): LocalTrail => {
    if (!validTrailName(name)) throw new ControlError(400, `${JSON.stringify(name)} is not a valid trail name`);
    checkTypes(settings);
    if (settings.eventSelectors && settings.advancedEventSelectors) {
      throw new ControlError(400, 'a trail has eventSelectors or advancedEventSelectors, not both');
    }
    const homeRegion = settings.homeRegion ?? region;
    const owner = settings.accountId ?? accountId;
    const logging = settings.logging ?? true;
    const trail: Trail = {
      name,
      arn: arnOf(name, homeRegion, owner),
      homeRegion,
      multiRegion: settings.multiRegion ?? false,
      organization: settings.organization ?? false,
      accountId: owner,
      logging,
      readable: settings.readable ?? true,
      s3BucketName: settings.s3BucketName ?? `aws-cloudtrail-logs-${owner}-${name}`.slice(0, 63),
      ...(settings.advancedEventSelectors
        ? { advancedEventSelectors: parseAdvancedSelectors(settings.advancedEventSelectors) }
        : {
            eventSelectors: settings.eventSelectors ? parseSelectors(settings.eventSelectors) : ALL_MANAGEMENT_EVENTS,
          }),
      hasCustomSelectors: settings.eventSelectors !== undefined || settings.advancedEventSelectors !== undefined,
      ...(logging ? { startedAt: new Date() } : {}),
    };
    trails.set(trail.arn, trail);
    return view(trail);
  };

  const updateTrail = (
    name: string,
    settings: LocalTrailSettings,
    owner?: { account?: string; region?: string },
  ): LocalTrail | undefined => {
    const trail = find(name, owner?.account, owner?.region);
    if (!trail) return undefined;
    const unknown = Object.keys(settings).filter(
      (key) => !['logging', 'readable', 'eventSelectors', 'advancedEventSelectors'].includes(key),
    );
    if (unknown.length > 0) throw new ControlError(400, `only logging, readable and selectors change: ${unknown}`);
    checkTypes(settings);
    if (settings.eventSelectors && settings.advancedEventSelectors) {
      throw new ControlError(400, 'a trail has eventSelectors or advancedEventSelectors, not both');
    }
    if (settings.logging !== undefined && settings.logging !== trail.logging) {
      trail.logging = settings.logging;
      if (settings.logging) trail.startedAt = new Date();
      else trail.stoppedAt = new Date();
    }
    if (settings.readable !== undefined) trail.readable = settings.readable;
    if (settings.eventSelectors) {
      trail.eventSelectors = parseSelectors(settings.eventSelectors);
      delete trail.advancedEventSelectors;
      trail.hasCustomSelectors = true;
    }
    if (settings.advancedEventSelectors) {
      trail.advancedEventSelectors = parseAdvancedSelectors(settings.advancedEventSelectors);
      delete trail.eventSelectors;
      trail.hasCustomSelectors = true;
    }
    return view(trail);
  };

  const reset = () => {
    trails.clear();
    putTrail(DEFAULT_TRAIL_NAME);
    for (const other of options.otherAccounts ?? []) {
      putTrail(DEFAULT_TRAIL_NAME, { accountId: other.account, homeRegion: other.region });
    }
  };
  reset();

  /**
   * Trails an account's CloudTrail in a region knows of: its own, and the shadows of its multi-region trails and of
   * organisation trails.
   */
  const appliesHere = (trail: Trail, scope: Scope) =>
    (trail.homeRegion === scope.region || trail.multiRegion) &&
    (trail.accountId === scope.account || trail.organization);
  const isShadow = (trail: Trail, scope: Scope) =>
    trail.homeRegion !== scope.region || trail.accountId !== scope.account;

  const logsEvent = (event: RecordedCallEvent): boolean =>
    [...trails.values()].some(
      (trail) =>
        trail.logging &&
        appliesHere(trail, { account: event.account ?? accountId, region: event.region }) &&
        selectsEvent(trail, event.detail),
    );

  /** The trail a GetTrailStatus or GetEventSelectors names: by name only its own region's and account's. */
  const resolve = (value: unknown, scope: Scope): Trail => {
    if (typeof value !== 'string' || value === '') {
      throw new ApiError('InvalidTrailNameException', 'Trail name cannot be empty.');
    }
    const arn = TRAIL_ARN.exec(value);
    if (value.startsWith('arn:') && !arn) {
      throw new ApiError('CloudTrailARNInvalidException', `${value} is not a valid trail ARN.`);
    }
    if (!arn && !validTrailName(value)) {
      throw new ApiError(
        'InvalidTrailNameException',
        'Trail name or ARN can only contain uppercase letters, lowercase letters, numbers, periods (.), hyphens (-), and underscores (_).',
      );
    }
    const found = [...trails.values()].find((trail) =>
      arn ? trail.arn === value && appliesHere(trail, scope) : trail.name === value && !isShadow(trail, scope),
    );
    if (!found) {
      const named = arn ? value : arnOf(value, scope.region, scope.account);
      throw new ApiError('TrailNotFoundException', `Unknown trail: ${named} for the user: ${scope.account}`);
    }
    return found;
  };

  const denyUnreadable = (trail: Trail, action: string, req: IncomingMessage) => {
    if (trail.readable) return;
    const caller = String(userIdentity(req.headers.authorization, scopeOf(req).account, identities).arn ?? 'anonymous');
    throw new ApiError(
      'AccessDeniedException',
      `User: ${caller} is not authorized to perform: cloudtrail:${action} on resource: ${trail.arn} because no resource-based policy allows the cloudtrail:${action} action`,
    );
  };

  const describe = (trail: Trail) => ({
    Name: trail.name,
    S3BucketName: trail.s3BucketName,
    IncludeGlobalServiceEvents: true,
    IsMultiRegionTrail: trail.multiRegion,
    HomeRegion: trail.homeRegion,
    TrailARN: trail.arn,
    LogFileValidationEnabled: false,
    HasCustomEventSelectors: trail.hasCustomSelectors,
    HasInsightSelectors: false,
    IsOrganizationTrail: trail.organization,
  });

  const operations: Record<string, (input: Record<string, unknown>, req: IncomingMessage) => unknown> = {
    DescribeTrails(input, req) {
      const scope = scopeOf(req);
      const names = input.trailNameList;
      if (names !== undefined && (!Array.isArray(names) || !names.every((n) => typeof n === 'string'))) {
        throw new ApiError('SerializationException', 'trailNameList is a list of strings');
      }
      const includeShadows = input.includeShadowTrails !== false;
      const visible = [...trails.values()]
        .filter((trail) => appliesHere(trail, scope))
        .filter((trail) => includeShadows || !isShadow(trail, scope));
      const wanted = (names as string[] | undefined) ?? [];
      const listed =
        wanted.length === 0
          ? visible
          : visible.filter(
              (trail) => wanted.includes(trail.arn) || (wanted.includes(trail.name) && !isShadow(trail, scope)),
            );
      return { trailList: listed.map(describe) };
    },
    GetTrailStatus(input, req) {
      const trail = resolve(input.Name, scopeOf(req));
      denyUnreadable(trail, 'GetTrailStatus', req);
      return {
        IsLogging: trail.logging,
        ...(trail.startedAt ? { StartLoggingTime: epochSeconds(trail.startedAt) } : {}),
        ...(trail.stoppedAt ? { StopLoggingTime: epochSeconds(trail.stoppedAt) } : {}),
        LatestDeliveryAttemptTime: '',
        LatestNotificationAttemptTime: '',
        LatestNotificationAttemptSucceeded: '',
        LatestDeliveryAttemptSucceeded: '',
        TimeLoggingStarted: isoSeconds(trail.startedAt),
        TimeLoggingStopped: isoSeconds(trail.stoppedAt),
      };
    },
    GetEventSelectors(input, req) {
      const trail = resolve(input.TrailName, scopeOf(req));
      denyUnreadable(trail, 'GetEventSelectors', req);
      return trail.advancedEventSelectors
        ? { TrailARN: trail.arn, AdvancedEventSelectors: structuredClone(trail.advancedEventSelectors) }
        : { TrailARN: trail.arn, EventSelectors: structuredClone(trail.eventSelectors ?? ALL_MANAGEMENT_EVENTS) };
    },
    ListTrails(_input, req) {
      const { account } = scopeOf(req);
      return {
        // Every region's trails of the caller's account, and the organisation's.
        Trails: [...trails.values()]
          .filter((trail) => trail.accountId === account || trail.organization)
          .map((trail) => ({
            TrailARN: trail.arn,
            Name: trail.name,
            HomeRegion: trail.homeRegion,
          })),
      };
    },
  };

  const handleApi = async (req: IncomingMessage, res: ServerResponse) => {
    const requestId = randomUUID();
    const sendError = (error: ApiError) =>
      send(
        res,
        error.status,
        { 'Content-Type': JSON_CONTENT_TYPE, 'x-amzn-RequestId': requestId, 'x-amzn-ErrorType': error.type },
        JSON.stringify({ __type: error.type, Message: error.message }),
      );
    try {
      const body = await readBody(req);
      const header = req.headers['x-amz-target'];
      const target = Array.isArray(header) ? header[0] : header;
      const prefix = TARGET_PREFIXES.find((candidate) => target?.startsWith(candidate));
      const name = prefix === undefined ? undefined : target?.slice(prefix.length);
      const operation = name !== undefined && Object.hasOwn(operations, name) ? operations[name] : undefined;
      if (req.method !== 'POST' || !operation) {
        throw new ApiError('UnknownOperationException', `Unknown operation: ${target ?? '(no X-Amz-Target)'}`);
      }
      let input: unknown;
      try {
        input = body.trim() === '' ? {} : JSON.parse(body);
      } catch {
        throw new ApiError('SerializationException', 'Malformed JSON in the request body');
      }
      if (!isRecord(input)) throw new ApiError('SerializationException', 'The request body must be a JSON object');
      const result = operation(input, req);
      send(res, 200, { 'Content-Type': JSON_CONTENT_TYPE, 'x-amzn-RequestId': requestId }, JSON.stringify(result));
    } catch (error) {
      sendError(
        error instanceof ApiError
          ? error
          : new ApiError('InternalFailure', error instanceof Error ? error.message : String(error), 500),
      );
    }
  };

  const handleControl = async (req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams) => {
    const reply = (status: number, value?: unknown) =>
      send(
        res,
        status,
        value === undefined ? {} : { 'Content-Type': 'application/json' },
        value === undefined ? undefined : JSON.stringify(value),
      );
    try {
      const body = await readBody(req);
      let input: unknown = {};
      if (body.trim() !== '') {
        try {
          input = JSON.parse(body);
        } catch {
          throw new ControlError(400, 'the body is not JSON');
        }
      }
      if (!isRecord(input)) throw new ControlError(400, 'the body is a JSON object');
      if (path === '/reset' && req.method === 'POST') {
        reset();
        return reply(204);
      }
      const account = query.get('account') ?? undefined;
      const home = query.get('region') ?? undefined;
      if (path === '/trails' && req.method === 'GET') {
        const listed = [...trails.values()].filter(
          (trail) => (!account || trail.accountId === account) && (!home || trail.homeRegion === home),
        );
        return reply(200, listed.map(view));
      }
      const named = /^\/trails\/([^/]+)$/.exec(path);
      if (!named?.[1]) throw new ControlError(404, `no control route ${req.method} ${path}`);
      const name = decodeURIComponent(named[1]);
      if (req.method === 'PUT') {
        const settings: LocalTrailSettings = { accountId: account, homeRegion: home, ...input };
        const before = trails.size;
        const trail = putTrail(name, settings);
        return reply(trails.size > before ? 201 : 200, trail);
      }
      if (req.method === 'PATCH') {
        const changed = updateTrail(name, input, { account, region: home });
        if (!changed) throw new ControlError(404, `no trail ${name}`);
        return reply(200, changed);
      }
      if (req.method === 'DELETE') {
        const trail = find(name, account, home);
        if (!trail) throw new ControlError(404, `no trail ${name}`);
        trails.delete(trail.arn);
        return reply(204);
      }
      throw new ControlError(405, `${req.method} is not a method of ${path}`);
    } catch (error) {
      if (error instanceof ControlError) return reply(error.status, { message: error.message });
      return reply(500, { message: error instanceof Error ? error.message : String(error) });
    }
  };

  const server = createServer((req, res) => {
    const [path = '/', search = ''] = (req.url ?? '/').split('?');
    const handled = path.startsWith(`${CONTROL_PREFIX}/`)
      ? handleControl(req, res, path.slice(CONTROL_PREFIX.length), new URLSearchParams(search))
      : handleApi(req, res);
    handled.catch(() => send(res, 500, {}, undefined));
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolveListen());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    controlUrl: `${url}${CONTROL_PREFIX}`,
    trails: () => [...trails.values()].map(view),
    putTrail,
    updateTrail,
    deleteTrail: (name) => {
      const trail = find(name);
      return trail !== undefined && trails.delete(trail.arn);
    },
    reset,
    logsEvent,
    close: () =>
      new Promise<void>((resolveClose) => {
        server.closeAllConnections();
        server.close(() => resolveClose());
      }),
  };
}
