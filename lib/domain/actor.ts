/**
 * Who acts: a person the API's authorizer vouched for (by the token's subject, with the rights its groups give),
 * or the system itself (the Cognito sync, the resync, retries, remediation), which acts with an administrator's
 * rights and says why. Every use case takes one; history entries and logs name it with `actorName`.
 */
import { Forbidden } from './errors';

export type Actor =
  | { kind: 'user'; sub: string; isAdmin: boolean; isRequester: boolean }
  | { kind: 'system'; reason: string };

/** Who a history entry and the change log name: the JWT subject, never an e-mail address, or `system`. */
export function actorName(actor: Actor): string {
  return actor.kind === 'user' ? actor.sub : 'system';
}

/** Administrators, and the system. */
export function isAdmin(actor: Actor): boolean {
  return actor.kind === 'system' || actor.isAdmin;
}

/**
 * Who may request a team: members of the requesters group, admins and the system. The workforce's labelers may
 * not: each team takes one of SageMaker's 25 per account and region. The HTTP edge checks it before it reads the
 * request, so that a refusal costs nothing and tells nothing; the use case checks it again.
 */
export function mayRequestTeams(actor: Actor): void {
  if (isAdmin(actor) || (actor.kind === 'user' && actor.isRequester)) return;
  throw new Forbidden(
    'Requesting a team needs membership of the requesters group or the admin group: ask an administrator to add you',
  );
}

/** Running and reading audits is for administrators. */
export function mustBeAdmin(actor: Actor, what: string): void {
  if (!isAdmin(actor)) throw new Forbidden(`Only administrators can ${what}`);
}
