/**
 * The handler builders of the trigger kinds the Cognito sync and the audit use: an EventBridge rule's events
 * and an SQS queue's messages, each parsed at the edge with its schema.
 */

import { z } from 'zod';
import { eventBridgeRoute } from '#lib/handlers/event';
import { sqsBatchRoute } from '#lib/handlers/queue';
import { logger } from '#lib/runtime/observability';
import { lambdaContext } from '../../support/invoke';
import { captureLogOutput } from '../../support/logs';

const cloudTrailEvent = (detail: unknown) => ({
  version: '0',
  id: '7f2e4c1a-0b9d-4a57-9c3e-2d8f6a1b5e90',
  'detail-type': 'AWS API Call via CloudTrail',
  source: 'aws.cognito-idp',
  account: '123456789012',
  time: '2026-11-28T10:00:00Z',
  region: 'us-east-1',
  resources: [],
  detail,
});

const sqsEvent = (bodies: string[]) => ({
  Records: bodies.map((body, index) => ({
    messageId: `message-${index}`,
    receiptHandle: `handle-${index}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1795325400000',
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: '1795325400001',
    },
    messageAttributes: {},
    md5OfBody: 'x',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:audit-targets',
    awsRegion: 'us-east-1',
  })),
});

describe('eventBridgeRoute', () => {
  const detail = z.object({ eventName: z.string(), eventID: z.string() });

  it('hands the handler the event with its detail parsed', async () => {
    // Prepare
    const seen: unknown[] = [];
    const handler = eventBridgeRoute(detail, async (event) => {
      seen.push(event.detail);
      return 'done';
    });

    // Act
    const result = await handler(
      cloudTrailEvent({ eventName: 'CreateGroup', eventID: 'e-1' }) as never,
      lambdaContext('sync'),
    );

    // Assess
    expect(result).toBe('done');
    expect(seen).toEqual([{ eventName: 'CreateGroup', eventID: 'e-1' }]);
  });

  it('refuses a malformed event without running the handler, so EventBridge retries it and then dead-letters it', async () => {
    // Prepare
    let ran = false;
    const handler = eventBridgeRoute(detail, async () => {
      ran = true;
    });

    const logged = jest.spyOn(logger, 'error');
    const output = captureLogOutput(logger);

    // Act / Assess
    await expect(
      handler(cloudTrailEvent({ eventName: 42, eventID: 'ana@example.com' }) as never, lambdaContext('sync')),
    ).rejects.toMatchObject({ name: 'ParseError' });
    expect(ran).toBe(false);
    expect(logged).toHaveBeenCalledWith(
      expect.stringContaining('event refused'),
      expect.objectContaining({
        eventId: '7f2e4c1a-0b9d-4a57-9c3e-2d8f6a1b5e90',
        problems: [{ path: 'detail.eventName', code: 'invalid_type' }],
      }),
    );
    output.restore();
    expect(output.text()).toContain('event refused');
    expect(output.text()).not.toContain('@example.com');
    logged.mockRestore();
  });
});

describe('sqsBatchRoute', () => {
  const body = z.object({ team: z.string().min(1) });

  it('hands every well-formed message over at once and reports the malformed and the failed ones', async () => {
    // Prepare
    const batches: string[][] = [];
    const handler = sqsBatchRoute(body, async (messages) => {
      batches.push(messages.map((message) => message.body.team));
      return { failed: messages.filter((message) => message.body.team === 'fails').map((m) => m.messageId) };
    });

    // Act
    const result = await handler(
      sqsEvent([
        JSON.stringify({ team: 'a' }),
        'not json',
        JSON.stringify({ team: 'fails' }),
        JSON.stringify({ team: 'b' }),
      ]),
      lambdaContext('cognitoSync'),
    );

    // Assess
    expect(batches).toEqual([['a', 'fails', 'b']]);
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'message-1' }, { itemIdentifier: 'message-2' }] });
  });

  it('delivers every message again when the batch as a whole fails', async () => {
    // Prepare
    const handler = sqsBatchRoute(body, async () => {
      throw new Error('the registry is unreachable');
    });

    // Act
    const result = await handler(
      sqsEvent([JSON.stringify({ team: 'a' }), JSON.stringify({ team: 'b' })]),
      lambdaContext('cognitoSync'),
    );

    // Assess
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'message-0' }, { itemIdentifier: 'message-1' }] });
  });
});
