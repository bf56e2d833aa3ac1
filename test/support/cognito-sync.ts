/**
 * Delivers message bodies to the Cognito sync as Lambda's SQS event source mapping does: one batch of the
 * cognito-changes queue, a message per body (`message-<index>`), the handler invoked with a Lambda context.
 * Answers the ids of the messages the function wants delivered again (its partial batch failure).
 */
import type { SQSBatchResponse } from 'aws-lambda';
import { handler as cognitoSync } from '../../functions/cognito-sync';
import { lambdaContext } from './invoke';

export function sqsBatch(bodies: readonly unknown[]) {
  return {
    Records: bodies.map((body, index) => ({
      messageId: `message-${index}`,
      receiptHandle: `handle-${index}`,
      body: typeof body === 'string' ? body : JSON.stringify(body),
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: String(Date.now()),
        SenderId: 'AIDAEXAMPLE',
        ApproximateFirstReceiveTimestamp: String(Date.now()),
      },
      messageAttributes: {},
      md5OfBody: '0'.repeat(32),
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:workteam-automation-local-cognito-changes',
      awsRegion: 'us-east-1',
    })),
  };
}

export async function deliverToCognitoSync(bodies: readonly unknown[]): Promise<string[]> {
  const response = (await cognitoSync(sqsBatch(bodies) as never, lambdaContext('cognitoSync'))) as SQSBatchResponse;
  return response.batchItemFailures.map((failure) => failure.itemIdentifier);
}
