/**
 * The small interfaces the use cases take as parameters. Adapters in lib/adapters implement them over the
 * AWS SDK v3; tests hand in the real adapters against the local cloud.
 */

import type { TopicState } from '../domain/audit/findings';
import type { ListQuery } from '../domain/list-params';
import type { LiveWorkforce, LiveWorkteam } from '../domain/live';
import type { SubscriptionLedger } from '../domain/subscription-ledger';
import type { TeamRecord } from '../domain/team';
import type { MemberDefinition, Tag, WorkerAccess, WorkteamSpec } from '../domain/workteam';

/** A page of a list: what the paginators' `PaginationConfig` asks for (see lib/adapters/pagination.ts). */
export type PageRequest = Pick<ListQuery, 'maxItems' | 'pageSize' | 'startingToken'>;

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

/** A `startingToken` that does not belong to this query, or that SageMaker refuses: the caller's input. */
export class InvalidPaginationToken extends Error {
  /** `reason` is our own text: never the service's message, which may quote the token or other input. */
  constructor(reason: string, options?: { cause?: unknown }) {
    super(`nextToken is not valid for this query: ${reason}`, options);
    this.name = 'InvalidPaginationToken';
  }
}

/**
 * One writer per team: a lease on a team's name that a pass of the team holds while it reads what it will write
 * and writes it to SageMaker and SNS. Taking it succeeds when nobody holds it, its holder's time is up, or the
 * taker already holds it.
 */
export interface TeamLeases {
  tryAcquire(team: string, holder: string, until: Date, now: Date): Promise<boolean>;
  /** Gives the lease up if `holder` still holds it (a lease taken over after its time is left alone). */
  release(team: string, holder: string): Promise<void>;
}

/**
 * Per team, what this system remembers of the confirmation mails it caused (lib/domain/subscription-ledger.ts).
 * Written by the team's lease holder only.
 */
export interface SubscriptionLedgers {
  get(team: string): Promise<SubscriptionLedger>;
  put(team: string, ledger: SubscriptionLedger): Promise<void>;
  /** The team is retired: nothing of it is kept. */
  forget(team: string): Promise<void>;
}

/** The registry of managed teams (DynamoDB). Every write is conditional. */
export interface TeamRegistry {
  get(name: string): Promise<TeamRecord | undefined>;
  /**
   * Writes `record` if the stored record still has `expectedVersion` (or, with `undefined`, if there is no
   * record of that name) and, when `record` carries the `revision` it was read with, if nothing was written
   * since. Throws `RegistryConflict` otherwise: the caller re-reads and merges. Returns the record as stored,
   * with its new revision.
   */
  put(record: TeamRecord, expectedVersion: number | undefined): Promise<TeamRecord>;
  /** Records (active or retired) whose apply is pending and due (`retry.nextAttemptAt` <= now), oldest first. */
  listDuePending(now: Date, limit: number): Promise<TeamRecord[]>;
  /** Names of teams accepted but never yet created in SageMaker (they will count against its limit). */
  listPendingCreations(): Promise<string[]>;
  /**
   * Every record (active or retired) whose apply is pending, due or not, in due order. A handful at most: each
   * is one of SageMaker's 25 teams per region, or one being retired. Read from an index: eventually consistent.
   */
  listPending(): Promise<TeamRecord[]>;
  /**
   * One page of the active (not retired) records, in name order: at most `limit` (default 100), and a
   * `nextToken` that resumes after the last one while more may follow (so a last page may be empty). For the
   * nightly resync and the audit, which walk every managed team page by page with memory flat in the number of
   * teams. Read from an index, so eventually consistent: a record may be a moment old, and a write built from it
   * is refused with `RegistryConflict` like any stale read. A `nextToken` this method did not issue throws
   * `InvalidPaginationToken`; a `limit` that is not a positive integer throws a RangeError.
   */
  listActiveTeams(page: { limit?: number; nextToken?: string }): Promise<Page<TeamRecord>>;
  /**
   * Every active record of a Cognito team of `userPool` whose desired members include `group` (the exact name),
   * in name order. For the Cognito sync: a group event names its pool and group, and each of these teams has its
   * membership applied again. OIDC teams never match. Eventually consistent, like `listActiveTeams`.
   */
  listActiveTeamsWithCognitoGroup(userPool: string, group: string): Promise<TeamRecord[]>;
}

export class RegistryConflict extends Error {
  constructor(readonly teamName: string) {
    super(`the registry record of '${teamName}' changed since it was read`);
    this.name = 'RegistryConflict';
  }
}

/** What UpdateWorkteam is given: fields left out stay as they are. `notificationTopicArn: null` removes it. */
export interface WorkteamChange {
  name: string;
  description?: string;
  memberDefinitions?: MemberDefinition[];
  notificationTopicArn?: string | null;
  workerAccess?: WorkerAccess;
}

export interface WorkteamReader {
  listWorkteams(query: ListQuery): Promise<Page<LiveWorkteam>>;
  /**
   * The team with its tags (a ListTags walk after the DescribeWorkteam), or without them when `tags: false` (one
   * call); undefined when SageMaker has no team of that name.
   */
  describeWorkteam(name: string, options?: { tags?: boolean }): Promise<LiveWorkteam | undefined>;
  listWorkforces(query: ListQuery): Promise<Page<LiveWorkforce>>;
}

/** SageMaker writes. Errors are the SDK's (ValidationException, ResourceInUse, ThrottlingException, ...). */
export interface WorkteamWriter extends WorkteamReader {
  createWorkteam(spec: WorkteamSpec): Promise<string>;
  updateWorkteam(change: WorkteamChange): Promise<void>;
  /** True when a team was deleted, false when there was none. */
  deleteWorkteam(name: string): Promise<boolean>;
  addTags(resourceArn: string, tags: Tag[]): Promise<void>;
  deleteTags(resourceArn: string, keys: string[]): Promise<void>;
  /** The workforce of that name, or the region's only workforce when no name is given; undefined if none. */
  describeWorkforce(name?: string): Promise<LiveWorkforce | undefined>;
  /** The names of every work team of the account in this region (one ListWorkteams call per 100 teams). */
  workteamNames(): Promise<string[]>;
}

/** The SNS side of a team's notifications. Every call is idempotent. */
export interface NotificationTopics {
  /**
   * Creates the team's topic if absent (name derived from the team), tags it, and sets a policy that lets
   * `sagemaker.amazonaws.com` call `sns:Publish`. Returns the topic ARN.
   */
  ensureTopic(teamName: string, tags: Record<string, string>): Promise<string>;
  /**
   * Subscribes the wanted addresses that are neither subscribed nor pending (those `mayAsk` allows: each gets a
   * confirmation mail), and unsubscribes confirmed e-mail endpoints no longer wanted (a pending one cannot be).
   * Answers the counts and what it saw of the wanted addresses.
   */
  syncEmailSubscriptions(
    topicArn: string,
    emails: string[],
    options?: { mayAsk?: (address: string) => boolean },
  ): Promise<EmailSubscriptionsSynced>;
  /** Deletes the topic and its subscriptions; a topic that does not exist is not an error. */
  deleteTopic(topicArn: string): Promise<void>;
  /**
   * Deletes the team's topic when its ARN was never recorded (a crash or a fault between CreateTopic and the
   * registry write): the ARN is resolved from the name the topic would have. Absent topic: not an error.
   */
  deleteTeamTopic(teamName: string, tags: Record<string, string>): Promise<void>;
}

/** What one sync of a topic's e-mail subscriptions did and saw (addresses stay in memory: never logged). */
interface EmailSubscriptionsSynced {
  subscribed: number;
  unsubscribed: number;
  /** Wanted addresses listed confirmed, listed pending, and subscribed by this sync. */
  seen: { confirmed: string[]; pending: string[]; asked: string[] };
}

/** Tells the people who run the system what needs a person: the operations topic. */
export interface OperationsAlerts {
  /** A team whose change could not be applied after every retry; called once, when it turns Failed. */
  teamFailed(team: { name: string; owner: string; version: number; reason: string }): Promise<void>;
  /** A team whose last Cognito group was deleted; called once, when it turns Orphaned. */
  teamOrphaned(team: { name: string; owner: string; version: number; group: string }): Promise<void>;
  /** An audit run found something new: one summary per run, never one per team, never an e-mail address. */
  auditFindingsOpened(summary: AuditAlert): Promise<void>;
}

export interface AuditAlert {
  runId: string;
  trigger: string;
  opened: { key: string; rule: string; severity: string; team?: string; message: string }[];
  findings: number;
  teamsAudited: number;
}

/** The workforce's Cognito user pool, read only. */
export interface WorkforceDirectory {
  /** Those of `groups` that do not exist in the pool. */
  missingGroups(userPoolId: string, groups: string[]): Promise<string[]>;
  /** Those of `groups` created at or after `since` (groups that do not exist are left out). */
  groupsCreatedSince(userPoolId: string, groups: string[], since: Date): Promise<string[]>;
  /**
   * The e-mail addresses of the enabled users of these groups, de-duplicated and sorted, and the groups that no
   * longer exist in the pool (deleted since the team named them).
   */
  emailsOfGroups(userPoolId: string, groups: string[]): Promise<{ emails: string[]; missingGroups: string[] }>;
  /**
   * The groups of the user with this `sub` (CloudTrail names users by sub only), or undefined when the pool has
   * no such user (deleted).
   */
  groupsOfUser(userPoolId: string, sub: string): Promise<string[] | undefined>;
}

/** SageMaker as the audit reads it: every team page by page, the workforces, and an unmanaged team's tags. */
export interface AuditReader {
  /**
   * Every work team, one ListWorkteams page (up to 100, with WorkerAccessConfiguration inline) at a time: the
   * audit never describes a team.
   */
  workteamPages(): AsyncIterable<LiveWorkteam[]>;
  /** Every workforce of the region (one per region for private workforces). */
  listAllWorkforces(): Promise<LiveWorkforce[]>;
  /** A team's tags (ListTags): for teams nobody manages, whose classification is only on the team itself. */
  tagsOf(workteamArn: string): Promise<Tag[]>;
  /**
   * The tags of many teams at once (the Resource Groups Tagging API: one call per 100 teams), every ARN asked a key
   * (a team without tags: none). That API is eventually consistent: a tag added a moment ago may be missing, so a
   * caller that relies on one tag being there reads that team again with `tagsOf`.
   */
  tagsOfTeams(workteamArns: string[]): Promise<Map<string, Tag[]>>;
}

/** SNS as the audit reads it. */
export interface TopicInspector {
  /** Whether the topic exists, its access policy, its encryption key and its e-mail subscriptions (confirmed or pending). */
  inspectTopic(topicArn: string): Promise<TopicState>;
}

/** Where audit runs, findings and real-time claims are kept, and how findings are announced: lib/ports/audit.ts. */
export type { AuditStore, FindingEvent, FindingEvents, FindingRecord } from './audit';

/**
 * CloudTrail as the audit reads it (lib/adapters/trails.ts): whether a trail logs, in this region, the management
 * write events the real-time paths follow (SageMaker's and Cognito's; EventBridge receives "AWS API Call via
 * CloudTrail" events only while one does). `logged` with the ARNs of the trails that do; not `logged` with those
 * that exist but do not (stopped, or selecting other events; none when the region has no trail); 'cannot tell'
 * when no trail is known to log them and one could not be read (denied, throttled): a finding stays as it is.
 */
export interface TrailInspector {
  managementEventsLogged(): Promise<{ logged: boolean; trails: string[] } | 'cannot tell'>;
}
