/**
 * Configuration is read from the environment once, at cold start, and validated: a missing or malformed
 * variable fails the function at once with the variable's name, never a silent default.
 */
import { z } from 'zod';

export class ConfigError extends Error {
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

export const AuthConfigSchema = z.object({
  JWT_ISSUER: z.url(),
  JWT_AUDIENCE: nonEmpty,
  /** Defaults to the issuer's `/.well-known/jwks.json`, as Cognito and cognito-local publish it. */
  JWT_JWKS_URI: z.url().optional(),
  ADMIN_GROUP: nonEmpty,
  /** Members of this Cognito group may request teams (`POST /teams`); so may admins. */
  REQUESTERS_GROUP: nonEmpty,
});

export type AwsConfig = z.infer<typeof AwsConfigSchema>;
export type AuthConfig = z.infer<typeof AuthConfigSchema>;
