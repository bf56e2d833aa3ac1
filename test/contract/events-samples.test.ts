/**
 * The events/cognito-*.json samples against the local cloud: each names the pool the local seed made
 * (local/seed.ts gives cognito-local the samples' pool id) and, where it names a user, a user of that pool, so
 * that a sample run against `npm start` concerns its pool instead of being ignored as another pool's. And
 * local/queue-batch.ts, which makes them the SQS event cognitoSync takes, makes one Lambda's parser accepts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SqsSchema } from '@aws-lambda-powertools/parser/schemas/sqs';
import { CognitoIdentityProviderClient, ListUsersCommand } from '@aws-sdk/client-cognito-identity-provider';
import { queueBatch } from '../../local/queue-batch';

const EVENTS = resolve(__dirname, '../../events');

interface CognitoSample {
  detail: {
    eventName: string;
    requestParameters?: { userPoolId?: string } | null;
    additionalEventData?: { userPoolId?: string; sub?: string } | null;
  };
}

/** Every sample body: the single ones, and each message of the batch sample. */
function samples(): { name: string; body: string }[] {
  return readdirSync(EVENTS)
    .filter((file) => file.startsWith('cognito-') && file.endsWith('.json'))
    .flatMap((file) => {
      const text = readFileSync(resolve(EVENTS, file), 'utf8');
      const parsed = JSON.parse(text) as { Records?: { body: string }[] };
      return parsed.Records
        ? parsed.Records.map((record, index) => ({ name: `${file} #${index}`, body: record.body }))
        : [{ name: file, body: text }];
    });
}

const poolOf = (sample: CognitoSample) =>
  sample.detail.requestParameters?.userPoolId ?? sample.detail.additionalEventData?.userPoolId;

describe('the events/cognito-*.json samples', () => {
  const cognito = new CognitoIdentityProviderClient({ endpoint: process.env.COGNITO_LOCAL_URL });
  afterAll(() => cognito.destroy());

  it('are all found (the twelve kinds and the batch)', () => {
    // Act / Assess
    expect(samples().length).toBeGreaterThanOrEqual(13);
  });

  it.each(samples())('$name names the local user pool', ({ body }) => {
    // Act
    const pool = poolOf(JSON.parse(body) as CognitoSample);

    // Assess
    expect(pool).toBe(process.env.USER_POOL_ID);
  });

  it.each(samples().filter(({ body }) => (JSON.parse(body) as CognitoSample).detail.additionalEventData?.sub))(
    '$name names a user of the local pool by sub',
    async ({ body }) => {
      // Prepare
      const sub = (JSON.parse(body) as CognitoSample).detail.additionalEventData?.sub;

      // Act
      const found = await cognito.send(
        new ListUsersCommand({ UserPoolId: process.env.USER_POOL_ID, Filter: `sub = "${sub}"` }),
      );

      // Assess
      expect(found.Users?.map((user) => user.Username)).toEqual(['ana']);
    },
  );

  it('become, through local/queue-batch.ts, one SQS event that Lambda SQS parser takes, a message per body', () => {
    // Prepare
    const bodies = samples().map((sample) => sample.body);

    // Act
    const event = SqsSchema.parse(queueBatch(bodies));

    // Assess
    expect(event.Records.map((record) => record.body)).toEqual(bodies);
    expect(new Set(event.Records.map((record) => record.messageId)).size).toBe(bodies.length);
    expect(event.Records[0]?.eventSourceARN).toMatch(/:workteam-automation-local-cognito-changes$/);
  });
});
