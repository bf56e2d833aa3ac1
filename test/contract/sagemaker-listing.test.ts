import {
  DeleteWorkteamCommand,
  ListWorkteamsCommand,
  type ListWorkteamsCommandInput,
  paginateListWorkteams,
  type SageMakerClient,
  type Workteam,
} from '@aws-sdk/client-sagemaker';
import { createTeam, failureOf, TOPIC_ARN, unchecked, useOwnSageMakerEmulator } from '../support/sagemaker-contract';

// Created in this order, which is neither alphabetical nor reverse alphabetical.
const NAMES = ['kilo', 'alpha', 'juliet', 'echo', 'bravo', 'india', 'delta', 'hotel', 'charlie', 'golf', 'foxtrot'];

describe('SageMaker emulator: ListWorkteams', () => {
  let client: SageMakerClient;

  const list = (input: ListWorkteamsCommandInput = {}) => client.send(new ListWorkteamsCommand(input));
  const names = (teams: Workteam[] | undefined) => (teams ?? []).map((team) => team.WorkteamName ?? '');
  const walk = async (input: ListWorkteamsCommandInput, pageSize: number) => {
    const pages: string[][] = [];
    for await (const page of paginateListWorkteams({ client, pageSize }, input)) pages.push(names(page.Workteams));
    return pages;
  };
  const createAll = async () => {
    for (const name of NAMES) await createTeam(client, name);
  };

  useOwnSageMakerEmulator((own) => {
    client = own.client;
  });

  it('lists nothing, without NextToken, when there is no work team', async () => {
    // Act
    const response = await list();

    // Assess
    expect(response.Workteams).toEqual([]);
    expect(response.NextToken).toBeUndefined();
  });

  it('lists work teams with the full Workteam shape, WorkerAccessConfiguration included', async () => {
    // Prepare
    const access = { S3Presign: { IamPolicyConstraints: { SourceIp: 'Enabled', VpcSourceIp: 'Disabled' } } } as const;
    await createTeam(client, 'full', {
      NotificationConfiguration: { NotificationTopicArn: TOPIC_ARN },
      WorkerAccessConfiguration: access,
    });

    // Act
    const response = await list();

    // Assess
    expect(response.Workteams).toEqual([
      {
        WorkteamName: 'full',
        MemberDefinitions: [expect.objectContaining({ CognitoMemberDefinition: expect.any(Object) })],
        WorkteamArn: 'arn:aws:sagemaker:us-east-1:000000000000:workteam/private-crowd/full',
        WorkforceArn: 'arn:aws:sagemaker:us-east-1:000000000000:workforce/default',
        Description: 'The full team',
        SubDomain: expect.stringMatching(/\.labeling\.us-east-1\.sagemaker\.aws$/),
        CreateDate: expect.any(Date),
        LastUpdatedDate: expect.any(Date),
        NotificationConfiguration: { NotificationTopicArn: TOPIC_ARN },
        WorkerAccessConfiguration: access,
      },
    ]);
  });

  describe('sorting', () => {
    it('sorts by creation order, ascending, by default', async () => {
      // Prepare
      await createAll();

      // Act
      const response = await list({ MaxResults: 100 });

      // Assess
      expect(names(response.Workteams)).toEqual(NAMES);
    });

    it('keeps creation order exact for teams created within the same millisecond, in both orders', async () => {
      // Prepare
      const burst = Array.from({ length: 20 }, (_, i) => `burst-${String.fromCharCode(116 - i)}`);
      for (const name of burst) await createTeam(client, name);

      // Act
      const ascending = await list({ MaxResults: 100, SortBy: 'CreateDate', SortOrder: 'Ascending' });
      const descending = await list({ MaxResults: 100, SortBy: 'CreateDate', SortOrder: 'Descending' });

      // Assess
      expect(names(ascending.Workteams)).toEqual(burst);
      expect(names(descending.Workteams)).toEqual([...burst].reverse());
    });

    it('sorts by CreateDate descending', async () => {
      // Prepare
      await createAll();

      // Act
      const response = await list({ MaxResults: 100, SortBy: 'CreateDate', SortOrder: 'Descending' });

      // Assess
      expect(names(response.Workteams)).toEqual([...NAMES].reverse());
    });

    it('sorts by Name ascending', async () => {
      // Prepare
      await createAll();

      // Act
      const response = await list({ MaxResults: 100, SortBy: 'Name', SortOrder: 'Ascending' });

      // Assess
      expect(names(response.Workteams)).toEqual([...NAMES].sort());
    });

    it('sorts by Name descending', async () => {
      // Prepare
      await createAll();

      // Act
      const response = await list({ MaxResults: 100, SortBy: 'Name', SortOrder: 'Descending' });

      // Assess
      expect(names(response.Workteams)).toEqual([...NAMES].sort().reverse());
    });

    it('refuses a SortBy outside Name and CreateDate with ValidationException', async () => {
      // Act
      const error = await failureOf(list({ SortBy: unchecked<'Name'>('CreationTime') }));

      // Assess
      expect(error.name).toBe('ValidationException');
      expect(error.message).toContain('sortBy');
    });

    it('refuses a SortOrder outside Ascending and Descending with ValidationException', async () => {
      // Act
      const error = await failureOf(list({ SortOrder: unchecked<'Ascending'>('ascending') }));

      // Assess
      expect(error.name).toBe('ValidationException');
      expect(error.message).toContain('sortOrder');
    });
  });

  describe('NameContains', () => {
    it('keeps only the work teams whose name contains the string', async () => {
      // Prepare
      await createAll();

      // Act
      const response = await list({ NameContains: 'l', MaxResults: 100 });

      // Assess
      expect(names(response.Workteams)).toEqual(['kilo', 'alpha', 'juliet', 'delta', 'hotel', 'charlie', 'golf']);
    });

    it('lists nothing when no name contains the string', async () => {
      // Prepare
      await createAll();

      // Act
      const response = await list({ NameContains: 'zulu' });

      // Assess
      expect(response.Workteams).toEqual([]);
    });

    it.each([
      ['empty', ''],
      ['64 characters long', 'a'.repeat(64)],
      ['outside the name pattern', 'bad_name'],
    ])('refuses a NameContains %s with ValidationException', async (_case, value) => {
      // Act
      const error = await failureOf(list({ NameContains: value }));

      // Assess
      expect(error.name).toBe('ValidationException');
      expect(error.message).toContain('nameContains');
    });
  });

  describe('MaxResults and NextToken', () => {
    it('answers 10 work teams and a NextToken by default', async () => {
      // Prepare
      await createAll();

      // Act
      const response = await list();

      // Assess
      expect(names(response.Workteams)).toEqual(NAMES.slice(0, 10));
      expect(typeof response.NextToken).toBe('string');
      expect(response.NextToken?.length).toBeLessThanOrEqual(8192);
    });

    it.each([0, 101, -1])('refuses MaxResults %i with ValidationException', async (maxResults) => {
      // Act
      const error = await failureOf(list({ MaxResults: maxResults }));

      // Assess
      expect(error.name).toBe('ValidationException');
      expect(error.message).toContain('maxResults');
    });

    it.each([1, 100])('accepts MaxResults %i', async (maxResults) => {
      // Prepare
      await createAll();

      // Act
      const response = await list({ MaxResults: maxResults });

      // Assess
      expect(response.Workteams).toHaveLength(Math.min(maxResults, NAMES.length));
    });

    it('refuses an invalid NextToken with ValidationException', async () => {
      // Act
      const error = await failureOf(list({ NextToken: 'not-a-token' }));

      // Assess
      expect(error.name).toBe('ValidationException');
      expect(error.message).toContain('pagination token');
    });

    it('refuses a NextToken longer than 8192 characters with ValidationException', async () => {
      // Act
      const error = await failureOf(list({ NextToken: 'x'.repeat(8193) }));

      // Assess
      expect(error.name).toBe('ValidationException');
      expect(error.message).toContain('nextToken');
    });

    it('refuses a NextToken issued for another sort with ValidationException', async () => {
      // Prepare
      await createAll();
      const first = await list({ MaxResults: 2, SortBy: 'Name' });

      // Act
      const error = await failureOf(list({ MaxResults: 2, SortBy: 'CreateDate', NextToken: first.NextToken }));

      // Assess
      expect(error.name).toBe('ValidationException');
    });

    it('walks all pages with the SDK paginator: every team exactly once, in creation order', async () => {
      // Prepare
      await createAll();

      // Act
      const pages = await walk({}, 3);

      // Assess
      expect(pages.map((page) => page.length)).toEqual([3, 3, 3, 2]);
      expect(pages.flat()).toEqual(NAMES);
    });

    it('walks all pages with the SDK paginator sorted by Name descending', async () => {
      // Prepare
      await createAll();

      // Act
      const pages = await walk({ SortBy: 'Name', SortOrder: 'Descending' }, 4);

      // Assess
      expect(pages.map((page) => page.length)).toEqual([4, 4, 3]);
      expect(pages.flat()).toEqual([...NAMES].sort().reverse());
    });

    it('walks all pages of a NameContains filter with the SDK paginator', async () => {
      // Prepare
      await createAll();

      // Act
      const pages = await walk({ NameContains: 'a', SortBy: 'Name' }, 2);

      // Assess
      expect(pages.flat()).toEqual(['alpha', 'bravo', 'charlie', 'delta', 'india']);
    });

    it('answers no NextToken when the last page is exactly full', async () => {
      // Prepare
      for (const name of NAMES.slice(0, 4)) await createTeam(client, name);

      // Act
      const pages = await walk({}, 2);

      // Assess
      expect(pages).toEqual([NAMES.slice(0, 2), NAMES.slice(2, 4)]);
    });

    it('neither repeats nor skips a team when a listed team is deleted between pages', async () => {
      // Prepare
      await createAll();
      const first = await list({ MaxResults: 4 });
      await client.send(new DeleteWorkteamCommand({ WorkteamName: 'kilo' }));

      // Act
      const rest = await list({ MaxResults: 100, NextToken: first.NextToken });

      // Assess
      expect([...names(first.Workteams), ...names(rest.Workteams)]).toEqual(NAMES);
    });
  });
});
