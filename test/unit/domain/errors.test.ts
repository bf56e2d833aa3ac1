import {
  DomainError,
  Forbidden,
  isDomainError,
  TeamExists,
  TeamLimitExceeded,
  TeamNotFound,
  UpstreamRejected,
  UpstreamUnavailable,
  ValidationFailed,
} from '#lib/domain/errors';
import { redactEmailAddresses } from '#lib/domain/privacy';
import type { Violation } from '#lib/domain/validation';
import { statusOf } from '#lib/http/errors';

describe('domain errors', () => {
  test.each([
    ['ValidationFailed', () => new ValidationFailed([]), 400],
    ['TeamNotFound', () => new TeamNotFound('labeling-team'), 404],
    ['TeamExists', () => new TeamExists('labeling-team'), 409],
    ['TeamLimitExceeded', () => new TeamLimitExceeded(), 409],
    ['Forbidden', () => new Forbidden(), 403],
    ['UpstreamUnavailable', () => new UpstreamUnavailable('ListWorkteams'), 503],
    ['UpstreamRejected', () => new UpstreamRejected('CreateWorkteam', { message: 'Invalid group' }), 422],
  ])('%s carries its name as code and name, and status %i', (expectedName, create, status) => {
    // Act
    const error: DomainError = create();

    // Assess
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toBeInstanceOf(Error);
    expect(isDomainError(error)).toBe(true);
    expect({ name: error.name, code: error.code, status: statusOf(error) }).toEqual({
      name: expectedName,
      code: expectedName,
      status,
    });
    expect(error.message).not.toBe('');
  });

  it('does not take a plain Error for a domain error', () => {
    // Act & Assess
    expect(isDomainError(new Error('boom'))).toBe(false);
  });

  it('ValidationFailed carries every violation as details', () => {
    // Prepare
    const violations: Violation[] = [
      { path: 'name', code: 'Required', message: 'name is required' },
      { path: 'tags[1].key', code: 'Duplicate', message: 'tags[1].key repeats the key of tags[0]' },
    ];

    // Act
    const error = new ValidationFailed(violations);

    // Assess
    expect(error.details).toEqual(violations);
    expect(error.message).toBe('The request is invalid: 2 rules are broken');
  });

  it('TeamNotFound names the team', () => {
    // Act
    const error = new TeamNotFound('labeling-team');

    // Assess
    expect(error.message).toBe("Work team 'labeling-team' does not exist");
  });

  it('TeamLimitExceeded names the limit of 25 work teams by default', () => {
    // Act
    const error = new TeamLimitExceeded();

    // Assess
    expect(error.message).toBe('This account and region cannot hold more than 25 work teams');
  });

  it('UpstreamRejected carries the upstream code and message', () => {
    // Act
    const error = new UpstreamRejected('CreateWorkteam', {
      code: 'ValidationException',
      message: 'Cognito group labelers does not exist',
    });

    // Assess
    expect(error.details).toEqual({
      operation: 'CreateWorkteam',
      upstreamCode: 'ValidationException',
      upstreamMessage: 'Cognito group labelers does not exist',
    });
    expect(error.message).toBe('SageMaker refused CreateWorkteam: Cognito group labelers does not exist');
  });

  it('UpstreamRejected masks e-mail addresses in the upstream message', () => {
    // Act
    const error = new UpstreamRejected('UpdateWorkteam', { message: 'User jane.doe@example.com is not valid' });

    // Assess
    expect(error.message).toBe('SageMaker refused UpdateWorkteam: User [email] is not valid');
    expect(error.details.upstreamMessage).toBe('User [email] is not valid');
  });

  it('masks e-mail addresses in any domain error message', () => {
    // Act
    const error = new Forbidden('jane.doe@example.com may not manage this team');

    // Assess
    expect(error.message).toBe('[email] may not manage this team');
  });

  it('UpstreamUnavailable keeps the upstream error as its cause', () => {
    // Prepare
    const throttled = new Error('Rate exceeded');

    // Act
    const error = new UpstreamUnavailable('DescribeWorkteam', { cause: throttled });

    // Assess
    expect(error.cause).toBe(throttled);
  });
});

describe('redactEmailAddresses', () => {
  it('replaces every e-mail address and leaves the rest alone', () => {
    // Act
    const text = redactEmailAddresses('a.b+c@example.co.uk and x_y@corp.example.com; team labeling-team');

    // Assess
    expect(text).toBe('[email] and [email]; team labeling-team');
  });

  it('masks an address that starts inside the tail of another one', () => {
    // Act
    const text = redactEmailAddresses('c@rt.mb.7k=go.s#07|5d|/mt@9tv3er.gl');

    // Assess
    expect(text).not.toMatch(/@/);
  });
});

describe('details of domain errors', () => {
  it('are masked like the message, at any depth', () => {
    // Act
    const error = new TeamNotFound('ops@example.com');

    // Assess
    expect(error.details).toEqual({ teamName: '[email]' });
    expect(JSON.stringify(error)).not.toMatch(/example\.com/);
  });
});
