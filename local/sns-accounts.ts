/**
 * SNS's accounts in front of fauxqs, which keeps topics per region (from the SigV4 scope) but knows one account
 * only (000000000000, the hub's). The local SNS proxy keeps every other account's topics apart by name: account
 * A's topic `n` is fauxqs's `acct-A--n`, and its ARN `arn:aws:sns:<region>:A:n` is fauxqs's
 * `arn:aws:sns:<region>:000000000000:acct-A--n` (a subscription's ARN, the topic's plus `:<id>`, the same way).
 * Requests are rewritten on the way in (`inward`: CreateTopic's name, every SNS ARN in any parameter, a policy's
 * included) and answers on the way out (`outward`), so callers only ever see their own account's names; listings
 * are narrowed to the caller's account and region (`ownerOf`).
 */

/** The one account fauxqs knows: the hub's topics keep their names there. */
export const FAUXQS_ACCOUNT = '000000000000';
/** fauxqs's name of another account's topic. Nobody may create a topic so named (it would be another's). */
const FOREIGN_NAME = /^acct-(\d{12})--/;
const ANY_ARN = /arn:aws:sns:([a-z0-9-]+):(\d{12}):/g;
const FAUXQS_FOREIGN_ARN = /arn:aws:sns:([a-z0-9-]+):000000000000:acct-(\d{12})--/g;

export interface SnsScope {
  account: string;
  region: string;
}

/** Whether a topic name is reserved for the mapping (CreateTopic refuses it). */
export const isReservedTopicName = (name: string): boolean => FOREIGN_NAME.test(name);

/** One value with every SNS ARN of another account written as fauxqs knows it. */
export function inwardArns(value: string): string {
  return value.replace(ANY_ARN, (whole, region: string, account: string) =>
    account === FAUXQS_ACCOUNT ? whole : `arn:aws:sns:${region}:${FAUXQS_ACCOUNT}:acct-${account}--`,
  );
}

/** The request's parameters as fauxqs is to receive them from a caller of `scope`. */
export function inward(params: URLSearchParams, scope: SnsScope): URLSearchParams {
  const rewritten = new URLSearchParams();
  for (const [key, value] of params) {
    const own = key === 'Name' && params.get('Action') === 'CreateTopic' && scope.account !== FAUXQS_ACCOUNT;
    rewritten.append(key, own ? `acct-${scope.account}--${value}` : inwardArns(value));
  }
  return rewritten;
}

/** fauxqs's answer (or any text of it) as a caller of `scope` is to see it: ARNs and the owner of its account. */
export function outward(text: string, scope: SnsScope): string {
  const arns = text.replace(FAUXQS_FOREIGN_ARN, (_whole, region: string, account: string) => {
    return `arn:aws:sns:${region}:${account}:`;
  });
  if (scope.account === FAUXQS_ACCOUNT) return arns;
  return arns
    .replaceAll(`<Owner>${FAUXQS_ACCOUNT}</Owner>`, `<Owner>${scope.account}</Owner>`)
    .replaceAll(`<key>Owner</key><value>${FAUXQS_ACCOUNT}</value>`, `<key>Owner</key><value>${scope.account}</value>`);
}

/** The account and region of a topic or subscription ARN as fauxqs writes it. */
export function ownerOf(fauxqsArn: string): SnsScope | undefined {
  const match = /^arn:aws:sns:([a-z0-9-]+):(\d{12}):(.*)$/.exec(fauxqsArn);
  if (!match) return undefined;
  const [, region = '', account = '', resource = ''] = match;
  return { region, account: FOREIGN_NAME.exec(resource)?.[1] ?? account };
}
