/**
 * POST /teams/{name}/adopt and POST /teams/{name}/release through their handlers, against the local cloud: a team
 * made by a person with the AWS CLI (the operator's key, not this system's functions) taken under management as it
 * is, and let go again without being touched; what GET /teams/{name} and the audit (POST /audit) say of it before,
 * in between and after; and the refusals (404, 409, 412, 428, 403).
 */

import {
  CreateWorkteamCommand,
  DeleteWorkteamCommand,
  DescribeWorkteamCommand,
  ListTagsCommand,
  type Tag,
  type Workteam,
} from '@aws-sdk/client-sagemaker';
import { CreateTopicCommand, GetTopicAttributesCommand, ListSubscriptionsByTopicCommand } from '@aws-sdk/client-sns';
import type { Caller } from '#lib/auth/caller';
import type { AuditReport } from '#lib/domain/audit/report';
import { handler as addTeamMembers } from '../../functions/add-team-members';
import { handler as adoptTeam } from '../../functions/adopt-team';
import { handler as deleteTeam } from '../../functions/delete-team';
import { handler as getTeam } from '../../functions/get-team';
import { handler as releaseTeam } from '../../functions/release-team';
import { handler as startAudit } from '../../functions/start-audit';
import { handler as updateTeam } from '../../functions/update-team';
import { operator, operatorSns } from '../support/operator';
import {
  createdTeams,
  givenTeam,
  liveTeam,
  registryRecord,
  retireCreatedTeams,
  topicArnOf,
  topicExists,
} from '../support/steps';
import { ADMIN, ANY_VERSION, call, OWNER, uniqueTeamName } from '../support/teams';

/** A worker of the workforce: in neither the requesters nor the admin group. */
const LABELER: Caller = { sub: 'labeler-0004', username: 'ana', groups: 'labelers-en', isAdmin: false };

const STAGE_TAG = { Key: 'managed-by', Value: 'workteam-automation-local' };

/** Teams made by hand, deleted by hand after each test (those still managed are retired through the API). */
const handMade: string[] = [];

afterEach(async () => {
  await retireCreatedTeams();
  while (handMade.length > 0) {
    const name = handMade.pop() as string;
    await operator.send(new DeleteWorkteamCommand({ WorkteamName: name })).catch(() => undefined);
  }
});

/** `aws sagemaker create-workteam`, as a person runs it: Cognito group labelers-en, worker access on. */
async function teamMadeByHand(options: { tags?: Tag[]; topic?: boolean } = {}) {
  const name = uniqueTeamName('by-hand');
  const topicArn = options.topic
    ? (await operatorSns.send(new CreateTopicCommand({ Name: `hand-made-${name}` }))).TopicArn
    : undefined;
  await operator.send(
    new CreateWorkteamCommand({
      WorkteamName: name,
      WorkforceName: process.env.WORKFORCE_NAME,
      Description: 'Made with the AWS CLI',
      MemberDefinitions: [
        {
          CognitoMemberDefinition: {
            UserPool: process.env.USER_POOL_ID,
            ClientId: process.env.CLIENT_ID,
            UserGroup: 'labelers-en',
          },
        },
      ],
      ...(topicArn ? { NotificationConfiguration: { NotificationTopicArn: topicArn } } : {}),
      WorkerAccessConfiguration: {
        S3Presign: { IamPolicyConstraints: { SourceIp: 'Enabled', VpcSourceIp: 'Disabled' } },
      },
      Tags: options.tags ?? [
        { Key: 'classification', Value: 'public' },
        { Key: 'cost-center', Value: 'ml-platform' },
      ],
    }),
  );
  handMade.push(name);
  return { name, topicArn };
}

/** The team as SageMaker holds it, without what changes whenever anything is written (its last update). */
async function sageMakerTeam(name: string): Promise<Omit<Workteam, 'LastUpdatedDate'>> {
  const { Workteam: team } = await operator.send(new DescribeWorkteamCommand({ WorkteamName: name }));
  const { LastUpdatedDate: _, ...rest } = team as Workteam;
  return rest;
}

async function tagsOf(name: string): Promise<Record<string, string>> {
  const { WorkteamArn } = await sageMakerTeam(name);
  const { Tags } = await operator.send(new ListTagsCommand({ ResourceArn: WorkteamArn }));
  return Object.fromEntries((Tags ?? []).map(({ Key, Value }) => [Key, Value]));
}

/** POST /teams/{name}/adopt as an admin, with an empty body (events/adopt-team.json names an owner) unless told. */
const adopt = (name: string, options: { caller?: Caller; body?: unknown } = {}) =>
  call(adoptTeam, 'adoptTeam', 'adopt-team.json', { path: { name }, caller: ADMIN, body: {}, ...options });

const release = (name: string, headers: Record<string, string> = ANY_VERSION, caller: Caller = ADMIN) =>
  call(releaseTeam, 'releaseTeam', 'release-team.json', { path: { name }, headers, caller });

const read = (name: string) => call(getTeam, 'getTeam', 'get-team.json', { path: { name }, caller: ADMIN });

/** What an audit of the team alone says of it (POST /audit, a dry run). */
async function audited(name: string) {
  const result = await call(startAudit, 'startAudit', 'start-audit.json', {
    caller: ADMIN,
    body: { team: name, dryRun: true },
  });
  expect(result.statusCode).toBe(201);
  const report = result.body as unknown as AuditReport;
  const rules = report.findings.filter((finding) => finding.team === name).map((finding) => finding.rule);
  const suspected = report.suspected.filter((finding) => finding.team === name).map((finding) => finding.rule);
  return { ...report.teams.find((team) => team.name === name), rules, suspected };
}

/** The e-mail (and any other) subscriptions of a topic, pending ones included. */
async function subscriptionsOf(topicArn: string) {
  const { Subscriptions } = await operatorSns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }));
  return Subscriptions ?? [];
}

describe('POST /teams/{name}/adopt, then POST /teams/{name}/release', () => {
  it('takes a team made by hand under management as it is, and lets it go again untouched but for the tag', async () => {
    // Prepare
    const { name, topicArn } = await teamMadeByHand({ topic: true });
    const before = await sageMakerTeam(name);
    const tagsBefore = await tagsOf(name);
    const auditedBefore = await audited(name);
    expect(auditedBefore).toMatchObject({ managed: false, exists: true });
    // Its topic lets nobody publish: the audit says so whoever manages the team.
    expect(auditedBefore.rules).toEqual(['notifications.publish-denied']);

    // Act
    const adopted = await adopt(name);
    createdTeams.push(name);

    // Assess: managed, as it was, by the caller, at version 1
    expect(adopted.statusCode).toBe(201);
    expect(adopted.headers.etag).toBe('"v1"');
    expect(adopted.body).toMatchObject({
      name,
      managed: true,
      owner: ADMIN.sub,
      version: 1,
      status: 'InSync',
      differences: [],
      description: 'Made with the AWS CLI',
      members: { cognitoGroups: ['labelers-en'] },
      notificationTopicArn: topicArn,
      workerAccess: { sourceIp: 'Enabled', vpcSourceIp: 'Disabled' },
      tags: { ...tagsBefore, 'managed-by': 'workteam-automation-local' },
    });
    expect(await sageMakerTeam(name)).toEqual(before);
    expect(await tagsOf(name)).toEqual({ ...tagsBefore, 'managed-by': 'workteam-automation-local' });
    expect((await registryRecord(name))?.history).toEqual([
      expect.objectContaining({ version: 1, action: 'adopted', by: ADMIN.sub }),
    ]);
    expect((await read(name)).body).toMatchObject({ managed: true, owner: ADMIN.sub, version: 1, status: 'InSync' });
    // Its topic is its own (hand-made-…): who is subscribed to it is no longer judged once the team is managed.
    expect(auditedBefore.suspected).toEqual(['notifications.workers-unsubscribed']);
    expect(await audited(name)).toEqual({ ...auditedBefore, managed: true, suspected: [] });

    // Act
    const released = await release(name, { 'if-match': '"v1"' });
    createdTeams.pop();

    // Assess: unmanaged, the team and its topic as they were before the adoption
    expect(released.statusCode).toBe(200);
    expect(released.body).toMatchObject({ name, managed: false, notificationTopicArn: topicArn, tags: tagsBefore });
    expect(await sageMakerTeam(name)).toEqual(before);
    expect(await tagsOf(name)).toEqual(tagsBefore);
    await operatorSns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }));
    expect((await registryRecord(name))?.history.at(-1)).toMatchObject({
      version: 2,
      action: 'released',
      by: ADMIN.sub,
    });
    expect((await read(name)).body).toMatchObject({ name, managed: false });
    expect(await audited(name)).toEqual(auditedBefore);
  });

  it("keeps a team's own topic (outside the stage's prefix) without managing it: no new topic, no Subscribe, no delete", async () => {
    // Prepare: a team made by hand with a topic of its own (hand-made-<team>, not workteam-automation-local-…)
    const { name, topicArn } = await teamMadeByHand({ topic: true });
    const adopted = await adopt(name);
    createdTeams.push(name);
    expect(adopted.statusCode).toBe(201);
    expect(await registryRecord(name)).toMatchObject({ topicArn, foreignTopic: true });

    // Act: a member change (its workers would be subscribed to a topic of the stage's)
    const added = await call(addTeamMembers, 'addTeamMembers', 'add-team-members.json', {
      path: { name },
      body: { cognitoGroups: ['reviewers'] },
      caller: ADMIN,
    });

    // Assess: SageMaker still points at the team's topic, nobody was subscribed to it, no topic of ours was made
    expect(added.statusCode).toBe(200);
    expect(added.body).toMatchObject({ status: 'InSync', notificationTopicArn: topicArn });
    expect((await sageMakerTeam(name)).NotificationConfiguration?.NotificationTopicArn).toBe(topicArn);
    expect((await sageMakerTeam(name)).MemberDefinitions).toHaveLength(2);
    expect(await subscriptionsOf(topicArn as string)).toEqual([]);
    expect(await topicExists(name)).toBe(false);

    // Act: an audit of the team
    const report = await audited(name);

    // Assess: it answers, and says nothing of the subscriptions of a topic that is not ours (found or suspected)
    expect(report).toMatchObject({ managed: true, exists: true });
    expect(report.rules).toEqual(['notifications.publish-denied']);
    expect(report.suspected).toEqual([]);

    // Act: DELETE
    const deleted = await call(deleteTeam, 'deleteTeam', 'delete-team.json', {
      headers: ANY_VERSION,
      path: { name },
      caller: ADMIN,
    });
    createdTeams.pop();

    // Assess: the team retired in SageMaker, settled, and its own topic still there
    expect(deleted.statusCode).toBe(204);
    expect(await liveTeam(name)).toBeUndefined();
    expect(await registryRecord(name)).toMatchObject({ lifecycle: 'deleted', applyState: 'Applied' });
    await expect(operatorSns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }))).resolves.toBeDefined();
  });

  it("turning notifications off takes the team's own topic off it without deleting it; on again wires one of ours", async () => {
    // Prepare
    const { name, topicArn } = await teamMadeByHand({ topic: true });
    expect((await adopt(name)).statusCode).toBe(201);
    createdTeams.push(name);
    const patch = (notifications: boolean) =>
      call(updateTeam, 'updateTeam', 'update-team.json', { path: { name }, body: { notifications }, caller: ADMIN });

    // Act
    const off = await patch(false);

    // Assess: SageMaker without a topic, the team's topic still there, nothing of it left in the record
    expect(off.statusCode).toBe(200);
    expect((await sageMakerTeam(name)).NotificationConfiguration?.NotificationTopicArn ?? '').toBe('');
    await expect(operatorSns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }))).resolves.toBeDefined();
    expect((await registryRecord(name))?.foreignTopic).toBeUndefined();

    // Act
    const on = await patch(true);

    // Assess: a topic of the stage's, as for any team
    expect(on.statusCode).toBe(200);
    expect(on.body).toMatchObject({ status: 'InSync', notificationTopicArn: topicArnOf(name) });
    expect((await sageMakerTeam(name)).NotificationConfiguration?.NotificationTopicArn).toBe(topicArnOf(name));
  });

  it('records the owner the body names, who may then change the team as its owner', async () => {
    // Prepare
    const { name } = await teamMadeByHand();

    // Act
    const adopted = await adopt(name, { body: { owner: OWNER.sub } });
    createdTeams.push(name);
    const changed = await call(updateTeam, 'updateTeam', 'update-team.json', {
      path: { name },
      body: { description: 'Now changed by its owner' },
      caller: OWNER,
    });

    // Assess
    expect(adopted.statusCode).toBe(201);
    expect(adopted.body).toMatchObject({ owner: OWNER.sub });
    expect(changed.statusCode).toBe(200);
    expect((await sageMakerTeam(name)).Description).toBe('Now changed by its owner');
  });

  it('wires a topic, as for a new team, when the policy wants notifications for its classification', async () => {
    // Prepare: internal teams must notify their workers (policy/policy.json)
    const { name } = await teamMadeByHand({
      tags: [
        { Key: 'classification', Value: 'internal' },
        { Key: 'cost-center', Value: 'ml' },
      ],
    });

    // Act
    const adopted = await adopt(name);
    createdTeams.push(name);

    // Assess
    expect(adopted.statusCode).toBe(201);
    expect(adopted.body).toMatchObject({ status: 'InSync', notificationTopicArn: topicArnOf(name) });
    expect((await sageMakerTeam(name)).NotificationConfiguration?.NotificationTopicArn).toBe(topicArnOf(name));
  });

  it('leaves a team without a topic without one when the policy does not want notifications', async () => {
    // Prepare
    const { name } = await teamMadeByHand();
    const before = await sageMakerTeam(name);

    // Act
    const adopted = await adopt(name);
    createdTeams.push(name);

    // Assess
    expect(adopted.statusCode).toBe(201);
    expect(adopted.body).toMatchObject({ status: 'InSync', notificationTopicArn: null });
    expect(await sageMakerTeam(name)).toEqual(before);
  });

  it('takes over a team tagged by a version before stages apart, giving it the stage value', async () => {
    // Prepare
    const { name } = await teamMadeByHand({ tags: [{ Key: 'managed-by', Value: 'workteam-automation' }] });

    // Act
    const adopted = await adopt(name);
    createdTeams.push(name);

    // Assess
    expect(adopted.statusCode).toBe(201);
    expect(await tagsOf(name)).toEqual({ 'managed-by': 'workteam-automation-local' });
  });

  it('adopts a released team again, at the version after its release, its history kept', async () => {
    // Prepare
    const { name } = await teamMadeByHand();
    expect((await adopt(name)).statusCode).toBe(201);
    expect((await release(name)).statusCode).toBe(200);

    // Act
    const again = await adopt(name);
    createdTeams.push(name);

    // Assess
    expect(again.statusCode).toBe(201);
    expect(again.headers.etag).toBe('"v3"');
    expect(((await registryRecord(name))?.history ?? []).map(({ action }: { action: string }) => action)).toEqual([
      'adopted',
      'released',
      'adopted',
    ]);
  });
});

describe('two requests at once', () => {
  it('adopts a team once when two admins adopt it at the same time: one 201, the other 409, one record at v1', async () => {
    // Prepare
    const { name } = await teamMadeByHand();

    // Act
    const answers = await Promise.all([adopt(name), adopt(name)]);
    createdTeams.push(name);

    // Assess
    expect(answers.map((answer) => answer.statusCode).sort()).toEqual([201, 409]);
    expect(answers.find((answer) => answer.statusCode === 409)?.body).toMatchObject({
      error: { code: 'TeamAlreadyManaged' },
    });
    const record = await registryRecord(name);
    expect(record).toMatchObject({ version: 1, lifecycle: 'active' });
    expect((record?.history ?? []).map(({ action }: { action: string }) => action)).toEqual(['adopted']);
    expect(await tagsOf(name)).toMatchObject({ 'managed-by': 'workteam-automation-local' });
  });
});

describe('what a released team leaves behind', () => {
  it('leaves its topic to the team: a later team of the same name neither inherits nor deletes it', async () => {
    // Prepare: a team this system made, with its topic, released; then deleted by hand in SageMaker
    const { name } = await givenTeam(uniqueTeamName('released'), { notifications: true });
    expect(await topicExists(name)).toBe(true);
    expect((await release(name)).statusCode).toBe(200);
    await operator.send(new DeleteWorkteamCommand({ WorkteamName: name }));
    createdTeams.splice(createdTeams.indexOf(name), 1);

    // Act: a new team of that name, without notifications
    const again = await givenTeam(name, { notifications: false });

    // Assess: the released team's topic is still there; the new record knows nothing of it
    expect(again.result.statusCode).toBe(201);
    expect(await topicExists(name)).toBe(true);
    expect(await registryRecord(name)).not.toHaveProperty('topicArn');
  });
});

describe('refusals', () => {
  it('answers 404 when SageMaker has no such team, for adopt and release', async () => {
    const name = uniqueTeamName('nowhere');
    expect(await adopt(name)).toMatchObject({ statusCode: 404, body: { error: { code: 'TeamNotFound' } } });
    expect(await release(name)).toMatchObject({ statusCode: 404, body: { error: { code: 'TeamNotFound' } } });
  });

  it('answers 409 for a team this stage manages already, changing nothing', async () => {
    // Prepare
    const { name } = await givenTeam();
    const before = await sageMakerTeam(name);

    // Act
    const result = await adopt(name);

    // Assess
    expect(result).toMatchObject({ statusCode: 409, body: { error: { code: 'TeamAlreadyManaged' } } });
    expect((await registryRecord(name))?.version).toBe(1);
    expect(await sageMakerTeam(name)).toEqual(before);
  });

  it('answers 409 for a team of another stage, and leaves its tag as it is', async () => {
    // Prepare
    const { name } = await teamMadeByHand({ tags: [{ Key: 'managed-by', Value: 'workteam-automation-prod' }] });

    // Act
    const result = await adopt(name);

    // Assess
    expect(result).toMatchObject({ statusCode: 409, body: { error: { code: 'TeamAlreadyManaged' } } });
    expect(await tagsOf(name)).toEqual({ 'managed-by': 'workteam-automation-prod' });
    expect(await registryRecord(name)).toBeUndefined();
  });

  it('answers 409 to the release of a team nobody here manages', async () => {
    const { name } = await teamMadeByHand();
    expect(await release(name)).toMatchObject({ statusCode: 409, body: { error: { code: 'TeamNotManaged' } } });
  });

  it('answers 428 to a release without If-Match and 412 to one of a stale version, releasing nothing', async () => {
    // Prepare
    const { name } = await teamMadeByHand();
    expect((await adopt(name)).statusCode).toBe(201);
    createdTeams.push(name);

    // Act
    const withoutIfMatch = await release(name, {});
    const stale = await release(name, { 'if-match': '"v7"' });

    // Assess
    expect(withoutIfMatch).toMatchObject({ statusCode: 428, body: { error: { code: 'PreconditionRequired' } } });
    expect(stale).toMatchObject({ statusCode: 412, body: { error: { code: 'PreconditionFailed' } } });
    expect((await read(name)).body).toMatchObject({ managed: true, version: 1 });
    expect((await tagsOf(name))['managed-by']).toBe(STAGE_TAG.Value);
  });

  it.each([
    ['a requester', OWNER],
    ["a labeler's token", LABELER],
  ])('refuses %s with 403, for adopt and release, touching nothing', async (_, caller) => {
    // Prepare
    const { name } = await teamMadeByHand();
    const managed = await teamMadeByHand();
    expect((await adopt(managed.name)).statusCode).toBe(201);
    createdTeams.push(managed.name);

    // Act
    const adopted = await adopt(name, { caller });
    const released = await release(managed.name, ANY_VERSION, caller);

    // Assess
    expect(adopted).toMatchObject({ statusCode: 403, body: { error: { code: 'Forbidden' } } });
    expect(released).toMatchObject({ statusCode: 403, body: { error: { code: 'Forbidden' } } });
    expect(await tagsOf(name)).not.toHaveProperty('managed-by');
    expect((await read(managed.name)).body).toMatchObject({ managed: true });
  });

  it('refuses a body that names an e-mail address or an unknown field as the owner, with 400', async () => {
    // Prepare
    const { name } = await teamMadeByHand();

    // Act
    const result = await adopt(name, { body: { owner: 'ana@example.com', team: 'x' } });

    // Assess
    expect(result.statusCode).toBe(400);
    expect(result.body).toMatchObject({
      error: {
        code: 'ValidationFailed',
        details: [
          { path: 'team', code: 'Unknown' },
          { path: 'owner', code: 'Pattern' },
        ],
      },
    });
    expect(JSON.stringify(result.body)).not.toContain('ana@example.com');
    expect(await registryRecord(name)).toBeUndefined();
  });
});
