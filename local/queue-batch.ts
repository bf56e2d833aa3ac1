/**
 * Prints the SQS event Lambda hands the Cognito sync: one batch of the local stack's cognito-changes queue with a
 * message per file named, each file a message's body. The events/cognito-*.json samples are such bodies (what the
 * EventBridge rule puts on the queue), and cognitoSync takes only its queue's batches, so a sample runs with
 *
 *   npx serverless invoke local -f cognitoSync --data "$(npx tsx local/queue-batch.ts events/cognito-disable-user.json)"
 *
 * (several files make one batch). The records are shaped as local/sqs-event-source.ts shapes what its poller
 * receives (toSqsRecord), the way Lambda's event source mapping does.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Message } from '@aws-sdk/client-sqs';
import { ACCOUNT_ID, REGION } from './cloud';
import { toSqsRecord } from './sqs-event-source';

const QUEUE_ARN = `arn:aws:sqs:${REGION}:${ACCOUNT_ID}:workteam-automation-local-cognito-changes`;

export function queueBatch(bodies: string[], now = Date.now()) {
  return {
    Records: bodies.map((body, index) => {
      const message: Message = {
        MessageId: randomUUID(),
        ReceiptHandle: `local-${index}`,
        Body: body,
        MD5OfBody: createHash('md5').update(body).digest('hex'),
        Attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: String(now),
          SenderId: 'AIDAEVENTBRIDGE',
          ApproximateFirstReceiveTimestamp: String(now),
        },
      };
      return toSqsRecord(message, QUEUE_ARN, REGION);
    }),
  };
}

if (require.main === module) {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    process.stderr.write('usage: npx tsx local/queue-batch.ts <message body .json>...\n');
    process.exit(2);
  }
  process.stdout.write(`${JSON.stringify(queueBatch(files.map((file) => readFileSync(file, 'utf8'))))}\n`);
}
