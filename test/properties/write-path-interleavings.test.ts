/**
 * The write path under interleavings and faults, as a property (fast-check, fixed seed).
 *
 * Each run takes one team name of its own, optionally creates the team first (applied, with the plain deps),
 * then starts 2–5 operations at once — create, PATCH (description, notifications, worker access; If-Match
 * sometimes stale), member add, member remove, delete, as OWNER or ADMIN — against deps whose ports
 * (registry, SageMaker, SNS topics, Cognito directory) are the real adapters behind a gate. Every port call
 * waits at its gate until fast-check's scheduler lets it start, and only one real call is in flight at a time:
 * the scheduler picks which of the waiting calls goes next only once every operation is parked at a gate (or
 * done), so a run is a sequence of decisions of the seeded scheduler, replayable from the seed, and every await
 * point of the use cases and of reconcile is an interleaving point. (`scheduleFunction` would start the real
 * call at once and only hold back its answer: the services would see the calls in an order nobody chose.)
 * Faults come from a generated plan: the n-th call of a port method throws before the real call, or after it
 * (the effect happened, the answer was lost): throttling, a SageMaker refusal (ValidationException on
 * Create/UpdateWorkteam), SNS NotFound, and one "unexpected" fault, a crash right after a registry write.
 * Then faults go off and the team is brought to quiescence: `reconcileTeam` with the plain deps until the record
 * is no longer Pending (at most 10 times). Then, read straight from DynamoDB, SageMaker and SNS:
 *
 * 1. No lost change.
 *    a. The registry's versions form one chain: every write that raised the version was conditional on the
 *       version just before it, no two of them started from the same version (no lost update), and the final
 *       version is the first one plus the number of such writes (changes, rollbacks and re-creations alike).
 *    b. A write that keeps the version (marking Applied, Pending or Failed) never changes the desired state
 *       (spec, lifecycle), and quiescence adds no version and changes no desired state.
 *    c. Every change whose answer said it was recorded (a TeamResult applied/pending/failed, or deleteTeam
 *       resolving) holds in the version it recorded (or, for an answer with nothing to change, in a version up to
 *       the one it answered with), keeps its history entry, and still holds in the final record — each of its
 *       facts: lifecycle, description, notifications, source-IP access, each group added or removed — unless a
 *       later version changed that same fact: a later change, a retirement, a re-creation, or a rollback (a
 *       refusal steps the desired state back one version at a time, so a change another request was answered
 *       202 for survives another's refusal unless SageMaker refuses it too: such undoings are counted and printed).
 *    d. An answer that says `applied` is true: the version it answers with holds the request's change, unless
 *       another request changed the same fact in between — a rollback in between does not excuse it (the
 *       request would be told 200 for a change that is already undone).
 *    e. A team that a create/PATCH/member answer reported as existing at version V is `active` at the end unless
 *       a DELETE recorded its retirement at a version after V (a refusal never closes it).
 * 2. No orphan: after quiescence the topic `${TOPIC_PREFIX}<name>` exists iff the record is active and wants
 *    notifications (a `Failed` record may keep its topic, but then the record knows of it); and the DELETE that
 *    cleans up each run leaves neither topic nor team.
 * 3. No deleted team that should exist: after quiescence nothing is Pending; SageMaker has the team iff the
 *    record is active and Applied, and then `getTeam` (as GET /teams/{name} shows it) has it `InSync` with the desired description,
 *    members, worker access and topic; a `Failed` record has a reason, and still has its team in SageMaker if an
 *    answer ever reported it applied.
 * 4. No unexpected error: every call resolves, or rejects with a domain error of status 4xx, or with an injected
 *    transient fault that recorded nothing (the HTTP layer answers 503 UpstreamUnavailable, Retry-After: nothing
 *    changed), or with the injected crash; reconcile at quiescence never throws.
 */

import { AsyncLocalStorage } from 'node:async_hooks';
import { isDeepStrictEqual } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteWorkteamCommand } from '@aws-sdk/client-sagemaker';
import { DeleteTopicCommand, GetTopicAttributesCommand } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { createTeamRegistry } from '#lib/adapters/registry';
import type { Caller } from '#lib/auth/caller';
import { actorOf } from '#lib/auth/caller';
import { buildTeamDeps } from '#lib/composition/teams';
import { isDomainError } from '#lib/domain/errors';
import type { TeamRecord } from '#lib/domain/team';
import { mapErrorToResponse, statusOf } from '#lib/http/errors';
import { parseCreateTeamRequest, parseTeamPatch } from '#lib/http/requests';
import { expectedVersionsOf, toManagedTeamView } from '#lib/http/views';
import {
  addTeamMembers,
  createTeam,
  deleteTeam,
  removeTeamMember,
  type TeamDeps,
  type TeamResult,
  updateTeam,
} from '#lib/use-cases/manage-teams';
import { getTeam } from '#lib/use-cases/read-teams';
import { reconcileTeam } from '#lib/use-cases/reconcile';
import { liveTeam } from '../support/steps';
import { ADMIN, OWNER, sagemaker, sns, teamBody, uniqueTeamName } from '../support/teams';

const SEED = 20261128;
/**
 * About 0.2 s a run on a 2-core machine: 100 keep `npm test` quick. PROPERTY_RUNS overrides it for a longer
 * exploration (`PROPERTY_RUNS=1000 npx jest test/properties`), and the seed stays fixed so a run is replayable.
 */
const RUNS = Number(process.env.PROPERTY_RUNS ?? 100);
const GROUPS = ['labelers-en', 'labelers-de', 'reviewers'];
const DESCRIPTIONS = ['Labels test images', 'Labels street scenes', 'Reviews medical scans'];
const CALLERS: Record<'OWNER' | 'ADMIN', Caller> = { OWNER, ADMIN };
/** Long enough that no run's faults make retries run out: quiescence is always reachable. */
const RETRY_BUDGET_MS = 7 * 24 * 3_600_000;
const QUIESCENCE_ROUNDS = 10;

const sm = sagemaker();
const topics = sns();
const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));

// ---------------------------------------------------------------------------------------------------------------
// What a run does: the team it starts from, the operations, the faults.

type CallerName = keyof typeof CALLERS;
type Toggle = 'Enabled' | 'Disabled';

type Operation =
  | { kind: 'create'; by: CallerName; description: string; notifications: boolean; groups: string[] }
  | {
      kind: 'patch';
      by: CallerName;
      ifMatch?: string;
      description?: string;
      notifications?: boolean;
      sourceIp?: Toggle;
    }
  | { kind: 'addMembers'; by: CallerName; ifMatch?: string; groups: string[] }
  | { kind: 'removeMember'; by: CallerName; ifMatch?: string; group: string }
  | { kind: 'delete'; by: CallerName; ifMatch?: string };

type FaultKind = 'throttle' | 'refusal' | 'snsNotFound' | 'crash';

interface FaultSpec {
  target: string;
  when: 'before' | 'after';
  kind: FaultKind;
}

interface PlannedFault extends FaultSpec {
  /** Which call of `target` in the run (0 = the first). */
  nth: number;
}

interface Scenario {
  initial?: { notifications: boolean; groups: string[] };
  operations: Operation[];
  faults: PlannedFault[];
}

const FAULT_CATALOGUE: FaultSpec[] = [
  { target: 'sagemaker.describeWorkteam', when: 'before', kind: 'throttle' },
  { target: 'sagemaker.createWorkteam', when: 'before', kind: 'throttle' },
  { target: 'sagemaker.createWorkteam', when: 'after', kind: 'throttle' },
  { target: 'sagemaker.createWorkteam', when: 'before', kind: 'refusal' },
  { target: 'sagemaker.updateWorkteam', when: 'before', kind: 'throttle' },
  { target: 'sagemaker.updateWorkteam', when: 'after', kind: 'throttle' },
  { target: 'sagemaker.updateWorkteam', when: 'before', kind: 'refusal' },
  { target: 'sagemaker.deleteWorkteam', when: 'before', kind: 'throttle' },
  { target: 'sagemaker.deleteWorkteam', when: 'after', kind: 'throttle' },
  { target: 'topics.ensureTopic', when: 'before', kind: 'throttle' },
  { target: 'topics.ensureTopic', when: 'after', kind: 'throttle' },
  { target: 'topics.ensureTopic', when: 'after', kind: 'snsNotFound' },
  { target: 'topics.syncEmailSubscriptions', when: 'before', kind: 'snsNotFound' },
  { target: 'topics.deleteTopic', when: 'before', kind: 'throttle' },
  { target: 'topics.deleteTopic', when: 'after', kind: 'throttle' },
  { target: 'topics.deleteTeamTopic', when: 'after', kind: 'throttle' },
  { target: 'directory.emailsOfGroups', when: 'before', kind: 'throttle' },
  { target: 'directory.missingGroups', when: 'before', kind: 'throttle' },
  { target: 'registry.put', when: 'after', kind: 'crash' },
];

const callerArb = fc.constantFrom<CallerName>('OWNER', 'OWNER', 'ADMIN');
const ifMatchArb = fc.oneof(
  { arbitrary: fc.constant(undefined), weight: 3 },
  { arbitrary: fc.constantFrom('"v1"', '"v2"', '"v3"', '*'), weight: 1 },
);
const groupsArb = fc.subarray(GROUPS, { minLength: 1 });

const createArb: fc.Arbitrary<Operation> = fc.record({
  kind: fc.constant('create' as const),
  by: callerArb,
  description: fc.constantFrom(...DESCRIPTIONS),
  notifications: fc.boolean(),
  groups: groupsArb,
});

const patchArb: fc.Arbitrary<Operation> = fc
  .record(
    {
      kind: fc.constant('patch' as const),
      by: callerArb,
      ifMatch: ifMatchArb,
      description: fc.constantFrom(...DESCRIPTIONS),
      notifications: fc.boolean(),
      sourceIp: fc.constantFrom<Toggle>('Enabled', 'Disabled'),
    },
    { requiredKeys: ['kind', 'by'] },
  )
  .filter((patch) => patch.description !== undefined || patch.notifications !== undefined || !!patch.sourceIp);

const operationArb: fc.Arbitrary<Operation> = fc.oneof(
  { arbitrary: createArb, weight: 1 },
  { arbitrary: patchArb, weight: 3 },
  {
    arbitrary: fc.record({
      kind: fc.constant('addMembers' as const),
      by: callerArb,
      ifMatch: ifMatchArb,
      groups: fc.subarray(GROUPS, { minLength: 1, maxLength: 2 }),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('removeMember' as const),
      by: callerArb,
      ifMatch: ifMatchArb,
      group: fc.constantFrom(...GROUPS),
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ kind: fc.constant('delete' as const), by: callerArb, ifMatch: ifMatchArb }), weight: 1 },
);

const plannedFaultArb: fc.Arbitrary<PlannedFault> = fc
  .record({ spec: fc.constantFrom(...FAULT_CATALOGUE), nth: fc.nat({ max: 1 }) })
  .map(({ spec, nth }) => ({ ...spec, nth }));

/** A storm, then a refusal of the retry: the refused change was already answered 202 (accepted). */
const STORM_THEN_REFUSAL: PlannedFault[][] = ['sagemaker.createWorkteam', 'sagemaker.updateWorkteam'].map((target) => [
  { target, when: 'before', kind: 'throttle', nth: 0 },
  { target, when: 'before', kind: 'refusal', nth: 1 },
]);

const faultsArb: fc.Arbitrary<PlannedFault[]> = fc.oneof(
  { arbitrary: fc.array(plannedFaultArb, { maxLength: 4 }), weight: 4 },
  {
    arbitrary: fc
      .tuple(fc.constantFrom(...STORM_THEN_REFUSAL), fc.array(plannedFaultArb, { maxLength: 2 }))
      .map(([storm, more]) => [...storm, ...more]),
    weight: 1,
  },
);

/** From an existing team: 2–5 operations; from none: a create and 1–4 more, all started at once. */
const scenarioArb: fc.Arbitrary<Scenario> = fc.oneof(
  fc.record({
    initial: fc.record({ notifications: fc.boolean(), groups: groupsArb }),
    operations: fc.array(operationArb, { minLength: 2, maxLength: 5 }),
    faults: faultsArb,
  }),
  fc.record({
    operations: fc
      .tuple(createArb, fc.array(operationArb, { minLength: 1, maxLength: 4 }))
      .map(([create, rest]) => [create, ...rest]),
    faults: faultsArb,
  }),
);

// ---------------------------------------------------------------------------------------------------------------
// The gate: every port call waits until the scheduler lets it start; one real call at a time.

interface OperationState {
  index: number;
  /** Calls of this operation waiting at their gate. */
  gated: number;
  /** Calls of this operation let through and not yet finished. */
  running: number;
  settled: boolean;
  calls: number;
}

interface HeldCall {
  operation: OperationState;
  seq: number;
  label: string;
  open: () => void;
}

interface RegistryWrite {
  operation: number;
  expectedVersion: number | undefined;
  record: TeamRecord;
}

interface InjectedFault {
  fault: PlannedFault;
  operation: number;
}

const injected = new WeakMap<Error, InjectedFault>();

function injectedFaultOf(error: unknown): InjectedFault | undefined {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 5; depth++) {
    const fault = injected.get(cause);
    if (fault) return fault;
    cause = cause.cause;
  }
  return undefined;
}

function faultError(fault: PlannedFault): Error {
  const [name, message, $fault] = {
    throttle: ['ThrottlingException', 'Rate exceeded (injected)', 'server'],
    refusal: ['ValidationException', 'The request was refused (injected)', 'client'],
    snsNotFound: ['NotFoundException', 'Topic does not exist (injected)', 'client'],
    crash: ['InjectedCrash', 'the connection dropped after the write (injected)', undefined],
  }[fault.kind];
  return Object.assign(new Error(message), { name, ...($fault ? { $fault } : {}) });
}

class Interleaving {
  private readonly context = new AsyncLocalStorage<OperationState>();
  private readonly operations: OperationState[] = [];
  private held: HeldCall[] = [];
  private readonly callsOf = new Map<string, number>();
  /** The calls in the order the scheduler let them start. */
  readonly order: string[] = [];
  /** Decisions where more than one call was waiting. */
  choicePoints = 0;
  readonly writes: RegistryWrite[] = [];
  readonly fired: InjectedFault[] = [];

  constructor(
    private readonly scheduler: fc.Scheduler,
    private readonly faults: PlannedFault[],
  ) {}

  /** The deps with every port behind the gate; the rest (policy, alerts, log) as built. */
  deps(base: TeamDeps): TeamDeps {
    return {
      ...base,
      registry: this.gated('registry', base.registry),
      sagemaker: this.gated('sagemaker', base.sagemaker),
      topics: this.gated('topics', base.topics),
      directory: this.gated('directory', base.directory),
      leases: this.gatedLeases(base.leases),
      retryBudgetMs: RETRY_BUDGET_MS,
    };
  }

  /**
   * The teams' leases behind the gate too. A pass that finds a lease held would wait for it in real time (pauses
   * the scheduler cannot see); here it waits parked until the holder gives the lease up, and is then told "held"
   * once more, so that it takes the lease on its next attempt as a pass that had to wait (which is what reconcile
   * must know: it then starts from nothing it knew before).
   */
  private gatedLeases(real: TeamDeps['leases']): TeamDeps['leases'] {
    const gated = this.gated('leases', real);
    const released = new Map<string, (() => void)[]>();
    return {
      tryAcquire: async (team, holder, until, now) => {
        if (await gated.tryAcquire(team, holder, until, now)) return true;
        const operation = this.context.getStore();
        if (operation) operation.gated += 1;
        await new Promise<void>((resolve) => released.set(team, [...(released.get(team) ?? []), resolve]));
        if (operation) operation.gated -= 1;
        return false;
      },
      release: async (team, holder) => {
        try {
          await gated.release(team, holder);
        } finally {
          const waiting = released.get(team) ?? [];
          released.delete(team);
          for (const resolve of waiting) resolve();
        }
      },
    };
  }

  start<T>(index: number, body: () => Promise<T>): Promise<T> {
    const operation: OperationState = { index, gated: 0, running: 0, settled: false, calls: 0 };
    this.operations.push(operation);
    const running = this.context.run(operation, body);
    running.then(
      () => {
        operation.settled = true;
      },
      () => {
        operation.settled = true;
      },
    );
    return running;
  }

  /** Lets the scheduler pick the next call, each time every operation waits at a gate, until all are done. */
  async drive(): Promise<void> {
    for (;;) {
      await this.untilParked();
      if (this.operations.every((operation) => operation.settled)) return;
      const fresh = this.held.splice(0).sort((a, b) => a.operation.index - b.operation.index || a.seq - b.seq);
      for (const call of fresh) {
        void this.scheduler
          .schedule(Promise.resolve(), call.label, undefined, (release) => {
            call.operation.gated -= 1;
            call.operation.running += 1;
            this.order.push(call.label);
            return release();
          })
          .then(call.open);
      }
      if (this.scheduler.count() > 1) this.choicePoints += 1;
      await this.scheduler.waitNext(1);
    }
  }

  private async untilParked(): Promise<void> {
    const deadline = Date.now() + 20_000;
    for (let turn = 0; ; turn++) {
      const parked = this.operations.every(
        (operation) => operation.settled || (operation.running === 0 && operation.gated > 0),
      );
      if (parked) return;
      if (Date.now() > deadline) {
        throw new Error(`the operations never settled at a gate: ${JSON.stringify(this.operations)}`);
      }
      await new Promise((resolve) => (turn < 200 ? setImmediate(resolve) : setTimeout(resolve, 1)));
    }
  }

  private gated<T extends object>(port: string, real: T): T {
    const wrapped: Record<string, unknown> = {};
    for (const [method, value] of Object.entries(real)) {
      wrapped[method] =
        typeof value === 'function'
          ? (...args: unknown[]) => this.call(`${port}.${method}`, () => value.apply(real, args), args)
          : value;
    }
    return wrapped as T;
  }

  private async call(target: string, real: () => Promise<unknown>, args: unknown[]): Promise<unknown> {
    const operation = this.context.getStore();
    if (!operation) throw new Error(`${target} was called outside an operation`);
    operation.gated += 1;
    await new Promise<void>((open) =>
      this.held.push({ operation, seq: operation.calls++, label: `op${operation.index}:${target}`, open }),
    );
    try {
      const nth = this.callsOf.get(target) ?? 0;
      this.callsOf.set(target, nth + 1);
      const fault = this.faults.find((planned) => planned.target === target && planned.nth === nth);
      if (fault?.when === 'before') throw this.fire(fault, operation);
      const result = await real();
      if (target === 'registry.put') {
        this.writes.push({
          operation: operation.index,
          // As stored: the registry returns the record with the revision it gave it.
          record: structuredClone(((result as TeamRecord | undefined) ?? args[0]) as TeamRecord),
          expectedVersion: args[1] as number | undefined,
        });
      }
      if (fault?.when === 'after') throw this.fire(fault, operation);
      return result;
    } finally {
      operation.running -= 1;
    }
  }

  private fire(fault: PlannedFault, operation: OperationState): Error {
    const error = faultError(fault);
    const record = { fault, operation: operation.index };
    injected.set(error, record);
    this.fired.push(record);
    return error;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Reading the end state.

const topicArnOf = (name: string) => `arn:aws:sns:us-east-1:000000000000:${process.env.TOPIC_PREFIX}${name}`;

/** The stored record, read through the registry adapter itself (tags come back as the record has them). */
function registryRecord(name: string): Promise<TeamRecord | undefined> {
  return createTeamRegistry(documents, process.env.TEAMS_TABLE ?? '').get(name);
}

async function topicExists(name: string): Promise<boolean> {
  try {
    await topics.send(new GetTopicAttributesCommand({ TopicArn: topicArnOf(name) }));
    return true;
  } catch {
    return false;
  }
}

const plainDeps = (): TeamDeps => ({ ...buildTeamDeps(), retryBudgetMs: RETRY_BUDGET_MS });

/** Reconciles with the plain deps until the record is not Pending; what reconcile threw, if anything. */
async function quiesce(deps: TeamDeps, name: string): Promise<{ errors: unknown[]; rounds: number }> {
  const errors: unknown[] = [];
  let rounds = 0;
  while (rounds < QUIESCENCE_ROUNDS && (await registryRecord(name))?.applyState === 'Pending') {
    rounds += 1;
    await reconcileTeam(deps, name).catch((error: unknown) => errors.push(error));
  }
  return { errors, rounds };
}

function groupsOf(record: TeamRecord): string[] {
  return 'cognitoGroups' in record.spec.members ? record.spec.members.cognitoGroups : record.spec.members.oidcGroups;
}

/** The desired state a version stands for: spec and lifecycle (undefined fields dropped, as DynamoDB does). */
function desiredState(record: TeamRecord | undefined): unknown {
  if (!record) return null;
  return JSON.parse(JSON.stringify({ spec: record.spec, lifecycle: record.lifecycle, closedBy: record.closedBy }));
}

const sameDesiredState = (a: TeamRecord | undefined, b: TeamRecord | undefined) =>
  isDeepStrictEqual(desiredState(a), desiredState(b));

const lastAction = (record: TeamRecord) => record.history.at(-1)?.action;
const CHANGE_ACTIONS = ['created', 'updated', 'membersAdded', 'memberRemoved', 'deleted'];

interface Fact {
  what: string;
  holds: (record: TeamRecord) => boolean;
}

function factsOf(operation: Operation): Fact[] {
  const active: Fact = { what: 'the team is active', holds: (r) => r.lifecycle === 'active' };
  const description = (text: string): Fact => ({
    what: `description is '${text}'`,
    holds: (r) => r.spec.description === text,
  });
  const notifications = (on: boolean): Fact => ({
    what: `notifications are ${on}`,
    holds: (r) => r.spec.notifications === on,
  });
  const member = (group: string): Fact => ({
    what: `${group} is a member`,
    holds: (r) => groupsOf(r).includes(group),
  });
  switch (operation.kind) {
    case 'create':
      return [
        active,
        description(operation.description),
        notifications(operation.notifications),
        ...operation.groups.map(member),
      ];
    case 'patch':
      return [
        active,
        ...(operation.description === undefined ? [] : [description(operation.description)]),
        ...(operation.notifications === undefined ? [] : [notifications(operation.notifications)]),
        ...(operation.sourceIp === undefined
          ? []
          : [
              {
                what: `sourceIp is ${operation.sourceIp}`,
                holds: (r: TeamRecord) => r.spec.workerAccess.sourceIp === operation.sourceIp,
              },
            ]),
      ];
    case 'addMembers':
      return [active, ...operation.groups.map(member)];
    case 'removeMember':
      return [
        active,
        { what: `${operation.group} is not a member`, holds: (r) => !groupsOf(r).includes(operation.group) },
      ];
    case 'delete':
      return [{ what: 'the team is retired', holds: (r) => r.lifecycle === 'deleted' }];
  }
}

function perform(deps: TeamDeps, name: string, operation: Operation): Promise<unknown> {
  const actor = actorOf(CALLERS[operation.by]);
  switch (operation.kind) {
    case 'create':
      return createTeam(
        deps,
        actor,
        parseCreateTeamRequest(
          teamBody(name, {
            description: operation.description,
            notifications: operation.notifications,
            members: { cognitoGroups: operation.groups },
          }),
        ),
      );
    case 'patch':
      return updateTeam(
        deps,
        actor,
        name,
        parseTeamPatch({
          ...(operation.description === undefined ? {} : { description: operation.description }),
          ...(operation.notifications === undefined ? {} : { notifications: operation.notifications }),
          ...(operation.sourceIp === undefined ? {} : { workerAccess: { sourceIp: operation.sourceIp } }),
        }),
        expectedVersionsOf(operation.ifMatch),
      );
    case 'addMembers':
      return addTeamMembers(
        deps,
        actor,
        name,
        { cognitoGroups: operation.groups },
        expectedVersionsOf(operation.ifMatch),
      );
    case 'removeMember':
      return removeTeamMember(deps, actor, name, operation.group, expectedVersionsOf(operation.ifMatch));
    case 'delete':
      return deleteTeam(deps, actor, name, expectedVersionsOf(operation.ifMatch));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The figures the closing note quotes, over every run (shrinking runs included, should any happen).

type Invariant = 'lostChanges' | 'orphanTopics' | 'teamsDeletedThatShouldExist' | 'unexpectedErrors';

const figures = {
  runs: 0,
  operations: 0,
  portCalls: 0,
  faultsPlanned: 0,
  faultsInjected: 0,
  faultsByKind: {} as Record<string, number>,
  choicePoints: 0,
  interleavings: new Set<string>(),
  answers: {} as Record<string, number>,
  supersededBy: {} as Record<string, number>,
  acceptedChangesUndoneByRollback: 0,
  notes: [] as string[],
  quiescenceRounds: 0,
  finalStates: {} as Record<string, number>,
  violations: { lostChanges: 0, orphanTopics: 0, teamsDeletedThatShouldExist: 0, unexpectedErrors: 0 } as Record<
    Invariant,
    number
  >,
  startedAt: 0,
  durationMs: 0,
};

const bump = (counts: Record<string, number>, key: string) => {
  counts[key] = (counts[key] ?? 0) + 1;
};

// ---------------------------------------------------------------------------------------------------------------
// One run.

interface Answer {
  index: number;
  operation: Operation;
  settled: PromiseSettledResult<unknown>;
}

/**
 * Whatever a run left (it failed half-way, or the checks found something): retired, and gone from SageMaker and
 * SNS, so that runs do not pile up teams (SageMaker holds 25 a region, and other test files share the emulator).
 */
async function forceCleanUp(deps: TeamDeps, name: string): Promise<void> {
  if ((await registryRecord(name))?.lifecycle === 'active') {
    await deleteTeam(deps, actorOf(ADMIN), name).catch(() => undefined);
    await quiesce(deps, name);
  }
  if (await liveTeam(name)) await sm.send(new DeleteWorkteamCommand({ WorkteamName: name })).catch(() => undefined);
  if (await topicExists(name)) await topics.send(new DeleteTopicCommand({ TopicArn: topicArnOf(name) }));
}

async function runScenario(scheduler: fc.Scheduler, scenario: Scenario): Promise<void> {
  const name = uniqueTeamName('interleaved');
  try {
    await checkScenario(scheduler, scenario, name);
  } finally {
    await forceCleanUp(plainDeps(), name);
  }
}

async function checkScenario(scheduler: fc.Scheduler, scenario: Scenario, name: string): Promise<void> {
  const plain = plainDeps();
  const violations: { invariant: Invariant; message: string }[] = [];
  const violate = (invariant: Invariant, message: string) => violations.push({ invariant, message });

  // Prepare: the team the operations start from, if any
  if (scenario.initial) {
    await createTeam(
      plain,
      actorOf(OWNER),
      parseCreateTeamRequest(
        teamBody(name, {
          notifications: scenario.initial.notifications,
          members: { cognitoGroups: scenario.initial.groups },
        }),
      ),
    );
  }
  const initial = await registryRecord(name);

  // Act: every operation at once, interleaved by the scheduler, faults on; then quiescence, faults off
  const world = new Interleaving(scheduler, scenario.faults);
  const deps = world.deps(buildTeamDeps());
  const running = scenario.operations.map((operation, index) =>
    world.start(index, () => perform(deps, name, operation)),
  );
  await world.drive();
  const answers: Answer[] = (await Promise.allSettled(running)).map((settled, index) => ({
    index,
    operation: scenario.operations[index] as Operation,
    settled,
  }));
  const quiescence = await quiesce(plain, name);
  const final = await registryRecord(name);
  const live = await liveTeam(name);
  const topic = await topicExists(name);

  // Assess
  const bumps = world.writes.filter((write) => write.record.version !== write.expectedVersion);
  const versions = new Map<number, TeamRecord>();
  if (initial) versions.set(initial.version, initial);
  for (const write of bumps) versions.set(write.record.version, write.record);
  const ownChange = (index: number, by: string) =>
    bumps.find(
      (write) =>
        write.operation === index &&
        lastAction(write.record) !== undefined &&
        CHANGE_ACTIONS.includes(lastAction(write.record) as string) &&
        write.record.history.at(-1)?.by === by,
    );

  // 1a. One chain of versions.
  let previous = initial?.version;
  for (const write of bumps) {
    if (write.expectedVersion !== previous || write.record.version !== (previous ?? 0) + 1) {
      violate(
        'lostChanges',
        `version ${write.record.version} (op${write.operation}, ${lastAction(write.record)}) was written over ${
          write.expectedVersion ?? 'nothing'
        } while the registry held ${previous ?? 'nothing'}`,
      );
    }
    previous = write.record.version;
  }
  const lastRecorded = bumps.at(-1)?.record ?? initial;
  // 1b. Writes that keep the version keep the desired state; so does quiescence.
  for (const write of world.writes.filter((w) => w.record.version === w.expectedVersion)) {
    const atVersion = versions.get(write.record.version);
    if (!atVersion || !sameDesiredState(atVersion, write.record)) {
      violate('lostChanges', `a write of op${write.operation} changed the desired state of v${write.record.version}`);
    }
  }
  if (lastRecorded?.version !== final?.version || !sameDesiredState(final, lastRecorded)) {
    violate(
      'lostChanges',
      `the final record (v${final?.version}) is not the last recorded version (v${lastRecorded?.version}): ${JSON.stringify(
        desiredState(final),
      )} vs ${JSON.stringify(desiredState(lastRecorded))}`,
    );
  }

  for (const answer of answers) {
    const { operation, settled, index } = answer;
    const caller = CALLERS[operation.by];
    const own = ownChange(index, caller.sub);
    // 4. Domain errors only.
    if (settled.status === 'fulfilled') {
      bump(figures.answers, `${operation.kind} ${(settled.value as { outcome: string }).outcome}`);
    } else {
      const error = settled.reason;
      const fault = injectedFaultOf(error);
      const { response } = mapErrorToResponse(error);
      if (isDomainError(error) && statusOf(error) < 500) {
        bump(figures.answers, `${operation.kind} ${statusOf(error)} ${error.code}`);
      } else if (response.statusCode === 503 && fault && !own) {
        bump(figures.answers, `${operation.kind} 503 (injected ${fault.fault.kind}, nothing recorded)`);
      } else if (fault?.fault.kind === 'crash') {
        bump(figures.answers, `${operation.kind} 500 (injected crash)`);
      } else {
        bump(figures.answers, `${operation.kind} ${response.statusCode} UNEXPECTED`);
        violate(
          'unexpectedErrors',
          `op${index} ${operation.kind} rejected with ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)} (HTTP ${response.statusCode})${own ? ' after recording its change' : ''}`,
        );
      }
      continue;
    }

    // 1c. A recorded change holds, unless a later version changed the same fact.
    const answeredVersion = operation.kind === 'delete' ? undefined : (settled.value as TeamResult).record.version;
    if (operation.kind === 'delete' && !own) {
      violate('lostChanges', `op${index} delete resolved without recording a retirement`);
      continue;
    }
    const facts = factsOf(operation);
    let recordedAt = own?.record.version;
    if (recordedAt === undefined) {
      // Nothing to change (a replay, a patch to what already was): the latest version up to the answer's holds it.
      recordedAt = [...versions.keys()]
        .filter((version) => version <= (answeredVersion ?? 0))
        .sort((a, b) => b - a)
        .find((version) => facts.every((fact) => fact.holds(versions.get(version) as TeamRecord)));
      if (recordedAt === undefined) {
        violate('lostChanges', `op${index} ${operation.kind} answered v${answeredVersion} but no version holds it`);
        continue;
      }
    }
    const atRecorded = versions.get(recordedAt) as TeamRecord;
    if (own && final && !final.history.some((entry) => entry.version === recordedAt && entry.by === caller.sub)) {
      violate('lostChanges', `op${index} ${operation.kind}: the history lost its entry of v${recordedAt}`);
    }
    for (const fact of facts) {
      if (!fact.holds(atRecorded)) {
        violate('lostChanges', `op${index} ${operation.kind}: its own version v${recordedAt} lacks "${fact.what}"`);
        continue;
      }
      if (final && fact.holds(final)) continue;
      const overturn = bumps.find(
        (write) => write.record.version > (recordedAt as number) && !fact.holds(write.record),
      );
      if (!overturn) {
        violate('lostChanges', `op${index} ${operation.kind} (v${recordedAt}): "${fact.what}" was lost`);
        continue;
      }
      const action = lastAction(overturn.record) ?? '?';
      bump(figures.supersededBy, action);
      if (action === 'rolledBack' && overturn.operation !== index) {
        figures.acceptedChangesUndoneByRollback += 1;
        if (figures.notes.length < 3) {
          figures.notes.push(
            `op${index} ${JSON.stringify(operation)} answered ${(settled.value as { outcome: string }).outcome} (v${recordedAt}); "${fact.what}" undone by the rollback at v${overturn.record.version} (op${overturn.operation}: ${overturn.record.history.at(-1)?.summary}); schedule: ${world.order.join(' ')}; faults fired: ${JSON.stringify(world.fired)}`,
          );
        }
      }
    }

    // 1d. An answer that says 'applied' shows the change, unless another request changed the same fact meanwhile.
    const answered = settled.value as TeamResult;
    const atAnswer = answeredVersion === undefined ? undefined : versions.get(answeredVersion);
    if (operation.kind !== 'delete' && answered.outcome === 'applied' && atAnswer) {
      for (const fact of facts) {
        if (fact.holds(atAnswer)) continue;
        const overturn = bumps.find(
          (write) =>
            write.record.version > (recordedAt as number) &&
            write.record.version <= (answeredVersion as number) &&
            !fact.holds(write.record),
        );
        if (!overturn || lastAction(overturn.record) === 'rolledBack') {
          violate(
            'lostChanges',
            `op${index} ${operation.kind} answered 'applied' at v${answeredVersion}, but "${fact.what}" ${
              overturn
                ? `was rolled back at v${overturn.record.version} (op${overturn.operation}: ${overturn.record.history.at(-1)?.summary}) before the answer`
                : 'does not hold there'
            }`,
          );
        }
      }
    }

    // 1e. A team reported existing stays active unless a DELETE retired it afterwards.
    if (answeredVersion !== undefined && final?.lifecycle !== 'active') {
      const retired = bumps.some(
        (write) =>
          write.record.version > answeredVersion &&
          write.record.lifecycle === 'deleted' &&
          write.record.closedBy !== 'rejection' &&
          lastAction(write.record) === 'deleted',
      );
      if (!retired) {
        violate(
          'teamsDeletedThatShouldExist',
          `op${index} ${operation.kind} reported the team at v${answeredVersion}; it ended ${final?.lifecycle ?? 'unrecorded'} (${final?.closedBy ?? '-'}) with no DELETE after it`,
        );
      }
    }
  }

  // 4. Reconcile at quiescence never throws.
  for (const error of quiescence.errors) {
    violate('unexpectedErrors', `reconcile at quiescence threw ${error instanceof Error ? error.name : error}`);
  }

  // 3. Nothing Pending; SageMaker has the team iff the record is active (and Applied); InSync when it is.
  const active = final?.lifecycle === 'active';
  const finalState = final ? `${final.lifecycle} ${final.applyState}` : 'never recorded';
  bump(figures.finalStates, finalState);
  if (final?.applyState === 'Pending') {
    violate(
      'teamsDeletedThatShouldExist',
      `still Pending after ${QUIESCENCE_ROUNDS} reconciles: ${final.pendingReason}`,
    );
  } else if (final?.applyState === 'Failed') {
    if (!final.pendingReason) violate('teamsDeletedThatShouldExist', 'Failed without a reason');
    const lastCreated = Math.max(
      initial?.version ?? 0,
      ...bumps.filter((w) => lastAction(w.record) === 'created').map((w) => w.record.version),
    );
    const reportedApplied =
      (initial !== undefined && lastCreated === initial.version) ||
      answers.some(
        (a) =>
          a.settled.status === 'fulfilled' &&
          a.operation.kind !== 'delete' &&
          (a.settled.value as TeamResult).outcome === 'applied' &&
          (a.settled.value as TeamResult).record.version >= lastCreated,
      );
    if (active && reportedApplied && !live) {
      violate('teamsDeletedThatShouldExist', 'a team reported applied is Failed and gone from SageMaker');
    }
  } else if (active !== (live !== undefined)) {
    violate(
      'teamsDeletedThatShouldExist',
      `the record is ${finalState} but SageMaker ${live ? 'has' : 'has no'} team '${name}'`,
    );
  } else if (final && active) {
    const read = await getTeam(plain, name);
    const team = read.record
      ? toManagedTeamView(read.record, read.live, plain.managementTag)
      : { ...read.live, status: 'unmanaged' };
    if (!('members' in team) || !team.members) throw new Error(`'${name}' has no view`);
    const desired = {
      status: 'InSync',
      description: final.spec.description,
      groups: [...groupsOf(final)].sort(),
      sourceIp: final.spec.workerAccess.sourceIp,
      topic: final.spec.notifications ? topicArnOf(name) : null,
    };
    const shown = {
      status: 'status' in team ? team.status : 'unmanaged',
      description: team.description,
      groups: ('cognitoGroups' in team.members ? [...team.members.cognitoGroups] : []).sort(),
      sourceIp: team.workerAccess.sourceIp,
      topic: team.notificationTopicArn,
    };
    if (!isDeepStrictEqual(shown, desired)) {
      violate(
        'teamsDeletedThatShouldExist',
        `SageMaker shows ${JSON.stringify(shown)}, the desired state is ${JSON.stringify(desired)}`,
      );
    }
  }

  // 2. The topic exists iff the record is active and wants notifications.
  const wantsTopic = active && final?.spec.notifications === true;
  if (final?.applyState === 'Failed') {
    if (topic && !final.topicArn && !final.topicMayExist) violate('orphanTopics', 'a Failed record forgot its topic');
  } else if (topic !== wantsTopic) {
    violate('orphanTopics', `the record is ${finalState}, notifications ${final?.spec.notifications}, topic ${topic}`);
  }

  // Clean up, and 2./3. once more: the retirement leaves neither team nor topic.
  if (active) {
    await deleteTeam(plain, actorOf(ADMIN), name).catch(() => undefined);
    await quiesce(plain, name);
    if (await topicExists(name)) violate('orphanTopics', 'the topic survived the retirement of the team');
    if (await liveTeam(name)) violate('teamsDeletedThatShouldExist', 'the team survived its retirement');
  }
  await forceCleanUp(plain, name);

  figures.runs += 1;
  figures.operations += scenario.operations.length;
  figures.portCalls += world.order.length;
  figures.faultsPlanned += scenario.faults.length;
  figures.faultsInjected += world.fired.length;
  for (const { fault } of world.fired) bump(figures.faultsByKind, `${fault.target} ${fault.when} ${fault.kind}`);
  figures.choicePoints += world.choicePoints;
  figures.interleavings.add(JSON.stringify([scenario.operations.map((o) => o.kind), world.order]));
  figures.quiescenceRounds += quiescence.rounds;
  for (const { invariant } of violations) figures.violations[invariant] += 1;

  if (violations.length > 0) {
    throw new Error(
      [
        `${violations.length} violation(s) for '${name}':`,
        ...violations.map((v) => `  [${v.invariant}] ${v.message}`),
        `initial: ${initial ? `v${initial.version} ${JSON.stringify(scenario.initial)}` : 'none'}`,
        'operations:',
        ...answers.map(
          (a) =>
            `  op${a.index} ${JSON.stringify(a.operation)} -> ${
              a.settled.status === 'fulfilled'
                ? `${(a.settled.value as { outcome: string }).outcome}${
                    a.operation.kind === 'delete' ? '' : ` v${(a.settled.value as TeamResult).record.version}`
                  }`
                : `${(a.settled.reason as Error).name}: ${(a.settled.reason as Error).message}`
            }`,
        ),
        `faults planned: ${JSON.stringify(scenario.faults)}`,
        `faults fired: ${JSON.stringify(world.fired)}`,
        `schedule: ${world.order.join(' ')}`,
        'versions:',
        ...bumps.map(
          (w) =>
            `  v${w.record.version} by op${w.operation} ${lastAction(w.record)} ${w.record.lifecycle} ${JSON.stringify({
              description: w.record.spec.description,
              notifications: w.record.spec.notifications,
              groups: groupsOf(w.record),
              sourceIp: w.record.spec.workerAccess.sourceIp,
            })}`,
        ),
        `final: ${final ? `v${final.version} ${finalState} ${final.pendingReason ?? ''}` : 'none'}; SageMaker team: ${
          live !== undefined
        }; topic: ${topic}`,
      ].join('\n'),
    );
  }
}

describe('the write path under interleavings and faults', () => {
  afterAll(() => {
    console.log(
      [
        `write-path interleavings (seed ${SEED}, ${RUNS} runs asked):`,
        `  runs ${figures.runs} (shrinking included, if a counterexample was found), operations ${figures.operations}, port calls scheduled ${figures.portCalls}`,
        `  faults planned ${figures.faultsPlanned}, injected ${figures.faultsInjected}: ${JSON.stringify(figures.faultsByKind)}`,
        `  interleavings explored ${figures.interleavings.size} distinct, scheduler decisions with a choice ${figures.choicePoints}`,
        `  answers: ${JSON.stringify(figures.answers)}`,
        `  final states: ${JSON.stringify(figures.finalStates)}, reconcile rounds to quiescence ${figures.quiescenceRounds}`,
        `  facts later overturned, by action: ${JSON.stringify(figures.supersededBy)}; accepted changes undone by another change's rollback: ${figures.acceptedChangesUndoneByRollback}`,
        `  violations: lost changes ${figures.violations.lostChanges}, orphan topics ${figures.violations.orphanTopics}, teams deleted that should exist ${figures.violations.teamsDeletedThatShouldExist}, unexpected errors ${figures.violations.unexpectedErrors}`,
        `  duration ${(figures.durationMs / 1000).toFixed(1)} s`,
        ...figures.notes.map((note) => `  example: ${note}`),
      ].join('\n'),
    );
  });

  it(`loses no recorded change, leaves no orphan topic, deletes no team that should exist and answers only domain errors, over ${RUNS} interleavings with faults (seed ${SEED})`, async () => {
    figures.startedAt = Date.now();
    try {
      await fc.assert(
        fc.asyncProperty(fc.scheduler(), scenarioArb, (scheduler, scenario) => runScenario(scheduler, scenario)),
        { seed: SEED, numRuns: RUNS },
      );
    } finally {
      figures.durationMs = Date.now() - figures.startedAt;
    }
  }, 300_000);
});
