/**
 * `Idempotency-Key` for POST routes (Powertools idempotency on DynamoDB): the same key with the same body
 * answers with the stored response; the same key with another body is refused. Without the header the
 * request goes through, and the use case's natural key (the team name) keeps it safe to repeat.
 */
import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { makeHandlerIdempotent } from '@aws-lambda-powertools/idempotency/middleware';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { MiddlewareObj } from '@middy/core';

export function idempotencyKeyMiddleware(client: DynamoDBClient, tableName: string): MiddlewareObj {
  return makeHandlerIdempotent({
    persistenceStore: new DynamoDBPersistenceLayer({ tableName, awsSdkV3Client: client }),
    config: new IdempotencyConfig({
      eventKeyJmesPath: 'headers."idempotency-key"',
      payloadValidationJmesPath: 'body',
      throwOnNoIdempotencyKey: false,
      expiresAfterSeconds: 24 * 60 * 60,
    }),
  }) as MiddlewareObj;
}
