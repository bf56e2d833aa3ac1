/**
 * The local SNS's control routes (LOCAL_SNS_CONTROL_URL, local/sns-proxy.ts): the mailbox of confirmation mails,
 * the workers' clicks, and the request-rate quotas of the local SNS and Cognito. SNS keeps an e-mail
 * subscription pending until its worker confirms it, and a pending one cannot be unsubscribed: a test whose
 * workers leave has them confirm first, as they would.
 */

function controlUrl(): string {
  const url = process.env.LOCAL_SNS_CONTROL_URL;
  if (!url) throw new Error("LOCAL_SNS_CONTROL_URL is not set: the test run's global setup starts the local cloud");
  return url;
}

async function postJson(url: string, body: unknown): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** The workers click their confirmation links: their pending subscriptions to the topic are confirmed. */
export async function confirmSubscriptions(topicArn: string, addresses: readonly string[]): Promise<void> {
  for (const address of addresses) {
    const response = await postJson(`${controlUrl()}/confirm`, { address, topicArn });
    if (response.status !== 200) throw new Error(`the local SNS did not confirm a subscription: ${response.status}`);
  }
}

export interface ConfirmationMail {
  address: string;
  topicArn: string;
  sentAt: string;
}

/** Every confirmation mail the local SNS sent, oldest first; those of one topic when given. */
export async function confirmationMails(topicArn?: string): Promise<ConfirmationMail[]> {
  const query = topicArn ? `?topicArn=${encodeURIComponent(topicArn)}` : '';
  const response = await fetch(`${controlUrl()}/confirmations${query}`);
  if (response.status !== 200) throw new Error(`GET /confirmations answered ${response.status}`);
  return (await response.json()) as ConfirmationMail[];
}

type QuotaService = 'sns' | 'cognito';

function quotasUrl(service: QuotaService): string {
  if (service === 'sns') return `${controlUrl()}/quotas`;
  const cognito = process.env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER;
  if (!cognito) throw new Error('AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER is not set');
  return `${cognito}/_quotas`;
}

export interface QuotaState {
  scale: number;
  admitted: Record<string, number>;
  throttled: Record<string, number>;
}

/** The quotas of the local SNS or Cognito: the scale (1 is AWS's rates, 0 lifts them) and what was throttled. */
export async function quotaState(service: QuotaService): Promise<QuotaState> {
  const response = await fetch(quotasUrl(service));
  if (response.status !== 200) throw new Error(`GET quotas of ${service} answered ${response.status}`);
  return (await response.json()) as QuotaState;
}

export async function setQuotaScale(service: QuotaService, scale: number): Promise<void> {
  const response = await fetch(quotasUrl(service), {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ scale }),
  });
  if (response.status !== 200) throw new Error(`the local ${service} did not take the scale: ${response.status}`);
}

/** Runs `work` with the quotas of the local SNS and Cognito at `scale`, then puts them back as they were. */
export async function withQuotaScale<T>(scale: number, work: () => Promise<T>): Promise<T> {
  const before = await Promise.all([quotaState('sns'), quotaState('cognito')]);
  await Promise.all([setQuotaScale('sns', scale), setQuotaScale('cognito', scale)]);
  try {
    return await work();
  } finally {
    await setQuotaScale('sns', before[0].scale);
    await setQuotaScale('cognito', before[1].scale);
  }
}

/** The worker clicks the "unsubscribe" link of a mail: their confirmed subscription goes, as SNS does it. */
export async function unsubscribeByLink(topicArn: string, address: string): Promise<void> {
  const response = await postJson(`${controlUrl()}/unsubscribe-link`, { address, topicArn });
  if (response.status !== 200) throw new Error(`the local SNS did not unsubscribe: ${response.status}`);
}

/** Moves the local SNS's clock forward: pending subscriptions older than 48 h are dropped, as SNS drops them. */
export async function advanceSnsClock(ms: number): Promise<void> {
  const response = await postJson(`${controlUrl()}/clock`, { advanceMs: ms });
  if (response.status !== 200) throw new Error(`the local SNS did not move its clock: ${response.status}`);
}
