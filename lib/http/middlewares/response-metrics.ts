/** Counts every answer by status class (`Http2xx`, `Http4xx`, `Http5xx`, ...), for the 4xx and 5xx alarms. */
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { countResponse } from '../../runtime/metrics';

export function responseMetrics(): MiddlewareObj<unknown, APIGatewayProxyStructuredResultV2> {
  const count = (response: APIGatewayProxyStructuredResultV2 | null | undefined) =>
    countResponse(response?.statusCode ?? 500);
  return {
    after: async (request) => count(request.response),
    onError: async (request) => count(request.response),
  };
}
