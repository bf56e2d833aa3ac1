/**
 * The DynamoDB client, built once per container and traced, and the document client over it. Not bound to the
 * invocation's time: a registry write that records a cut-short change must still get through.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AwsConfig } from '../config';
import { tracer } from '../observability';
import { clientConfig } from './common';

let dynamo: DynamoDBClient | undefined;

export function dynamoClient(config: Pick<AwsConfig, 'AWS_REGION' | 'AWS_MAX_ATTEMPTS'>): DynamoDBClient {
  dynamo ??= tracer.captureAWSv3Client(new DynamoDBClient(clientConfig(config)));
  return dynamo;
}

export function documentClient(config: Pick<AwsConfig, 'AWS_REGION' | 'AWS_MAX_ATTEMPTS'>): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(dynamoClient(config), { marshallOptions: { removeUndefinedValues: true } });
}
