/**
 * The Cognito sync in a target of the local cloud (local/targets.ts): the account 111111111111 in us-east-1, whose
 * Cognito workforce has a pool of its own (local/seed-targets.ts). Its CloudTrail events reach the hub's queue as
 * the target's rule forwards them (infra/target.yml): the sync finds the target by the event's account and region,
 * checks the pool against the target's workforce (asked of SageMaker there, through the target's role), and
 * reconciles that target's team with that target's clients.
 */
import { randomUUID } from 'node:crypto';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  CreateGroupCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { ListSubscriptionsByTopicCommand } from '@aws-sdk/client-sns';
import { targetsOf } from '#lib/composition/targets';
import { snsClient } from '#lib/runtime/clients/sns';
import { loadConfig, teamsConfigSchema } from '#lib/runtime/config';
import { logger } from '#lib/runtime/observability';
import { handler as createTeam } from '../../functions/create-team';
import { handler as deleteTeam } from '../../functions/delete-team';
import { TARGET_USER_POOL_ID } from '../../local/seed-targets';
import { pool, setup } from '../support/cognito';
import { deliverToCognitoSync } from '../support/cognito-sync';
import { loadEvent } from '../support/invoke';
import { captureLogOutput } from '../support/logs';
import { ADMIN, ANY_VERSION, call, teamBody, uniqueTeamName } from '../support/teams';

const VENDOR = { account: '111111111111', region: 'us-east-1' };
const config = loadConfig(teamsConfigSchema());

function vendorTarget() {
  const target = targetsOf(config).find(VENDOR);
  if (!target) throw new Error('the local cloud has no target 111111111111/us-east-1 (TARGETS)');
  return target;
}

/** A CloudTrail event of a user added to a group, as the target's rule forwards it to the hub's bus. */
function addedToGroup(place: { account: string; region: string }, userPoolId: string, groupName: string) {
  const event = loadEvent<{
    account: string;
    region: string;
    detail: { eventID: string; recipientAccountId: string; requestParameters: Record<string, string> };
  }>('cognito-add-user-to-group.json');
  Object.assign(event, place);
  event.detail.eventID = randomUUID();
  event.detail.recipientAccountId = place.account;
  event.detail.requestParameters = { userPoolId, groupName, username: 'HIDDEN_DUE_TO_SECURITY_REASONS' };
  return event;
}

describe('cognitoSync in a target', () => {
  it("reaches the right team: a Cognito event from a target's pool syncs that target's team", async () => {
    // Prepare: a group of the same name in the target's pool and in the hub's, a team of it in the target
    const group = `vendor-${randomUUID().slice(0, 8)}`;
    for (const userPool of [TARGET_USER_POOL_ID, pool()]) {
      await setup.send(new CreateGroupCommand({ UserPoolId: userPool, GroupName: group }));
    }
    const name = uniqueTeamName('vendor');
    const created = await call(createTeam, 'createTeam', 'create-team.json', {
      body: teamBody(name, { members: { cognitoGroups: [group] }, ...VENDOR }),
    });
    expect(created.statusCode).toBe(201);
    const username = `vendor-worker-${randomUUID().slice(0, 8)}`;
    const email = `${username}@example.com`;
    await setup.send(
      new AdminCreateUserCommand({
        UserPoolId: TARGET_USER_POOL_ID,
        Username: username,
        MessageAction: 'SUPPRESS',
        UserAttributes: [{ Name: 'email', Value: email }],
      }),
    );
    await setup.send(
      new AdminAddUserToGroupCommand({ UserPoolId: TARGET_USER_POOL_ID, Username: username, GroupName: group }),
    );
    const logs = captureLogOutput(logger);

    try {
      // Act: the target's event, and one naming the target's pool from the hub's account (no workforce pool there)
      const failures = await deliverToCognitoSync([
        addedToGroup(VENDOR, TARGET_USER_POOL_ID, group),
        addedToGroup({ account: config.HUB_ACCOUNT_ID, region: config.AWS_REGION }, TARGET_USER_POOL_ID, group),
      ]);

      // Assess: the target's team, in the target's SNS, has the worker; the batch touched no other target
      const topicArn = `arn:aws:sns:${VENDOR.region}:${VENDOR.account}:${config.TOPIC_PREFIX}${name}`;
      const { Subscriptions = [] } = await snsClient(config, vendorTarget()).send(
        new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }),
      );
      const synced = logs
        .text()
        .split('\n')
        .filter((line) => line.includes('"cognito batch synced"'))
        .map((line) => JSON.parse(line) as { targets: unknown[] });
      expect(failures).toEqual([]);
      expect(Subscriptions.map((subscription) => subscription.Endpoint)).toContain(email);
      expect(synced).toEqual([
        expect.objectContaining({
          targets: [
            {
              target: `${VENDOR.account}/${VENDOR.region}`,
              teams: [{ name, outcome: 'applied' }],
              ignored: 0,
              failed: 0,
            },
          ],
        }),
      ]);
    } finally {
      logs.restore();
      await call(deleteTeam, 'deleteTeam', 'delete-team.json', {
        path: { name },
        query: VENDOR,
        headers: ANY_VERSION,
        caller: ADMIN,
      });
    }
  });
});
