/**
 * A team topic's access policy: the one this system gives a team topic, so that SageMaker may publish to it
 * (`teamTopicPolicy`), and the policy read as SNS evaluates it (iam-policy.ts) for two questions the audit
 * asks: may SageMaker publish to the topic (its `sns:Publish` as the service principal `sagemaker.amazonaws.com`),
 * and does the policy let anyone at all subscribe or publish. Pure; no AWS call.
 */
import {
  conditionValues,
  coversAction,
  coversResource,
  evaluateCondition,
  isJsonObject,
  type Json,
  parseOperator,
  type RequestContext,
  statementName,
  statementsOf,
  stringsOf,
  type Truth,
} from './iam-policy';

/** The service principal SageMaker publishes to a work team's topic as. */
export const SAGEMAKER_PRINCIPAL = 'sagemaker.amazonaws.com';

/** The account of an ARN (its fifth field) when it is one: twelve digits. */
export function accountOf(arn: string | undefined): string | undefined {
  const account = arn?.split(':')[4];
  return account !== undefined && /^\d{12}$/.test(account) ? account : undefined;
}

/**
 * The statement this system gives a team's topic: SageMaker may publish, on behalf of the topic's own account only
 * (`aws:SourceAccount` guards against the confused deputy).
 */
export function sageMakerPublishStatement(topicArn: string) {
  return {
    Sid: 'AllowSageMakerToPublish',
    Effect: 'Allow',
    Principal: { Service: SAGEMAKER_PRINCIPAL },
    Action: 'sns:Publish',
    Resource: topicArn,
    Condition: { StringEquals: { 'aws:SourceAccount': topicArn.split(':')[4] ?? '' } },
  };
}

/**
 * The access policy this system gives a team's topic: SageMaker's publish only. It replaces SNS's default owner
 * statement, which the account's IAM policies make unnecessary.
 */
export function teamTopicPolicy(topicArn: string) {
  return { Version: '2012-10-17', Id: 'workteam-notifications', Statement: [sageMakerPublishStatement(topicArn)] };
}

/**
 * The request context of SageMaker's publish. It carries these condition keys, evaluated with their value:
 * `aws:SourceAccount` (the team's account), `aws:SecureTransport` (`true`: a service calls over TLS),
 * `aws:PrincipalIsAWSService` (`true`), `aws:PrincipalServiceName` (`sagemaker.amazonaws.com`); it never carries
 * Subscribe's keys (`sns:Protocol`, `sns:Endpoint`), which are absent. Any other key (`aws:SourceArn`,
 * `aws:PrincipalAccount`, `aws:PrincipalOrgID`, `aws:CurrentTime`, ...) cannot be told.
 */
function sageMakerPublishContext(sourceAccount: string | undefined): RequestContext {
  const present = new Map<string, string>([
    ['aws:securetransport', 'true'],
    ['aws:principalisawsservice', 'true'],
    ['aws:principalservicename', SAGEMAKER_PRINCIPAL],
  ]);
  if (sourceAccount !== undefined && /^\d{12}$/.test(sourceAccount)) present.set('aws:sourceaccount', sourceAccount);
  return { present, absent: new Set(['sns:protocol', 'sns:endpoint']) };
}

function namesSageMaker(principal: unknown): boolean {
  if (principal === '*') return true;
  if (!isJsonObject(principal)) return false;
  return (
    stringsOf(principal.AWS).includes('*') ||
    stringsOf(principal.Service).some((service) => service.toLowerCase() === SAGEMAKER_PRINCIPAL)
  );
}

/** Principal `"*"` or `{"AWS": "*"}` (alone or in a list): anyone, any account. */
function namesAnyone(principal: unknown): boolean {
  if (principal === '*') return true;
  return isJsonObject(principal) && stringsOf(principal.AWS).includes('*');
}

/** Whether a statement's Principal / NotPrincipal, Action / NotAction and Resource / NotResource cover the call. */
function coversSageMakerPublish(statement: Json, topicArn: string): boolean {
  let principal: boolean;
  if ('Principal' in statement) principal = namesSageMaker(statement.Principal);
  else if ('NotPrincipal' in statement) principal = !namesSageMaker(statement.NotPrincipal);
  else principal = false;
  return principal && coversAction(statement, 'sns:Publish') && coversResource(statement, topicArn);
}

interface PublishVerdict {
  /** `unknown`: a statement that decides it has a condition the audit cannot evaluate. */
  mayPublish: Truth;
  /** Deny statements that block SageMaker's publish (Sid or place). */
  denyingStatements: string[];
  /** Statements whose conditions could not be told, and the condition keys that could not be evaluated. */
  undecidedStatements: string[];
  undecidedKeys: string[];
}

/**
 * Whether SageMaker's `sns:Publish` to the topic is allowed by its access policy: an Allow statement covering it
 * whose conditions hold, and no Deny statement covering it whose conditions hold (a Deny wins). `sourceAccount` is
 * the team's account (`aws:SourceAccount` of SageMaker's request); by default the topic's. An absent or unreadable
 * policy allows nothing.
 */
export function sageMakerPublishVerdict(
  policyJson: string | undefined,
  topicArn: string,
  sourceAccount: string | undefined = accountOf(topicArn),
): PublishVerdict {
  const context = sageMakerPublishContext(sourceAccount);
  const allows: Truth[] = [];
  const denyingStatements: string[] = [];
  const undecidedDenies: { name: string; keys: string[] }[] = [];
  const undecidedAllows: { name: string; keys: string[] }[] = [];
  statementsOf(policyJson).forEach((statement, index) => {
    if (!coversSageMakerPublish(statement, topicArn)) return;
    const { truth, undecided } = evaluateCondition(statement.Condition, context);
    const name = statementName(statement, index);
    if (statement.Effect === 'Deny') {
      if (truth === true) denyingStatements.push(name);
      if (truth === 'unknown') undecidedDenies.push({ name, keys: undecided });
    } else if (statement.Effect === 'Allow') {
      allows.push(truth);
      if (truth === 'unknown') undecidedAllows.push({ name, keys: undecided });
    }
  });
  let mayPublish: Truth;
  if (denyingStatements.length > 0) mayPublish = false;
  else if (allows.includes(true)) mayPublish = undecidedDenies.length > 0 ? 'unknown' : true;
  else mayPublish = allows.includes('unknown') ? 'unknown' : false;
  // Only what decides the answer is named: undecided allows do not matter once one allow holds.
  const deciding =
    mayPublish === 'unknown' ? [...undecidedDenies, ...(allows.includes(true) ? [] : undecidedAllows)] : [];
  return {
    mayPublish,
    denyingStatements,
    undecidedStatements: deciding.map(({ name }) => name),
    undecidedKeys: [...new Set(deciding.flatMap(({ keys }) => keys))].sort(),
  };
}

/** Shorthand: SageMaker may publish, for certain. */
export function allowsSageMakerPublish(policyJson: string | undefined, topicArn: string): boolean {
  return sageMakerPublishVerdict(policyJson, topicArn).mayPublish === true;
}

/**
 * Condition keys that confine a statement to one account or organisation: a positive match on one of them with a
 * value that is not a wildcard keeps everyone else out.
 */
const CONFINING_KEYS = new Set([
  'aws:sourceaccount',
  'aws:sourceowner',
  'aws:sourceorgid',
  'aws:sourceorgpaths',
  'aws:sourcearn',
  'aws:principalaccount',
  'aws:principalorgid',
  'aws:principalorgpaths',
  'aws:principalarn',
]);
const CONFINING_OPERATORS = new Set(['stringequals', 'stringequalsignorecase', 'stringlike', 'arnequals', 'arnlike']);

/** Whether a value names something narrower than everyone: not a bare wildcard, nor an ARN of any account. */
function isConfiningValue(key: string, value: string): boolean {
  if (value === '' || /^[*?]+$/.test(value)) return false;
  if (key === 'aws:sourcearn' || key === 'aws:principalarn') return accountOf(value) !== undefined;
  return true;
}

/**
 * A Condition that confines a statement to an account or organisation: at least one of its blocks is a positive,
 * non-`IfExists` match of a confining key against values that are not wildcards (every block must hold, so one
 * confining block confines the statement).
 */
function isConfined(condition: unknown): boolean {
  if (!isJsonObject(condition)) return false;
  return Object.entries(condition).some(([rawOperator, block]) => {
    const operator = parseOperator(rawOperator);
    if (operator.ifExists || operator.set === 'all' || !CONFINING_OPERATORS.has(operator.base)) return false;
    if (!isJsonObject(block)) return false;
    return Object.entries(block).some(([rawKey, rawValues]) => {
      const key = rawKey.toLowerCase();
      const values = conditionValues(rawValues);
      return (
        CONFINING_KEYS.has(key) &&
        values !== undefined &&
        values.length > 0 &&
        values.every((value) => isConfiningValue(key, value))
      );
    });
  });
}

interface OpenAccess {
  /** The actions anyone may call on the topic: `sns:Subscribe`, `sns:Publish`. */
  actions: string[];
  /** The statements that let them (Sid or place). */
  statements: string[];
}

const OPEN_ACTIONS = ['sns:Subscribe', 'sns:Publish'];

/**
 * What an Allow statement lets anyone do on the topic: Principal `"*"` or `{"AWS": "*"}` (or a NotPrincipal,
 * which allows everyone it does not name) with `sns:Subscribe` or `sns:Publish`, and no condition confining it to
 * an account or organisation. Undefined when the policy lets nobody outside in.
 */
export function openAccessOf(policyJson: string | undefined, topicArn: string): OpenAccess | undefined {
  const actions = new Set<string>();
  const statements: string[] = [];
  statementsOf(policyJson).forEach((statement, index) => {
    if (statement.Effect !== 'Allow') return;
    const anyone = 'Principal' in statement ? namesAnyone(statement.Principal) : 'NotPrincipal' in statement;
    if (!anyone || !coversResource(statement, topicArn) || isConfined(statement.Condition)) return;
    const opened = OPEN_ACTIONS.filter((action) => coversAction(statement, action));
    if (opened.length === 0) return;
    for (const action of opened) actions.add(action);
    statements.push(statementName(statement, index));
  });
  if (statements.length === 0) return undefined;
  return { actions: OPEN_ACTIONS.filter((action) => actions.has(action)), statements };
}

/** The AWS managed key of SNS (`alias/aws/sns`, by name or alias ARN): its key policy cannot grant SageMaker. */
export function isAwsManagedSnsKey(kmsMasterKeyId: string | undefined): boolean {
  if (kmsMasterKeyId === undefined) return false;
  return /^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:)?alias\/aws\/sns$/.test(kmsMasterKeyId.trim());
}
