/**
 * The SageMaker writer through the real SDK against an emulator of its own, emptied before every test (the
 * shared one holds the seeded teams, and an account has room for 25).
 */
import { createSageMakerWriter } from '#lib/adapters/sagemaker';
import type { MemberDefinition, WorkteamSpec } from '#lib/domain/workteam';
import type { WorkteamWriter } from '#lib/ports/teams';
import type { SageMakerEmulator } from '../../local/sagemaker';
import { useOwnSageMakerEmulator } from '../support/sagemaker-contract';

const TOPIC_ARN = 'arn:aws:sns:us-east-1:000000000000:workteam-image-labelers';

let emulator: SageMakerEmulator;
let writer: WorkteamWriter;

useOwnSageMakerEmulator((own) => {
  emulator = own.emulator;
  writer = createSageMakerWriter(own.client);
});

function cognitoGroup(userGroup: string): MemberDefinition {
  return { cognito: { userPool: 'us-east-1_pool', clientId: 'client', userGroup } };
}

function aSpec(overrides: Partial<WorkteamSpec> = {}): WorkteamSpec {
  return {
    name: 'image-labelers',
    description: 'Bounding boxes for the retail catalogue',
    memberDefinitions: [cognitoGroup('labelers-en')],
    tags: [{ key: 'classification', value: 'internal' }],
    ...overrides,
  };
}

describe('createSageMakerWriter().createWorkteam', () => {
  it('creates the team with its members, topic, worker access and tags, and returns its ARN', async () => {
    // Act
    const arn = await writer.createWorkteam(
      aSpec({ notificationTopicArn: TOPIC_ARN, workerAccess: { sourceIp: 'Enabled', vpcSourceIp: 'Disabled' } }),
    );

    // Assess
    expect(arn).toBe('arn:aws:sagemaker:us-east-1:000000000000:workteam/private-crowd/image-labelers');
    expect(await writer.describeWorkteam('image-labelers')).toMatchObject({
      arn,
      description: 'Bounding boxes for the retail catalogue',
      memberDefinitions: [cognitoGroup('labelers-en')],
      notificationTopicArn: TOPIC_ARN,
      workerAccess: { sourceIp: 'Enabled', vpcSourceIp: 'Disabled' },
      tags: [{ key: 'classification', value: 'internal' }],
    });
  });

  it('sends neither a topic nor worker access when the spec has none', async () => {
    // Act
    await writer.createWorkteam(aSpec());

    // Assess
    const team = await writer.describeWorkteam('image-labelers');
    expect(team?.notificationTopicArn).toBeUndefined();
    expect(team?.workerAccess).toBeUndefined();
  });

  it('passes on the SDK error for a name that is taken', async () => {
    // Prepare
    await writer.createWorkteam(aSpec());

    // Act / Assess
    await expect(writer.createWorkteam(aSpec())).rejects.toMatchObject({ name: 'ResourceInUse' });
  });
});

describe('createSageMakerWriter().updateWorkteam', () => {
  it('replaces the member definitions and leaves the fields not given as they are', async () => {
    // Prepare
    await writer.createWorkteam(
      aSpec({
        memberDefinitions: [cognitoGroup('labelers-en'), cognitoGroup('labelers-de')],
        notificationTopicArn: TOPIC_ARN,
      }),
    );

    // Act
    await writer.updateWorkteam({ name: 'image-labelers', memberDefinitions: [cognitoGroup('reviewers')] });

    // Assess
    expect(await writer.describeWorkteam('image-labelers')).toMatchObject({
      description: 'Bounding boxes for the retail catalogue',
      memberDefinitions: [cognitoGroup('reviewers')],
      notificationTopicArn: TOPIC_ARN,
    });
  });

  it('removes the notification topic when given null', async () => {
    // Prepare
    await writer.createWorkteam(aSpec({ notificationTopicArn: TOPIC_ARN }));

    // Act
    await writer.updateWorkteam({ name: 'image-labelers', notificationTopicArn: null });

    // Assess
    expect((await writer.describeWorkteam('image-labelers'))?.notificationTopicArn).toBeUndefined();
  });

  it('sets the description, topic and worker access', async () => {
    // Prepare
    await writer.createWorkteam(aSpec());

    // Act
    await writer.updateWorkteam({
      name: 'image-labelers',
      description: 'Polygons now',
      notificationTopicArn: TOPIC_ARN,
      workerAccess: { sourceIp: 'Enabled', vpcSourceIp: 'Disabled' },
    });

    // Assess
    expect(await writer.describeWorkteam('image-labelers')).toMatchObject({
      description: 'Polygons now',
      notificationTopicArn: TOPIC_ARN,
      workerAccess: { sourceIp: 'Enabled', vpcSourceIp: 'Disabled' },
    });
  });

  it('passes on the "The work team" ValidationException for a team that does not exist', async () => {
    // Act / Assess
    await expect(writer.updateWorkteam({ name: 'no-such-team', description: 'x' })).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });
});

describe('createSageMakerWriter().deleteWorkteam', () => {
  it('returns true when it deleted the team and false when there was none', async () => {
    // Prepare
    await writer.createWorkteam(aSpec());

    // Act
    const first = await writer.deleteWorkteam('image-labelers');
    const second = await writer.deleteWorkteam('image-labelers');

    // Assess
    expect([first, second]).toEqual([true, false]);
    expect(await writer.describeWorkteam('image-labelers')).toBeUndefined();
  });
});

describe('createSageMakerWriter() tags', () => {
  it('adds and deletes tags', async () => {
    // Prepare
    const arn = await writer.createWorkteam(aSpec());

    // Act
    await writer.addTags(arn, [
      { key: 'cost-center', value: 'ml' },
      { key: 'classification', value: 'restricted' },
    ]);
    await writer.deleteTags(arn, ['cost-center']);

    // Assess
    expect((await writer.describeWorkteam('image-labelers'))?.tags).toEqual([
      { key: 'classification', value: 'restricted' },
    ]);
  });

  it('makes no call for an empty list', async () => {
    // Prepare
    const arn = await writer.createWorkteam(aSpec());
    emulator.resetCallCounts();

    // Act
    await writer.addTags(arn, []);
    await writer.deleteTags(arn, []);

    // Assess
    expect(emulator.callCounts()).toEqual({});
  });
});

describe('createSageMakerWriter().describeWorkforce', () => {
  it('returns the workforce of that name, and the only workforce when no name is given', async () => {
    // Prepare: the first Cognito team creates the region's workforce
    await writer.createWorkteam(aSpec());

    // Act
    const byName = await writer.describeWorkforce('default');
    const only = await writer.describeWorkforce();

    // Assess
    expect(byName).toMatchObject({
      name: 'default',
      arn: 'arn:aws:sagemaker:us-east-1:000000000000:workforce/default',
      cognito: { userPool: 'us-east-1_pool', clientId: 'client' },
    });
    expect(only).toEqual(byName);
  });

  it('returns undefined for a name that is not the workforce', async () => {
    // Prepare
    await writer.createWorkteam(aSpec());

    // Act / Assess
    expect(await writer.describeWorkforce('elsewhere')).toBeUndefined();
  });

  it('returns undefined, with or without a name, when the region has no workforce', async () => {
    // Act
    const byName = await writer.describeWorkforce('default');
    const only = await writer.describeWorkforce();

    // Assess
    expect([byName, only]).toEqual([undefined, undefined]);
  });
});

describe('createSageMakerWriter().workteamNames', () => {
  it('returns none for an account without teams', async () => {
    // Act / Assess
    expect(await writer.workteamNames()).toEqual([]);
  });

  it('names every team of a full account with one ListWorkteams call', async () => {
    // Prepare
    for (let i = 1; i <= 25; i += 1) await writer.createWorkteam(aSpec({ name: `team-${i}` }));
    emulator.resetCallCounts();

    // Act
    const names = await writer.workteamNames();

    // Assess
    expect(names.sort()).toEqual(Array.from({ length: 25 }, (_, i) => `team-${i + 1}`).sort());
    expect(emulator.callCounts()).toEqual({ ListWorkteams: 1 });
  });
});
