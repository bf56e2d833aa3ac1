/** Every log line is masked once, as the logger writes it: the message, attributes at any depth, errors. */
import { logger } from '#lib/runtime/observability';
import { captureLogOutput } from '../../support/logs';

describe('the logger', () => {
  it("masks every address in what it writes: the message, attributes at any depth, an error's message and stack", () => {
    const output = captureLogOutput(logger);
    try {
      logger.error('refused ana@example.com', {
        group: 'cy@example.net',
        nested: { list: ['dee@example.com', 3] },
        error: new Error('SNS refused endpoint bo@example.org'),
      });
    } finally {
      output.restore();
    }
    const line = JSON.parse(output.text().trim().split('\n').at(-1) ?? '{}');
    expect(output.text()).not.toMatch(/@example\./);
    expect(line).toMatchObject({
      level: 'ERROR',
      message: 'refused [email]',
      group: '[email]',
      nested: { list: ['[email]', 3] },
      error: { name: 'Error', message: 'SNS refused endpoint [email]' },
    });
    expect(line.error.stack).toContain('SNS refused endpoint [email]');
  });
});
