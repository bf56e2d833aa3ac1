import type { Truth } from '#lib/domain/audit/iam-policy';
import { isAwsManagedSnsKey, openAccessOf, sageMakerPublishVerdict } from '#lib/domain/audit/topic-policy';
import { TOPIC_ARN } from './fixtures';
import {
  ACCOUNT,
  ALLOW_FROM_WORKTEAM_ARN,
  ALLOW_OTHER_ACCOUNT_ONLY,
  DENY_AFTER_DATE,
  DENY_ALL_BUT_ROOT,
  DENY_ALL_BUT_WRONG_ACCOUNT,
  DENY_HTTP_SUBSCRIPTIONS,
  DENY_NON_SERVICES,
  DENY_OTHER_SOURCE_ACCOUNTS,
  DENY_OUTSIDE_ORG,
  DENY_WITHOUT_ENDPOINT,
  OPEN_IF_EXISTS,
  OPEN_PUBLISH_ANY_BUCKET,
  OPEN_SUBSCRIBE,
  ORG_SUBSCRIBE,
  PROJECT_ALLOW,
  policyOf,
  SNS_DEFAULT,
} from './topic-policies';

describe('sageMakerPublishVerdict', () => {
  test.each<[string, Record<string, unknown>[], Truth]>([
    ["the project's own statement (aws:SourceAccount is the team's account)", [PROJECT_ALLOW], true],
    ['a Deny of other source accounts beside it', [PROJECT_ALLOW, DENY_OTHER_SOURCE_ACCOUNTS], true],
    [
      'a Deny of HTTP subscriptions (sns:Protocol: no publish carries it)',
      [PROJECT_ALLOW, DENY_HTTP_SUBSCRIPTIONS],
      true,
    ],
    ['a Deny of callers that are not AWS services', [PROJECT_ALLOW, DENY_NON_SERVICES], true],
    ['a Deny of other accounts with the wrong account typed in', [PROJECT_ALLOW, DENY_ALL_BUT_WRONG_ACCOUNT], false],
    ['a Deny of requests without sns:Endpoint (no publish has one)', [PROJECT_ALLOW, DENY_WITHOUT_ENDPOINT], false],
    ['a Deny of everyone but the root user (NotPrincipal)', [PROJECT_ALLOW, DENY_ALL_BUT_ROOT], false],
    ['an Allow on behalf of another account only', [ALLOW_OTHER_ACCOUNT_ONLY], false],
    ['a Deny outside the organisation (aws:PrincipalOrgID)', [PROJECT_ALLOW, DENY_OUTSIDE_ORG], 'unknown'],
    ['a Deny after a date (aws:CurrentTime is not evaluated)', [PROJECT_ALLOW, DENY_AFTER_DATE], 'unknown'],
    ['an Allow for one work team ARN only (aws:SourceArn)', [ALLOW_FROM_WORKTEAM_ARN], 'unknown'],
    ["SNS's default statement alone (AWS:SourceOwner)", [SNS_DEFAULT], 'unknown'],
    ["SNS's default statement beside the project's", [SNS_DEFAULT, PROJECT_ALLOW], true],
    ['an unevaluable Allow and an unconditional Deny', [ALLOW_FROM_WORKTEAM_ARN, DENY_ALL_BUT_ROOT], false],
  ])('with %s: %s', (_, statements, expected) => {
    // Act
    const verdict = sageMakerPublishVerdict(policyOf(...statements), TOPIC_ARN, ACCOUNT);

    // Assess
    expect(verdict.mayPublish).toBe(expected);
  });

  it('names the statements and keys it cannot tell about, and only those that decide', () => {
    // Act
    const verdict = sageMakerPublishVerdict(
      policyOf(ALLOW_FROM_WORKTEAM_ARN, PROJECT_ALLOW, DENY_OUTSIDE_ORG),
      TOPIC_ARN,
      ACCOUNT,
    );

    // Assess
    expect(verdict).toEqual({
      mayPublish: 'unknown',
      denyingStatements: [],
      undecidedStatements: ['DenyOutsideOrganisation'],
      undecidedKeys: ['aws:PrincipalOrgID'],
    });
  });

  it('names the Deny statements that block the publish', () => {
    // Act
    const verdict = sageMakerPublishVerdict(policyOf(PROJECT_ALLOW, DENY_ALL_BUT_ROOT), TOPIC_ARN, ACCOUNT);

    // Assess
    expect(verdict.denyingStatements).toEqual(['DenyAllButRoot']);
  });

  it("evaluates aws:SourceAccount as the team's account, which may differ from the topic's", () => {
    // Act
    const verdict = sageMakerPublishVerdict(policyOf(PROJECT_ALLOW), TOPIC_ARN, '210987654321');

    // Assess
    expect(verdict.mayPublish).toBe(false);
  });

  it('reads condition operators and keys in any case', () => {
    // Prepare
    const deny = { ...DENY_OTHER_SOURCE_ACCOUNTS, Condition: { stringnotequals: { 'AWS:SOURCEACCOUNT': ACCOUNT } } };

    // Act
    const verdict = sageMakerPublishVerdict(policyOf(PROJECT_ALLOW, deny), TOPIC_ARN, ACCOUNT);

    // Assess
    expect(verdict.mayPublish).toBe(true);
  });

  it('cannot tell about a condition value holding a policy variable', () => {
    // Prepare
    const variable = ['$', '{aws:PrincipalAccount}'].join('');
    const allow = { ...PROJECT_ALLOW, Condition: { StringEquals: { 'aws:SourceAccount': variable } } };

    // Act
    const verdict = sageMakerPublishVerdict(policyOf(allow), TOPIC_ARN, ACCOUNT);

    // Assess
    expect(verdict.mayPublish).toBe('unknown');
  });
});

describe('openAccessOf', () => {
  test.each([
    [
      'Principal "*" with sns:Subscribe',
      [OPEN_SUBSCRIBE],
      { actions: ['sns:Subscribe'], statements: ['AllowSubscribe'] },
    ],
    [
      '{"AWS": "*"} publishing for any bucket of any account',
      [OPEN_PUBLISH_ANY_BUCKET],
      { actions: ['sns:Publish'], statements: ['AllowBucketEvents'] },
    ],
    [
      'a confining key under an IfExists operator',
      [OPEN_IF_EXISTS],
      { actions: ['sns:Subscribe', 'sns:Publish'], statements: ['AllowIfExists'] },
    ],
    [
      'an Allow with NotPrincipal (everyone else)',
      [{ ...OPEN_SUBSCRIBE, Principal: undefined, NotPrincipal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } }],
      { actions: ['sns:Subscribe'], statements: ['AllowSubscribe'] },
    ],
    [
      'a wildcard account value',
      [{ ...OPEN_SUBSCRIBE, Condition: { StringLike: { 'aws:SourceAccount': '*' } } }],
      { actions: ['sns:Subscribe'], statements: ['AllowSubscribe'] },
    ],
  ])('finds the topic open with %s', (_, statements, expected) => {
    // Act
    const open = openAccessOf(policyOf(PROJECT_ALLOW, ...statements), TOPIC_ARN);

    // Assess
    expect(open).toEqual(expected);
  });

  test.each([
    ["the project's own policy", [PROJECT_ALLOW]],
    ["SNS's default statement (confined to the owner)", [SNS_DEFAULT]],
    ['a subscription confined to the organisation', [ORG_SUBSCRIBE]],
    ['an open statement that is a Deny', [{ ...OPEN_SUBSCRIBE, Effect: 'Deny' }]],
    ['an open statement on another topic', [{ ...OPEN_SUBSCRIBE, Resource: `${TOPIC_ARN}-other` }]],
    ['anyone allowed only to read attributes', [{ ...OPEN_SUBSCRIBE, Action: 'sns:GetTopicAttributes' }]],
    [
      'S3 of one account',
      [{ ...OPEN_PUBLISH_ANY_BUCKET, Condition: { ArnLike: { 'aws:SourceArn': `arn:aws:s3:${''}:${ACCOUNT}:*` } } }],
    ],
  ])('finds the topic not open with %s', (_, statements) => {
    // Act
    const open = openAccessOf(policyOf(...statements), TOPIC_ARN);

    // Assess
    expect(open).toBeUndefined();
  });

  it('names a statement without a Sid by its place', () => {
    // Prepare
    const { Sid: _sid, ...anonymous } = OPEN_SUBSCRIBE;

    // Act
    const open = openAccessOf(policyOf(PROJECT_ALLOW, anonymous), TOPIC_ARN);

    // Assess
    expect(open?.statements).toEqual(['statement 2']);
  });
});

describe('isAwsManagedSnsKey', () => {
  test.each([
    ['alias/aws/sns', true],
    ['arn:aws:kms:eu-west-1:123456789012:alias/aws/sns', true],
    ['arn:aws-cn:kms:cn-north-1:123456789012:alias/aws/sns', true],
    ['alias/workteam-notifications', false],
    ['arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab', false],
    ['alias/aws/sqs', false],
    [undefined, false],
  ])('%s: %s', (key, expected) => {
    expect(isAwsManagedSnsKey(key)).toBe(expected);
  });
});
