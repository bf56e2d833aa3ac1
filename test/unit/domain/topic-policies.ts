/**
 * Topic access policies as people write them, for the audit's policy rules (lib/domain/audit/topic-policy.ts):
 * SNS's default policy, the project's own, and the statements found in the wild that open a topic to anyone,
 * confine it to an account or organisation, or deny SageMaker's publish with a condition.
 */
import { sageMakerPublishStatement } from '#lib/domain/audit/topic-policy';
import { TOPIC_ARN } from './fixtures';

export const ACCOUNT = '123456789012';
export const OTHER_ACCOUNT = '210987654321';
export const WORKTEAM_ARN = `arn:aws:sagemaker:eu-west-1:${ACCOUNT}:workteam/private-crowd/labeling-team`;

type Statement = Record<string, unknown>;

export function policyOf(...statements: Statement[]): string {
  return JSON.stringify({ Version: '2012-10-17', Id: 'fixture', Statement: statements });
}

/** What lib/adapters/notifications.ts sets: SageMaker may publish on behalf of the topic's account. */
export const PROJECT_ALLOW: Statement = sageMakerPublishStatement(TOPIC_ARN);

/** The statement SNS gives a new topic: everyone, but only on behalf of the owning account (`AWS:SourceOwner`). */
export const SNS_DEFAULT: Statement = {
  Sid: '__default_statement_ID',
  Effect: 'Allow',
  Principal: { AWS: '*' },
  Action: [
    'SNS:GetTopicAttributes',
    'SNS:SetTopicAttributes',
    'SNS:AddPermission',
    'SNS:RemovePermission',
    'SNS:DeleteTopic',
    'SNS:Subscribe',
    'SNS:ListSubscriptionsByTopic',
    'SNS:Publish',
  ],
  Resource: TOPIC_ARN,
  Condition: { StringEquals: { 'AWS:SourceOwner': ACCOUNT } },
};

/** "Let the mobile team subscribe": anyone in the world may. */
export const OPEN_SUBSCRIBE: Statement = {
  Sid: 'AllowSubscribe',
  Effect: 'Allow',
  Principal: '*',
  Action: 'sns:Subscribe',
  Resource: TOPIC_ARN,
};

/** "Let S3 publish", written with any bucket of any account. */
export const OPEN_PUBLISH_ANY_BUCKET: Statement = {
  Sid: 'AllowBucketEvents',
  Effect: 'Allow',
  Principal: { AWS: '*' },
  Action: 'SNS:Publish',
  Resource: TOPIC_ARN,
  Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:s3:::*' } },
};

/** Anyone, on any account (IfExists lets a request without the key through). */
export const OPEN_IF_EXISTS: Statement = {
  Sid: 'AllowIfExists',
  Effect: 'Allow',
  Principal: { AWS: ['*'] },
  Action: ['sns:Subscribe', 'sns:Publish'],
  Resource: TOPIC_ARN,
  Condition: { StringEqualsIfExists: { 'aws:SourceAccount': ACCOUNT } },
};

/** Everyone in the organisation may subscribe: confined. */
export const ORG_SUBSCRIBE: Statement = {
  Sid: 'AllowOrganisation',
  Effect: 'Allow',
  Principal: '*',
  Action: 'sns:Subscribe',
  Resource: TOPIC_ARN,
  Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
};

/** The usual guard: nothing on behalf of another account. SageMaker's request carries the team's account. */
export const DENY_OTHER_SOURCE_ACCOUNTS: Statement = {
  Sid: 'DenyOtherAccounts',
  Effect: 'Deny',
  Principal: '*',
  Action: 'sns:Publish',
  Resource: TOPIC_ARN,
  Condition: { StringNotEquals: { 'aws:SourceAccount': ACCOUNT } },
};

/** The same guard with the wrong account typed in: it denies SageMaker. */
export const DENY_ALL_BUT_WRONG_ACCOUNT: Statement = {
  Sid: 'DenyOtherAccounts',
  Effect: 'Deny',
  Principal: '*',
  Action: 'sns:Publish',
  Resource: TOPIC_ARN,
  Condition: { StringNotEquals: { 'aws:SourceAccount': OTHER_ACCOUNT } },
};

/** Nothing from outside the organisation: whether SageMaker's request carries aws:PrincipalOrgID is not known. */
export const DENY_OUTSIDE_ORG: Statement = {
  Sid: 'DenyOutsideOrganisation',
  Effect: 'Deny',
  Principal: '*',
  Action: 'sns:*',
  Resource: TOPIC_ARN,
  Condition: { StringNotEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
};

/** No HTTP endpoints: sns:Protocol is Subscribe's key, absent from a publish. */
export const DENY_HTTP_SUBSCRIPTIONS: Statement = {
  Sid: 'DenyHttp',
  Effect: 'Deny',
  Principal: '*',
  Action: 'sns:*',
  Resource: TOPIC_ARN,
  Condition: { StringEquals: { 'sns:Protocol': ['http', 'https'] } },
};

/** Meant for subscriptions without an endpoint, but a publish has no sns:Endpoint either: it denies SageMaker. */
export const DENY_WITHOUT_ENDPOINT: Statement = {
  Sid: 'DenyWithoutEndpoint',
  Effect: 'Deny',
  Principal: '*',
  Action: 'sns:*',
  Resource: TOPIC_ARN,
  Condition: { Null: { 'sns:Endpoint': 'true' } },
};

/** Nothing but AWS services may publish: SageMaker is one. */
export const DENY_NON_SERVICES: Statement = {
  Sid: 'DenyNonServices',
  Effect: 'Deny',
  Principal: '*',
  Action: 'sns:Publish',
  Resource: TOPIC_ARN,
  Condition: { Bool: { 'aws:PrincipalIsAWSService': 'false' } },
};

/** Everyone but the account's root is denied: that covers SageMaker too. */
export const DENY_ALL_BUT_ROOT: Statement = {
  Sid: 'DenyAllButRoot',
  Effect: 'Deny',
  NotPrincipal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
  Action: 'sns:Publish',
  Resource: TOPIC_ARN,
};

/** SageMaker's publish allowed for one work team: whether its request carries that aws:SourceArn is not known. */
export const ALLOW_FROM_WORKTEAM_ARN: Statement = {
  Sid: 'AllowFromWorkteam',
  Effect: 'Allow',
  Principal: { Service: 'sagemaker.amazonaws.com' },
  Action: 'sns:Publish',
  Resource: TOPIC_ARN,
  Condition: { ArnLike: { 'aws:SourceArn': WORKTEAM_ARN } },
};

/** SageMaker's publish allowed, but on behalf of another account only. */
export const ALLOW_OTHER_ACCOUNT_ONLY: Statement = {
  ...PROJECT_ALLOW,
  Condition: { StringEquals: { 'aws:SourceAccount': OTHER_ACCOUNT } },
};

/** Conditions on the time: a key every request carries, with a value the audit does not evaluate. */
export const DENY_AFTER_DATE: Statement = {
  Sid: 'DenyAfterMigration',
  Effect: 'Deny',
  Principal: '*',
  Action: 'sns:Publish',
  Resource: TOPIC_ARN,
  Condition: { DateGreaterThan: { 'aws:CurrentTime': '2027-01-01T00:00:00Z' } },
};
