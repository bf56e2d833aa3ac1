/**
 * The local SNS: an HTTP proxy in front of fauxqs that makes SNS behave as AWS does where this project depends on
 * it. fauxqs holds the topics and subscriptions and answers everything else unchanged; the proxy adds:
 *
 * - **Request-rate quotas**: the per-account rates SNS's API reference publishes (Subscribe and Unsubscribe 100
 *   per second, ListSubscriptionsByTopic, ListSubscriptions and ListTopics 30), one token bucket each
 *   (local/request-quota.ts, scaled by LOCAL_QUOTA_SCALE or PUT /_sns/quotas). A call over its quota is answered
 *   as SNS answers it: the model's `Throttled` error (HTTP 429, Sender) in the awsQuery XML envelope, which the
 *   SDK v3 names `ThrottledException` and retries as a throttling error. Other actions are not throttled here.
 * - **Paging**: ListSubscriptionsByTopic and ListSubscriptions answer at most 100 subscriptions a page with a
 *   `NextToken`; a topic that does not exist is `NotFound` (fauxqs itself would list nothing).
 * - **E-mail confirmation** (`email`, `email-json`): a new subscription is pending and listed with the ARN
 *   `PendingConfirmation`; Subscribe answers `pending confirmation` (its ARN with `ReturnSubscriptionArn=true`);
 *   every Subscribe of an address still pending on the topic sends the confirmation mail again and creates
 *   nothing; a confirmed one answers its ARN and sends nothing. A pending subscription cannot be unsubscribed
 *   (InvalidParameter, as AWS answers) and is dropped 48 hours after its last confirmation mail, on a local
 *   clock that a control route moves forward. fauxqs delivers only to SQS subscriptions, so what a publish
 *   would mail is not visible; a pending subscription stays unconfirmed in fauxqs too, which never delivers to it.
 * - **Accounts and regions**: fauxqs keeps topics per region (the SigV4 scope's) but knows one account; the proxy
 *   keeps each account's (the access key's: local/caller-identity.ts) apart by name and shows their ARNs naming
 *   it (local/sns-accounts.ts), and lists only the caller's account's and region's topics and subscriptions.
 *   Quotas are per account and region, as SNS's are.
 * - **Control routes** under `/_sns/` (SNS itself is `POST /`): the local mailbox of confirmation mails, the
 *   worker's clicks (confirm, unsubscribe link), the quotas and the clock. See docs/local-cloud.md.
 *
 * The proxy never logs: confirmation mails carry e-mail addresses, which only the mailbox route shows.
 */

import { randomBytes, randomUUID } from 'node:crypto';
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { callScope } from './caller-identity';
import { listenOnLoopback, readBody } from './http-server';
import { createRequestQuotas, type QuotaDefinition, type QuotaState, type RequestQuotas } from './request-quota';
import {
  FAUXQS_ACCOUNT,
  inward,
  inwardArns,
  isReservedTopicName,
  outward,
  ownerOf,
  type SnsScope,
} from './sns-accounts';

/** Per account and region, as SNS's API reference states them for each action ("throttled at N TPS"). */
export const SNS_QUOTAS: Readonly<Record<string, QuotaDefinition>> = {
  Subscribe: { perSecond: 100 },
  Unsubscribe: { perSecond: 100 },
  ListSubscriptionsByTopic: { perSecond: 30 },
  ListSubscriptions: { perSecond: 30 },
  ListTopics: { perSecond: 30 },
};

/** The protocols whose subscriptions wait for the address's owner to confirm them. */
const CONFIRMED_BY_MAIL = new Set(['email', 'email-json']);
/** SNS drops a subscription still unconfirmed 48 hours after its confirmation mail; the mail's token expires too. */
export const PENDING_LIFETIME_MS = 48 * 60 * 60 * 1000;
/** ListSubscriptionsByTopic and ListSubscriptions answer at most this many a page. */
export const SUBSCRIPTIONS_PAGE_SIZE = 100;
/** Where ListSubscriptions* show the ARN of a subscription that is not confirmed yet. */
const PENDING_ARN = 'PendingConfirmation';
/** What Subscribe answers for a pending subscription unless `ReturnSubscriptionArn` is true. */
const PENDING_ANSWER = 'pending confirmation';
const CONTROL_PREFIX = '/_sns';
const SNS_XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';

export interface ConfirmationMail {
  /** The address in full: this is the local mailbox. */
  address: string;
  topicArn: string;
  protocol: string;
  /** On the local clock, ISO 8601. */
  sentAt: string;
  /** The token of the mail's link: ConfirmSubscription with it confirms, as the link does. */
  token: string;
}

export interface SnsProxyOptions {
  /** 0 picks a free port. */
  port: number;
  /** fauxqs's URL. */
  upstream: string;
  /** The quotas' scale at start: 1 is AWS's rates, 0 lifts them. */
  quotaScale?: number;
  /** The region of a call whose signature names none (fauxqs's default region). Default 'us-east-1'. */
  region?: string;
}

export interface SnsProxy {
  /** What SNS clients use (AWS_ENDPOINT_URL_SNS). */
  url: string;
  /** The base of the control routes (LOCAL_SNS_CONTROL_URL). */
  controlUrl: string;
  quotas: RequestQuotas;
  /** Forgets the confirmation mails sent so far (what the seed sent is no mail of the stack's). */
  forgetConfirmations(): void;
  close(): Promise<void>;
}

interface MailSubscription {
  arn: string;
  topicArn: string;
  protocol: string;
  address: string;
  confirmed: boolean;
  /** Local clock, ms: when the last confirmation mail went out. */
  lastMailAt: number;
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

interface ListedSubscription {
  arn: string;
  /** The member's XML as fauxqs wrote it, its SubscriptionArn rewritten where pending. */
  xml: string;
}

class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function startSnsProxy(options: SnsProxyOptions): Promise<SnsProxy> {
  const upstream = new URL(options.upstream);
  const quotas = createRequestQuotas(SNS_QUOTAS, { scale: options.quotaScale ?? 1 });
  /** E-mail subscriptions by ARN: whether confirmed, and when their last mail went out. */
  const mailSubscriptions = new Map<string, MailSubscription>();
  const tokens = new Map<string, { arn: string; sentAt: number }>();
  let mails: ConfirmationMail[] = [];
  let clockOffsetMs = 0;
  const now = () => Date.now() + clockOffsetMs;
  const defaultScope: SnsScope = { account: FAUXQS_ACCOUNT, region: options.region ?? 'us-east-1' };
  /** What the control routes show: ARNs as their owners see them. */
  const shown = (arn: string) => outward(arn, defaultScope);

  /** Sends a request to fauxqs and reads its whole answer: the caller's own (`from`), or one of ours. */
  const send = (body: Buffer, from?: IncomingMessage) =>
    new Promise<Answer>((resolve, reject) => {
      const outgoing = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: from?.method ?? 'POST',
          path: from?.url ?? '/',
          // The caller's headers (its signature's scope names the region fauxqs files the call under), with the
          // length of the body as rewritten for fauxqs (sns-accounts.ts).
          headers: from
            ? { ...from.headers, 'content-length': String(body.length) }
            : {
                'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
                'content-length': String(body.length),
              },
        },
        (incoming) => {
          const chunks: Buffer[] = [];
          incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
          incoming.on('error', reject);
          incoming.on('end', () => {
            const headers: Record<string, string> = {};
            for (const [name, value] of Object.entries(incoming.headers)) {
              if (typeof value === 'string' && !['content-length', 'connection', 'transfer-encoding'].includes(name))
                headers[name] = value;
            }
            resolve({ status: incoming.statusCode ?? 502, headers, body: Buffer.concat(chunks).toString('utf8') });
          });
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  /** One call of our own to fauxqs (never throttled: AWS does not count its own housekeeping). */
  const call = (params: Record<string, string>) => send(Buffer.from(new URLSearchParams(params).toString()));

  const mail = (subscription: MailSubscription) => {
    const at = now();
    subscription.lastMailAt = at;
    const token = randomBytes(32).toString('hex');
    tokens.set(token, { arn: subscription.arn, sentAt: at });
    mails.push({
      address: subscription.address,
      topicArn: subscription.topicArn,
      protocol: subscription.protocol,
      sentAt: new Date(at).toISOString(),
      token,
    });
  };

  const forget = (arn: string) => {
    mailSubscriptions.delete(arn);
    for (const [token, entry] of tokens) if (entry.arn === arn) tokens.delete(token);
  };

  /** Drops the subscriptions whose last confirmation mail is 48 hours old on the local clock. */
  const sweep = async () => {
    const at = now();
    for (const subscription of [...mailSubscriptions.values()]) {
      if (subscription.confirmed || at - subscription.lastMailAt < PENDING_LIFETIME_MS) continue;
      forget(subscription.arn);
      await call({ Action: 'Unsubscribe', SubscriptionArn: subscription.arn });
    }
  };

  const confirm = async (subscription: MailSubscription) => {
    // fauxqs takes the subscription ARN as the token; its subscription then counts as confirmed there too
    // (GetSubscriptionAttributes' PendingConfirmation, the topic's SubscriptionsConfirmed).
    const answer = await call({
      Action: 'ConfirmSubscription',
      TopicArn: subscription.topicArn,
      Token: subscription.arn,
    });
    if (answer.status !== 200) throw new Error(`fauxqs refused to confirm a subscription: ${answer.status}`);
    subscription.confirmed = true;
  };

  // ---- SNS actions ----

  const subscribe = async (params: URLSearchParams, body: Buffer, req: IncomingMessage) => {
    const answer = await send(body, req);
    if (answer.status !== 200) return answer;
    const arn = /<SubscriptionArn>([^<]*)<\/SubscriptionArn>/.exec(answer.body)?.[1];
    if (!arn) return answer;
    let subscription = mailSubscriptions.get(arn);
    if (!subscription) {
      subscription = {
        arn,
        topicArn: params.get('TopicArn') ?? '',
        protocol: params.get('Protocol') ?? '',
        address: params.get('Endpoint') ?? '',
        confirmed: false,
        lastMailAt: now(),
      };
      mailSubscriptions.set(arn, subscription);
    }
    // A pending address is mailed again (and its 48 hours start again); a confirmed one is not mailed.
    if (!subscription.confirmed) mail(subscription);
    const shown =
      subscription.confirmed || params.get('ReturnSubscriptionArn')?.toLowerCase() === 'true' ? arn : PENDING_ANSWER;
    return success('Subscribe', `<SubscriptionArn>${escapeXml(shown)}</SubscriptionArn>`);
  };

  const unsubscribe = async (params: URLSearchParams, body: Buffer, req: IncomingMessage) => {
    const arn = params.get('SubscriptionArn') ?? '';
    if (arn && !arn.startsWith('arn:')) {
      return failure(
        400,
        'InvalidParameter',
        `Invalid parameter: SubscriptionArn Reason: ${arn} does not start with arn`,
      );
    }
    // AWS refuses it (the subscription goes by itself once unconfirmed for 48 hours): the message is SNS's own, as
    // callers match it (e.g. hashicorp/terraform-provider-aws, resourceTopicSubscriptionDelete).
    if (mailSubscriptions.get(arn)?.confirmed === false) {
      return failure(
        400,
        'InvalidParameter',
        'Invalid parameter: SubscriptionArn Reason: Cannot unsubscribe a subscription that is pending confirmation',
      );
    }
    const answer = await send(body, req);
    if (answer.status === 200) forget(arn);
    return answer;
  };

  const confirmSubscription = async (params: URLSearchParams, body: Buffer, req: IncomingMessage) => {
    const token = params.get('Token') ?? '';
    const entry = tokens.get(token);
    const subscription = entry && mailSubscriptions.get(entry.arn);
    if (entry && subscription && subscription.topicArn === params.get('TopicArn')) {
      if (now() - entry.sentAt >= PENDING_LIFETIME_MS) {
        return failure(400, 'InvalidParameter', 'Invalid token');
      }
      await confirm(subscription);
      return success('ConfirmSubscription', `<SubscriptionArn>${escapeXml(subscription.arn)}</SubscriptionArn>`);
    }
    // fauxqs would take an e-mail subscription's ARN as its token: no mail ever carries that.
    if (mailSubscriptions.has(token)) return failure(400, 'InvalidParameter', 'Invalid token');
    return send(body, req);
  };

  const deleteTopic = async (params: URLSearchParams, body: Buffer, req: IncomingMessage) => {
    const answer = await send(body, req);
    const topicArn = params.get('TopicArn');
    if (answer.status === 200) {
      for (const subscription of [...mailSubscriptions.values()]) {
        if (subscription.topicArn === topicArn) forget(subscription.arn);
      }
    }
    return answer;
  };

  /** Whether fauxqs's ARN is of the caller's account and region. */
  const isOwn = (arn: string, scope: SnsScope) => {
    const owner = ownerOf(arn);
    return owner?.account === scope.account && owner.region === scope.region;
  };

  /** ListTopics: fauxqs lists every region's and account's topics; SNS only the caller's. */
  const listTopics = async (body: Buffer, req: IncomingMessage, scope: SnsScope) => {
    const answer = await send(body, req);
    if (answer.status !== 200) return answer;
    const members = [...answer.body.matchAll(/<member>([\s\S]*?)<\/member>/g)]
      .map((match) => match[1] ?? '')
      .filter((member) => isOwn(/<TopicArn>([^<]*)<\/TopicArn>/.exec(member)?.[1] ?? '', scope))
      .map((member) => `<member>${member.trim()}</member>`);
    return success('ListTopics', `<Topics>${members.join('')}</Topics>`);
  };

  /** One page of ListSubscriptionsByTopic (`topicArn`) or ListSubscriptions (the caller's own), ordered by ARN. */
  const list = async (
    action: 'ListSubscriptionsByTopic' | 'ListSubscriptions',
    params: URLSearchParams,
    caller: SnsScope,
  ) => {
    const topicArn = action === 'ListSubscriptionsByTopic' ? (params.get('TopicArn') ?? '') : undefined;
    const scope = topicArn ?? '*';
    let after = '';
    const nextToken = params.get('NextToken');
    if (nextToken) {
      const decoded = decodeToken(nextToken);
      if (!decoded || decoded.scope !== scope) return failure(400, 'InvalidParameter', 'Invalid parameter: NextToken');
      after = decoded.after;
    }
    if (topicArn !== undefined) {
      // fauxqs lists nothing for a topic it does not know; SNS answers NotFound, as GetTopicAttributes does.
      const topic = await call({ Action: 'GetTopicAttributes', TopicArn: topicArn });
      if (topic.status !== 200) return topic;
    }
    const all = await call(topicArn === undefined ? { Action: action } : { Action: action, TopicArn: topicArn });
    if (all.status !== 200) return all;
    const members = listedSubscriptions(all.body, (arn) => mailSubscriptions.get(arn)?.confirmed === false)
      .filter((member) => member.arn > after)
      .filter((member) => topicArn !== undefined || isOwn(member.arn, caller))
      .sort((a, b) => (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0));
    const page = members.slice(0, SUBSCRIPTIONS_PAGE_SIZE);
    const last = page.at(-1);
    const more =
      members.length > SUBSCRIPTIONS_PAGE_SIZE && last
        ? `<NextToken>${escapeXml(encodeToken({ scope, after: last.arn }))}</NextToken>`
        : '';
    return success(action, `<Subscriptions>${page.map((member) => member.xml).join('')}</Subscriptions>${more}`);
  };

  /** An SNS call, its parameters and body already as fauxqs is to receive them (sns-accounts.ts). */
  const handleSns = async (
    req: IncomingMessage,
    params: URLSearchParams,
    body: Buffer,
    scope: SnsScope,
  ): Promise<Answer | undefined> => {
    const action = params.get('Action') ?? '';
    // The hub's own region keeps the buckets' plain names; every other account and region has buckets of its own.
    const own = scope.account === defaultScope.account && scope.region === defaultScope.region;
    const bucket = own ? undefined : `${scope.account}/${scope.region}`;
    if (SNS_QUOTAS[action] && !quotas.take([[action, bucket]])) return failure(429, 'Throttled', 'Rate exceeded');
    await sweep();
    switch (action) {
      case 'Subscribe':
        return CONFIRMED_BY_MAIL.has(params.get('Protocol') ?? '') ? subscribe(params, body, req) : undefined;
      case 'Unsubscribe':
        return unsubscribe(params, body, req);
      case 'ConfirmSubscription':
        return confirmSubscription(params, body, req);
      case 'DeleteTopic':
        return deleteTopic(params, body, req);
      case 'ListSubscriptionsByTopic':
      case 'ListSubscriptions':
        return list(action, params, scope);
      case 'ListTopics':
        return listTopics(body, req, scope);
      default:
        return undefined; // everything else as fauxqs answers it
    }
  };

  // ---- control routes ----

  const findMailSubscriptions = (input: Record<string, unknown>, confirmed: boolean) => {
    const { address, topicArn: named, protocol } = input;
    if (typeof address !== 'string' || typeof named !== 'string') {
      throw new ControlError(400, 'address and topicArn (strings) are required');
    }
    const topicArn = inwardArns(named);
    if (protocol !== undefined && typeof protocol !== 'string')
      throw new ControlError(400, 'protocol must be a string');
    // A mailbox is the same whatever the case of its address.
    return [...mailSubscriptions.values()].filter(
      (subscription) =>
        subscription.confirmed === confirmed &&
        subscription.topicArn === topicArn &&
        subscription.address.toLowerCase() === address.toLowerCase() &&
        (protocol === undefined || subscription.protocol === protocol),
    );
  };

  const quotaState = (): QuotaState & { quotas: Record<string, number> } => ({
    ...quotas.state(),
    quotas: Object.fromEntries(Object.entries(SNS_QUOTAS).map(([name, quota]) => [name, quota.perSecond])),
  });

  const handleControl = async (method: string, route: string, query: URLSearchParams, body: Buffer) => {
    await sweep();
    const input = (): Record<string, unknown> => {
      try {
        const parsed: unknown = JSON.parse(body.toString('utf8') || '{}');
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
      } catch {
        // answered below
      }
      throw new ControlError(400, 'the body must be a JSON object');
    };
    switch (`${method} ${route}`) {
      case 'GET /confirmations': {
        const named = query.get('topicArn');
        const topicArn = named && inwardArns(named);
        return {
          status: 200,
          body: mails
            .filter((sent) => !topicArn || sent.topicArn === topicArn)
            .map((sent) => ({ ...sent, topicArn: shown(sent.topicArn) })),
        };
      }
      case 'DELETE /confirmations':
        mails = [];
        return { status: 204 };
      case 'POST /confirm': {
        const pending = findMailSubscriptions(input(), false);
        if (pending.length === 0) throw new ControlError(404, 'no such pending subscription');
        for (const subscription of pending) await confirm(subscription);
        return { status: 200, body: { subscriptionArns: pending.map((subscription) => shown(subscription.arn)) } };
      }
      case 'POST /unsubscribe-link': {
        const confirmed = findMailSubscriptions(input(), true);
        if (confirmed.length === 0) throw new ControlError(404, 'no such confirmed subscription');
        for (const subscription of confirmed) {
          const answer = await call({ Action: 'Unsubscribe', SubscriptionArn: subscription.arn });
          if (answer.status !== 200) throw new Error(`fauxqs refused to unsubscribe: ${answer.status}`);
          forget(subscription.arn);
        }
        return { status: 200, body: { subscriptionArns: confirmed.map((subscription) => shown(subscription.arn)) } };
      }
      case 'GET /quotas':
        return { status: 200, body: quotaState() };
      case 'PUT /quotas': {
        const { scale } = input();
        if (typeof scale !== 'number' || !Number.isFinite(scale) || scale < 0) {
          throw new ControlError(400, 'scale must be a number of at least 0');
        }
        quotas.setScale(scale);
        quotas.resetCounts();
        return { status: 200, body: quotaState() };
      }
      case 'GET /clock':
        return { status: 200, body: { now: new Date(now()).toISOString(), offsetMs: clockOffsetMs } };
      case 'POST /clock': {
        const { advanceMs } = input();
        if (typeof advanceMs !== 'number' || !Number.isFinite(advanceMs) || advanceMs < 0) {
          throw new ControlError(400, 'advanceMs must be a number of at least 0');
        }
        clockOffsetMs += advanceMs;
        await sweep();
        return { status: 200, body: { now: new Date(now()).toISOString(), offsetMs: clockOffsetMs } };
      }
      default:
        throw new ControlError(404, `no route ${method} ${CONTROL_PREFIX}${route}`);
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === CONTROL_PREFIX || url.pathname.startsWith(`${CONTROL_PREFIX}/`)) {
      try {
        const answer = await handleControl(
          req.method ?? 'GET',
          url.pathname.slice(CONTROL_PREFIX.length),
          url.searchParams,
          body,
        );
        res.writeHead(answer.status, answer.body === undefined ? {} : { 'content-type': 'application/json' });
        res.end(answer.body === undefined ? undefined : JSON.stringify(answer.body));
      } catch (error) {
        const status = error instanceof ControlError ? error.status : 500;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: (error as Error).message }));
      }
      return;
    }
    // The caller's account (its key's) and region (its signature's): what it sees of fauxqs (sns-accounts.ts).
    const scope = callScope(req.headers.authorization, defaultScope);
    const params = new URLSearchParams(req.method === 'POST' ? body.toString('utf8') : '');
    let answer: Answer;
    try {
      if (params.get('Action') === 'CreateTopic' && isReservedTopicName(params.get('Name') ?? '')) {
        answer = failure(400, 'InvalidParameter', 'Invalid parameter: Topic Name');
      } else if (req.method === 'POST') {
        const fauxqsParams = inward(params, scope);
        const fauxqsBody = Buffer.from(fauxqsParams.toString());
        answer = (await handleSns(req, fauxqsParams, fauxqsBody, scope)) ?? (await send(fauxqsBody, req));
      } else answer = await send(body, req);
    } catch (error) {
      answer = failure(500, 'InternalError', `the local SNS failed: ${(error as Error).message}`, 'Receiver');
    }
    res.writeHead(answer.status, answer.headers);
    res.end(outward(answer.body, scope));
  };

  const { server, port } = await listenOnLoopback(options.port, handle);
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    controlUrl: `${url}${CONTROL_PREFIX}`,
    quotas,
    forgetConfirmations() {
      mails = [];
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The members of fauxqs's ListSubscriptions* answer; a pending one shows `PendingConfirmation` for its ARN. */
function listedSubscriptions(xml: string, isPending: (arn: string) => boolean): ListedSubscription[] {
  const members: ListedSubscription[] = [];
  for (const match of xml.matchAll(/<member>([\s\S]*?)<\/member>/g)) {
    const inner = match[1] ?? '';
    const arn = /<SubscriptionArn>([^<]*)<\/SubscriptionArn>/.exec(inner)?.[1] ?? '';
    const shown = isPending(arn)
      ? inner.replace(/<SubscriptionArn>[^<]*<\/SubscriptionArn>/, `<SubscriptionArn>${PENDING_ARN}</SubscriptionArn>`)
      : inner;
    members.push({ arn, xml: `<member>${shown.trim()}</member>` });
  }
  return members;
}

function encodeToken(token: { scope: string; after: string }): string {
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function decodeToken(raw: string): { scope: string; after: string } | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    const { scope, after } = (parsed ?? {}) as { scope?: unknown; after?: unknown };
    return typeof scope === 'string' && typeof after === 'string' ? { scope, after } : undefined;
  } catch {
    return undefined;
  }
}

function success(action: string, result: string): Answer {
  const requestId = randomUUID();
  return {
    status: 200,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
    body: `<${action}Response xmlns="${SNS_XMLNS}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`,
  };
}

/** SNS's awsQuery error envelope. */
function failure(status: number, code: string, message: string, type: 'Sender' | 'Receiver' = 'Sender'): Answer {
  const requestId = randomUUID();
  return {
    status,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
    body: `<ErrorResponse xmlns="${SNS_XMLNS}"><Error><Type>${type}</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
  };
}

function escapeXml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}
