/**
 * Every environment variable of every function, in one place. Configuration is read from the environment once,
 * at cold start, and validated: a missing or malformed variable fails the function at once with the variable's
 * name, never a silent default. The schemas build on each other (AWS -> read -> teams -> audit); the last section
 * names the schema of each function of serverless.yml, which is what it needs.
 */
import { z } from 'zod';

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

export const AwsConfigSchema = z.object({
  AWS_REGION: nonEmpty,
  /** How often the SDK tries a throttled or failed call before giving up (standard retry mode). */
  AWS_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
});

const AuthConfigSchema = z.object({
  JWT_ISSUER: z.url(),
  JWT_AUDIENCE: nonEmpty,
  /** Defaults to the issuer's `/.well-known/jwks.json`, as Cognito and cognito-local publish it. */
  JWT_JWKS_URI: z.url().optional(),
  ADMIN_GROUP: nonEmpty,
  /** Members of this Cognito group may request teams (`POST /teams`); so may admins. */
  REQUESTERS_GROUP: nonEmpty,
});

/** What reading teams takes: the registry's table. */
export const ReadConfigSchema = AwsConfigSchema.extend({ TEAMS_TABLE: z.string().min(1) });

/** What changing teams takes: SageMaker, SNS and Cognito, the registry, and the operations topic. */
export const TeamsConfigSchema = ReadConfigSchema.extend({
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
const IdempotencyFields = { IDEMPOTENCY_TABLE: z.string().min(1) };

/** The workforce's Cognito user pool, whose changes the Cognito sync and the resync follow. */
const WorkforcePoolFields = { USER_POOL_ID: z.string().regex(/^[\w-]+_[0-9a-zA-Z]+$/) };

/** Where the audit's reports are kept, and for how long. */
const AuditStoreFields = {
  AUDIT_TABLE: z.string().min(1),
  /** How long a run's report is kept (DynamoDB TTL). */
  AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650),
};

/** What reading the audit's reports takes (`GET /audit`). */
export const AuditStoreConfigSchema = AwsConfigSchema.extend(AuditStoreFields);

/** What running an audit takes: the teams' configuration (remediation writes as every write path does), the store. */
export const AuditConfigSchema = TeamsConfigSchema.extend(AuditStoreFields).extend({
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

// ---------------------------------------------------------------------------------------------------------------
// Each function's environment, by its name in serverless.yml.

export const FUNCTION_CONFIG = {
  authorizer: AuthConfigSchema,
  listTeams: AwsConfigSchema,
  listWorkforces: AwsConfigSchema,
  getTeam: ReadConfigSchema,
  createTeam: TeamsConfigSchema.extend(IdempotencyFields),
  updateTeam: TeamsConfigSchema,
  addTeamMembers: TeamsConfigSchema,
  removeTeamMember: TeamsConfigSchema,
  deleteTeam: TeamsConfigSchema,
  cognitoSync: TeamsConfigSchema.extend(WorkforcePoolFields),
  resync: TeamsConfigSchema.extend(WorkforcePoolFields),
  retryPending: TeamsConfigSchema,
  audit: AuditConfigSchema,
  startAudit: AuditConfigSchema,
  getAudit: AuditStoreConfigSchema,
} satisfies Record<string, z.ZodObject>;

export type AwsConfig = z.infer<typeof AwsConfigSchema>;
export type TeamsConfig = z.infer<typeof TeamsConfigSchema>;
export type AuditConfig = z.infer<typeof AuditConfigSchema>;
