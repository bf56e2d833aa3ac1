import { redactDeep, redactEmailAddresses } from './privacy';
import { WORKTEAM_LIMITS } from './workteam';

/** One broken rule of a request: where (`path`, in the API's field names), which rule (`code`), and why. */
export interface Violation {
  path: string;
  code: string;
  message: string;
}

// Typed domain errors. Each has a name, a stable `code` and details; exactly one mapper (lib/http/errors.ts)
// turns a code into an HTTP status and the error into a response. Messages may reach clients and logs, so they never carry e-mail
// addresses: the base class masks any that slip in (an upstream message, a name typed by a user).

/** Every domain error's stable code: what clients and the HTTP mapper's status table key on. */
export type DomainErrorCode =
  | 'ValidationFailed'
  | 'TeamNotFound'
  | 'TeamExists'
  | 'TeamLimitExceeded'
  | 'Forbidden'
  | 'UpstreamUnavailable'
  | 'UpstreamRejected'
  | 'MemberKindMismatch'
  | 'MemberLimitExceeded'
  | 'MemberNotFound'
  | 'LastMemberGroup'
  | 'PreconditionFailed'
  | 'PreconditionRequired'
  | 'TeamNotManaged'
  | 'TeamAlreadyManaged'
  | 'AuditRunNotFound'
  | 'TargetNotFound'
  | 'TargetUnreachable';

export abstract class DomainError extends Error {
  abstract readonly code: DomainErrorCode;
  readonly details?: unknown;

  protected constructor(message: string, options?: { details?: unknown; cause?: unknown }) {
    super(redactEmailAddresses(message), options?.cause === undefined ? undefined : { cause: options.cause });
    if (options?.details !== undefined) {
      this.details = redactDeep(options.details);
    }
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}

/** A domain error that says no to the request itself: every one but `UpstreamUnavailable` (try again later). */
export function isRefusal(error: unknown): error is DomainError {
  return error instanceof DomainError && !(error instanceof UpstreamUnavailable);
}

export class ValidationFailed extends DomainError {
  override readonly name = 'ValidationFailed';
  readonly code = 'ValidationFailed';
  declare readonly details: Violation[];

  /**
   * Paths and messages may quote what the client sent (a tag key is part of its path, an unknown field's name
   * is its path): every violation is masked here, whoever built it.
   */
  constructor(violations: Violation[]) {
    const count = violations.length;
    super(`The request is invalid: ${count} ${count === 1 ? 'rule is' : 'rules are'} broken`, {
      details: ValidationFailed.masked(violations),
    });
  }

  /** The violations with every e-mail address in their path and message masked. */
  static masked(violations: Violation[]): Violation[] {
    return violations.map((violation) => ({
      ...violation,
      path: redactEmailAddresses(violation.path),
      message: redactEmailAddresses(violation.message),
    }));
  }
}

export class TeamNotFound extends DomainError {
  override readonly name = 'TeamNotFound';
  readonly code = 'TeamNotFound';

  constructor(teamName: string, options?: { cause?: unknown }) {
    super(`Work team '${teamName}' does not exist`, { details: { teamName }, cause: options?.cause });
  }
}

export class TeamExists extends DomainError {
  override readonly name = 'TeamExists';
  readonly code = 'TeamExists';

  constructor(teamName: string, options?: { cause?: unknown; reason?: string }) {
    super(
      options?.reason
        ? `A work team named '${teamName}' already exists: ${options.reason}`
        : `A work team named '${teamName}' already exists`,
      { details: { teamName }, cause: options?.cause },
    );
  }
}

export class TeamLimitExceeded extends DomainError {
  override readonly name = 'TeamLimitExceeded';
  readonly code = 'TeamLimitExceeded';

  constructor(limit: number = WORKTEAM_LIMITS.workteamsPerRegion, options?: { cause?: unknown }) {
    super(`This account and region cannot hold more than ${limit} work teams`, {
      details: { limit },
      cause: options?.cause,
    });
  }
}

export class Forbidden extends DomainError {
  override readonly name = 'Forbidden';
  readonly code = 'Forbidden';

  constructor(message = 'You are not allowed to do this') {
    super(message);
  }
}

/** SageMaker throttled or was unavailable, and retries did not help. */
export class UpstreamUnavailable extends DomainError {
  override readonly name = 'UpstreamUnavailable';
  readonly code = 'UpstreamUnavailable';

  /** `service`: which AWS service held the request up (SageMaker unless another is named). */
  constructor(operation: string, options?: { cause?: unknown; service?: string }) {
    super(`${options?.service ?? 'SageMaker'} did not complete ${operation}; try again later`, {
      details: { operation },
      cause: options?.cause,
    });
  }
}

/**
 * SageMaker refused a request that passed our own validation (e.g. a Cognito group that does not exist).
 * 422 tells it apart from a `ValidationFailed` body.
 */
export class UpstreamRejected extends DomainError {
  override readonly name = 'UpstreamRejected';
  readonly code = 'UpstreamRejected';
  declare readonly details: { operation: string; upstreamCode?: string; upstreamMessage: string };

  constructor(operation: string, upstream: { code?: string; message: string }, options?: { cause?: unknown }) {
    const upstreamMessage = redactEmailAddresses(upstream.message);
    super(`SageMaker refused ${operation}: ${upstreamMessage}`, {
      details:
        upstream.code === undefined
          ? { operation, upstreamMessage }
          : { operation, upstreamCode: upstream.code, upstreamMessage },
      cause: options?.cause,
    });
  }
}

export type MemberKind = 'cognito' | 'oidc';

const MEMBER_KIND_LABEL: Record<MemberKind, string> = { cognito: 'Cognito groups', oidc: 'OIDC groups' };

/** Groups of the other identity provider than the team's (a team never mixes Cognito and OIDC groups). */
export class MemberKindMismatch extends DomainError {
  override readonly name = 'MemberKindMismatch';
  readonly code = 'MemberKindMismatch';

  constructor(teamName: string, teamKind: MemberKind, requestedKind: MemberKind) {
    super(
      `Work team '${teamName}' has ${MEMBER_KIND_LABEL[teamKind]}; it cannot take ${MEMBER_KIND_LABEL[requestedKind]}`,
      { details: { teamName, teamKind, requestedKind } },
    );
  }
}

export class MemberLimitExceeded extends DomainError {
  override readonly name = 'MemberLimitExceeded';
  readonly code = 'MemberLimitExceeded';
  declare readonly details: { limit: number; requested: number };

  constructor(teamName: string, requested: number, limit: number = WORKTEAM_LIMITS.memberDefinitionsMax) {
    super(`Work team '${teamName}' can hold at most ${limit} member groups; this change would give it ${requested}`, {
      details: { limit, requested },
    });
  }
}

export class MemberNotFound extends DomainError {
  override readonly name = 'MemberNotFound';
  readonly code = 'MemberNotFound';

  constructor(teamName: string, group: string) {
    super(`Work team '${teamName}' has no member group '${group}'`, { details: { teamName, group } });
  }
}

/** SageMaker requires at least one member definition: the last group cannot leave; delete the team instead. */
export class LastMemberGroup extends DomainError {
  override readonly name = 'LastMemberGroup';
  readonly code = 'LastMemberGroup';

  constructor(teamName: string, group: string) {
    super(
      `Group '${group}' is the only member group of work team '${teamName}'; a team needs at least one: add another first, or delete the team`,
      { details: { teamName, group } },
    );
  }
}

/** An `If-Match` header that names another version of the team than the current one. */
export class PreconditionFailed extends DomainError {
  override readonly name = 'PreconditionFailed';
  readonly code = 'PreconditionFailed';

  constructor(
    message = 'The team changed since it was read; read it again and retry',
    options?: { details?: unknown },
  ) {
    super(message, { details: options?.details });
  }
}

/**
 * A request that must say which version it acts on and does not: `DELETE /teams/{name}` without `If-Match`.
 * A client or gateway that normalises `DELETE /teams/T/members/..` sends exactly that; a deliberate deletion
 * names the version it read, or `*`.
 */
export class PreconditionRequired extends DomainError {
  override readonly name = 'PreconditionRequired';
  readonly code = 'PreconditionRequired';

  constructor(message: string) {
    super(message);
  }
}

/** SageMaker has a work team of that name, but this system does not manage it (it was made elsewhere). */
export class TeamNotManaged extends DomainError {
  override readonly name = 'TeamNotManaged';
  readonly code = 'TeamNotManaged';

  constructor(teamName: string) {
    super(`Work team '${teamName}' exists but is not managed by this service; it cannot be changed here`, {
      details: { teamName },
    });
  }
}

/**
 * A team that cannot be adopted because someone manages it already: this stage (an active record), the stack of
 * another stage (its managed-by tag carries that stage's value), or this stage still retiring it.
 */
export class TeamAlreadyManaged extends DomainError {
  override readonly name = 'TeamAlreadyManaged';
  readonly code = 'TeamAlreadyManaged';

  constructor(teamName: string, reason: string) {
    super(`Work team '${teamName}' cannot be adopted: ${reason}`, { details: { teamName } });
  }
}

export class AuditRunNotFound extends DomainError {
  override readonly name = 'AuditRunNotFound';
  readonly code = 'AuditRunNotFound';

  constructor(runId?: string) {
    super(
      runId === undefined
        ? 'No audit has run yet'
        : `There is no audit run '${runId}' (runs are kept for a while, then expire)`,
      {
        ...(runId === undefined ? {} : { details: { runId } }),
      },
    );
  }
}

/** An account and region (lib/domain/target.ts's Target, named here without importing it: it checks fields with these errors). */
type TargetName = { account: string; region: string };

/** The account and region a request names are not one of the system's targets (lib/runtime/targets.ts). */
export class TargetNotFound extends DomainError {
  override readonly name = 'TargetNotFound';
  readonly code = 'TargetNotFound';

  constructor(target: TargetName, field: 'account' | 'region') {
    super(`${target.account}/${target.region} is not a target of this system: GET /targets lists them`, {
      details: { account: target.account, region: target.region, field },
    });
  }
}

/**
 * A target the system cannot act in now: its role refused to be assumed (the target's trust policy, its external
 * id), or its credentials could not be had. Nothing was recorded; an administrator fixes the target's role.
 */
export class TargetUnreachable extends DomainError {
  override readonly name = 'TargetUnreachable';
  readonly code = 'TargetUnreachable';

  constructor(target: TargetName, reason: string, options?: { cause?: unknown }) {
    super(`${target.account}/${target.region} cannot be reached: ${reason}`, {
      details: { account: target.account, region: target.region, reason },
      ...(options?.cause === undefined ? {} : { cause: options.cause }),
    });
  }
}
