/** Every log line is masked once, by the logger's formatter: messages, attributes, errors, nested values. */
import type { UnformattedAttributes } from '@aws-lambda-powertools/logger/types';
import { MaskingLogFormatter } from '#lib/runtime/observability';

const base = {
  logLevel: 'ERROR',
  message: 'refused ana@example.com',
  timestamp: new Date('2026-12-06T10:00:00Z'),
  serviceName: 'workteam-automation',
  sampleRateValue: 0,
  xRayTraceId: undefined,
  environment: '',
} as unknown as UnformattedAttributes;

describe('MaskingLogFormatter', () => {
  it("masks every address in the line: the message, attributes at any depth, an error's message and stack", () => {
    const error = new Error('SNS refused endpoint bo@example.org');
    const line = new MaskingLogFormatter()
      .formatAttributes(base, {
        group: 'cy@example.net',
        nested: { list: ['dee@example.com', 3], when: new Date('2026-12-06T10:00:00Z') },
        error,
      })
      .getAttributes();
    const text = JSON.stringify(line);
    expect(text).not.toMatch(/@example\./);
    expect(line).toMatchObject({
      level: 'ERROR',
      message: 'refused [email]',
      service: 'workteam-automation',
      group: '[email]',
      nested: { list: ['[email]', 3], when: '2026-12-06T10:00:00.000Z' },
      error: { name: 'Error', message: 'SNS refused endpoint [email]' },
    });
  });
});
