/**
 * Every environment variable of every function, in one place. Configuration is read from the environment once,
 * at cold start, and validated: a missing or malformed variable fails the function at once with the variable's
 * name, never a silent default. The groups of variables build on each other (AWS -> read -> teams -> audit); the
 * last section names the schema of each function of serverless.yml, which is what it needs. Schemas are made by
 * functions, so that a function's bundle carries its own schema and no other.
 */
import { z } from 'zod';
import { ACCOUNT_ID_PATTERN, REGION_PATTERN } from '../domain/target';

class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export function loadConfig<S extends z.ZodObject>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${problems}`);
  }
  return result.data;
}

const nonEmpty = z.string().trim().min(1);

/** How many targets a deployment takes: one Lambda environment holds 4 KB, about 20 targets of this shape. */
const MAX_TARGETS = 100;

/** One target of TARGETS: STS's own limits on the role's ARN and the external id. */
const TargetSettingSchema = z
  .object({
    account: z.string().regex(ACCOUNT_ID_PATTERN, 'must be a 12-digit AWS account id'),
    region: z.string().regex(REGION_PATTERN, 'must be an AWS region name'),
    roleArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, 'must be an IAM role ARN')
      .optional(),
    externalId: z
      .string()
      .regex(/^[\w+=,.@:/-]{2,1224}$/, 'must be 2-1224 of letters, digits and +=,.@:/-')
      .optional(),
  })
  .strict();

export type TargetSetting = z.infer<typeof TargetSettingSchema>;

// ---------------------------------------------------------------------------------------------------------------
// The variables, by what needs them.

const awsFields = () => ({
  AWS_REGION: nonEmpty,
  /** How often the SDK tries a throttled or failed call before giving up (standard retry mode). */
  AWS_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
});

/**
 * The targets (lib/runtime/targets.ts): the hub's own account (serverless.yml: the stack's `AWS::AccountId`), and
 * the other accounts and regions whose work teams the system runs, as JSON: `[{ "account", "region", "roleArn",
 * "externalId" }]` (the role the target template, infra/target.yml, creates there). Absent or `[]`: the hub alone,
 * so a user with one account configures nothing.
 */
const targetsFields = () => ({
  HUB_ACCOUNT_ID: z.string().regex(ACCOUNT_ID_PATTERN, 'must be a 12-digit AWS account id'),
  TARGETS: z
    .string()
    .default('[]')
    .transform((text, context) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        context.addIssue({ code: 'custom', message: 'must be a JSON array of targets' });
        return z.NEVER;
      }
    })
    .pipe(z.array(TargetSettingSchema).max(MAX_TARGETS)),
});

/** The API's token issuer and the groups that make admins and requesters. */
const authFields = () => ({
  JWT_ISSUER: z.url(),
  JWT_AUDIENCE: nonEmpty,
  /** Defaults to the issuer's `/.well-known/jwks.json`, as Cognito and cognito-local publish it. */
  JWT_JWKS_URI: z.url().optional(),
  ADMIN_GROUP: nonEmpty,
  /** Members of this Cognito group may request teams (`POST /teams`); so may admins. */
  REQUESTERS_GROUP: nonEmpty,
});

/**
 * Reading teams: the registry's table, and the stage (serverless.yml sets it to `${sls:stage}`; `local` under
 * `npm start`): a team is this stage's only while it carries the stage's managed-by tag (lib/domain/management-tag.ts).
 */
const readFields = () => ({
  ...awsFields(),
  ...targetsFields(),
  TEAMS_TABLE: z.string().min(1),
  STAGE: z.string().regex(/^[A-Za-z0-9-]{1,64}$/),
});

/** Changing teams: SageMaker, SNS and Cognito, the registry, and the operations topic. */
const teamsFields = () => ({
  ...readFields(),
  /** Notification topics are named `<prefix><team name>`; IAM scopes SNS rights to that prefix. */
  TOPIC_PREFIX: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/),
  /** A SageMaker refusal within this many seconds of a team's Cognito group being created is retried, not rolled back. */
  GROUP_SETTLING_SECONDS: z.coerce.number().int().min(0).max(900),
  /** How long a change that cannot be applied is retried before the team is Failed and the operations topic told. */
  RETRY_BUDGET_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60),
  /** How many days an unanswered confirmation mail keeps its address from being asked again (7). */
  CONFIRMATION_WINDOW_DAYS: z.coerce.number().int().min(1).max(60).default(7),
  /** The SNS topic that tells the people who run the system what needs a person. */
  OPERATIONS_TOPIC_ARN: z.string().regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/),
});

/** The table of `POST /teams`'s Idempotency-Key records (Powertools idempotency). */
const idempotencyFields = () => ({ IDEMPOTENCY_TABLE: z.string().min(1) });

/** The workforce's Cognito user pool, whose changes the Cognito sync and the resync follow. */
const workforcePoolFields = () => ({ USER_POOL_ID: z.string().regex(/^[\w-]+_[0-9a-zA-Z]+$/) });

/** Where the audit's reports are kept, and for how long; the targets, whose stores are apart. */
const auditStoreFields = () => ({
  ...targetsFields(),
  AUDIT_TABLE: z.string().min(1),
  /** How long a run's report is kept (DynamoDB TTL). */
  AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650),
});

/** Running an audit: the teams' variables (remediation writes as every write path does), the store, the grace. */
const auditFields = () => ({
  ...teamsFields(),
  ...auditStoreFields(),
  /**
   * How long a subscription finding (workers unsubscribed, stale or pending subscriptions) waits before a run that
   * still sees it opens and announces it: the Cognito sync's time to catch up with a burst. serverless.yml sets it
   * (900); 0 opens such findings at the first look.
   */
  SUBSCRIPTION_GRACE_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .max(24 * 60 * 60)
    .default(900),
});

/**
 * Starting a run of every team in every target (the schedule, `POST /audit`): the queue its targets' audits are
 * handed to, one message each (serverless.yml: `<service>-<stage>-audit-targets`), and how long a run waits for
 * them before a target without a report is `missing` (serverless.yml: 240, below the scheduled function's 300 s
 * timeout, which waits for them; the invocation's own time left bounds it too).
 */
const auditDispatchFields = () => ({
  AUDIT_TARGETS_QUEUE: z.string().regex(/^[A-Za-z0-9_-]{1,80}$/),
  AUDIT_RUN_DEADLINE_SECONDS: z.coerce.number().int().min(1).max(900),
});

/**
 * A target's audit of a run (the audit-targets worker): how many times SQS delivers a message before its
 * dead-letter queue takes it (the queue's `maxReceiveCount`, serverless.yml: 3). The last delivery of a transient
 * failure records the target failed rather than let the message go to the dead-letter queue unrecorded.
 */
const auditTargetFields = () => ({
  AUDIT_TARGET_MAX_RECEIVES: z.coerce.number().int().min(1).max(1000),
});

// ---------------------------------------------------------------------------------------------------------------
// What the composition roots take.

export const awsConfigSchema = () => z.object(awsFields());
export const targetsConfigSchema = () => z.object({ ...awsFields(), ...targetsFields() });
export const readConfigSchema = () => z.object(readFields());
export const teamsConfigSchema = () => z.object(teamsFields());
export const auditStoreConfigSchema = () => z.object({ ...awsFields(), ...auditStoreFields() });
export const auditConfigSchema = () => z.object(auditFields());
export const auditDispatchConfigSchema = () => z.object({ ...auditFields(), ...auditDispatchFields() });

export type AwsConfig = z.infer<ReturnType<typeof awsConfigSchema>>;
export type TargetsConfig = z.infer<ReturnType<typeof targetsConfigSchema>>;
export type ReadConfig = z.infer<ReturnType<typeof readConfigSchema>>;
export type TeamsConfig = z.infer<ReturnType<typeof teamsConfigSchema>>;
export type AuditStoreConfig = z.infer<ReturnType<typeof auditStoreConfigSchema>>;
export type AuditConfig = z.infer<ReturnType<typeof auditConfigSchema>>;
export type AuditDispatchConfig = z.infer<ReturnType<typeof auditDispatchConfigSchema>>;

// ---------------------------------------------------------------------------------------------------------------
// Each function's environment, by its name in serverless.yml.

export const authorizerConfig = () => z.object(authFields());
export const listTeamsConfig = targetsConfigSchema;
export const listWorkforcesConfig = targetsConfigSchema;
export const listTargetsConfig = targetsConfigSchema;
export const getTeamConfig = readConfigSchema;
export const createTeamConfig = () => z.object({ ...teamsFields(), ...idempotencyFields() });
export const updateTeamConfig = teamsConfigSchema;
export const addTeamMembersConfig = teamsConfigSchema;
export const removeTeamMemberConfig = teamsConfigSchema;
export const deleteTeamConfig = teamsConfigSchema;
export const adoptTeamConfig = teamsConfigSchema;
export const releaseTeamConfig = teamsConfigSchema;
export const cognitoSyncConfig = () => z.object({ ...teamsFields(), ...workforcePoolFields() });
export const resyncConfig = () => z.object({ ...teamsFields(), ...workforcePoolFields() });
export const retryPendingConfig = teamsConfigSchema;
export const auditConfig = auditDispatchConfigSchema;
export const startAuditConfig = auditDispatchConfigSchema;
export const auditTargetConfig = () => z.object({ ...auditFields(), ...auditTargetFields() });
export const getAuditConfig = auditStoreConfigSchema;
