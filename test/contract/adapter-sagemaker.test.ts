/**
 * The SageMaker adapter through the real SDK against an emulator of its own (a full account of 25 teams),
 * above all the paginators' PaginationConfig semantics: MaxItems, PageSize, StartingToken.
 */
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { CreateWorkteamCommand, ListWorkteamsCommand, type SageMakerClient } from '@aws-sdk/client-sagemaker';
import { collectPage, encodeToken, InvalidPaginationToken, queryFingerprint } from '#lib/adapters/pagination';
import { createAuditReader, createSageMakerAdapter, type WorkteamReader } from '#lib/adapters/sagemaker';
import type { ListQuery } from '#lib/domain/list-params';
import type { SageMakerEmulator } from '../../local/sagemaker';
import { useOwnSageMakerEmulator } from '../support/sagemaker-contract';

let emulator: SageMakerEmulator;
let client: SageMakerClient;
let adapter: WorkteamReader;
/** The Resource Groups Tagging API, which the emulator answers from its teams' tags. */
let tagging: ResourceGroupsTaggingAPIClient;
const TEAM_NAMES = Array.from({ length: 25 }, (_, i) => `team-${String(i + 1).padStart(2, '0')}`);

useOwnSageMakerEmulator(
  (own) => {
    ({ emulator, client } = own);
    tagging = new ResourceGroupsTaggingAPIClient({
      endpoint: own.emulator.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
  },
  { beforeEach: 'resetCallCounts' },
);

afterAll(() => tagging.destroy());

beforeAll(async () => {
  adapter = createSageMakerAdapter(client);
  // Created in reverse alphabetical order, so creation order and name order differ.
  for (const name of [...TEAM_NAMES].reverse()) {
    await client.send(
      new CreateWorkteamCommand({
        WorkteamName: name,
        Description: `Team ${name}`,
        MemberDefinitions: [
          { CognitoMemberDefinition: { UserPool: 'us-east-1_pool', ClientId: 'client', UserGroup: name } },
        ],
        Tags: name === 'team-01' ? [{ Key: 'classification', Value: 'restricted' }] : undefined,
      }),
    );
  }
});

async function walk(query: ListQuery): Promise<{ names: string[][]; tokens: (string | undefined)[] }> {
  const names: string[][] = [];
  const tokens: (string | undefined)[] = [];
  let startingToken: string | undefined;
  do {
    const page = await adapter.listWorkteams({ ...query, startingToken });
    names.push(page.items.map((team) => team.name));
    tokens.push(page.nextToken);
    startingToken = page.nextToken;
  } while (startingToken && names.length < 50);
  return { names, tokens };
}

describe('createSageMakerAdapter().listWorkteams', () => {
  it('caps each call at maxItems and resumes in the middle of a service page, every team exactly once', async () => {
    // Act: pages of 3 from SageMaker, 7 items per call, so calls stop inside pages
    const { names } = await walk({ maxItems: 7, pageSize: 3, sortBy: 'Name' });

    // Assess
    expect(names.map((page) => page.length)).toEqual([7, 7, 7, 4]);
    expect(names.flat()).toEqual(TEAM_NAMES);
  });

  it('resumes at the next page when maxItems ends exactly on a page boundary', async () => {
    // Act
    const { names, tokens } = await walk({ maxItems: 6, pageSize: 3, sortBy: 'Name' });

    // Assess
    expect(names.flat()).toEqual(TEAM_NAMES);
    expect(tokens.at(-1)).toBeUndefined();
  });

  it('returns no token when the last item ends the last page', async () => {
    // Act
    const page = await adapter.listWorkteams({ maxItems: 25, pageSize: 5 });

    // Assess
    expect(page.items).toHaveLength(25);
    expect(page.nextToken).toBeUndefined();
  });

  it('keeps its place when the page size changes between calls', async () => {
    // Prepare
    const first = await adapter.listWorkteams({ maxItems: 5, pageSize: 4, sortBy: 'Name' });

    // Act
    const rest = await adapter.listWorkteams({ pageSize: 2, sortBy: 'Name', startingToken: first.nextToken });

    // Assess
    expect([...first.items, ...rest.items].map((team) => team.name)).toEqual(TEAM_NAMES);
  });

  it('lists in creation order by default, and by name in either order on request', async () => {
    // Act
    const byCreation = await adapter.listWorkteams({});
    const byNameDescending = await adapter.listWorkteams({ sortBy: 'Name', sortOrder: 'Descending' });

    // Assess
    expect(byCreation.items.map((team) => team.name)).toEqual([...TEAM_NAMES].reverse());
    expect(byNameDescending.items.map((team) => team.name)).toEqual([...TEAM_NAMES].reverse());
  });

  it('filters with nameContains', async () => {
    // Act
    const page = await adapter.listWorkteams({ nameContains: 'team-2', sortBy: 'Name' });

    // Assess
    expect(page.items.map((team) => team.name)).toEqual([
      'team-20',
      'team-21',
      'team-22',
      'team-23',
      'team-24',
      'team-25',
    ]);
  });

  it('makes one ListWorkteams call per hundred teams, never one per team', async () => {
    // Act
    await adapter.listWorkteams({});

    // Assess
    expect(emulator.callCounts()).toEqual({ ListWorkteams: 1 });
  });

  it('refuses a token issued for another query', async () => {
    // Prepare
    const first = await adapter.listWorkteams({ maxItems: 2, sortBy: 'Name' });

    // Act / Assess
    await expect(adapter.listWorkteams({ sortBy: 'CreateDate', startingToken: first.nextToken })).rejects.toThrow(
      /nextToken is not valid for this query/,
    );
  });

  describe('a well-formed token whose SageMaker token SageMaker refuses', () => {
    /** Our envelope, with the right fingerprint for `query`, around a SageMaker token of the test's choosing. */
    function envelope(serviceToken: string, query: Pick<ListQuery, 'nameContains' | 'sortBy' | 'sortOrder'> = {}) {
      const fingerprint = queryFingerprint({
        kind: 'workteams',
        NameContains: query.nameContains,
        SortBy: query.sortBy,
        SortOrder: query.sortOrder,
      });
      return encodeToken({ serviceToken, skip: 0, query: fingerprint });
    }

    it.each([
      ['garbage', 'not-a-sagemaker-token'],
      ['base64url JSON of another shape', Buffer.from('{"v":2}').toString('base64url')],
      [
        'a token of ListWorkforces',
        Buffer.from(
          '{"v":1,"op":"ListWorkforces","sortBy":"CreateDate","sortOrder":"Descending","nameContains":"","after":1}',
        ).toString('base64url'),
      ],
      ['too long for SageMaker', 'x'.repeat(8193)],
      ['an e-mail address', 'jane.doe@example.com'],
    ])('is refused as InvalidPaginationToken (%s), without quoting SageMaker', async (_case, serviceToken) => {
      // Act
      const error = await adapter.listWorkteams({ startingToken: envelope(serviceToken) }).catch((e: unknown) => e);

      // Assess: SageMaker answered ValidationException; the adapter blames the client's token
      expect(error).toBeInstanceOf(InvalidPaginationToken);
      expect((error as Error).message).toBe(
        'nextToken is not valid for this query: the service refused to resume from it',
      );
      expect(((error as Error).cause as Error).name).toBe('ValidationException');
      expect(emulator.callCounts()).toEqual({ ListWorkteams: 1 });
    });

    it('is refused the same way by listWorkforces', async () => {
      // Prepare
      const startingToken = encodeToken({
        serviceToken: 'not-a-sagemaker-token',
        skip: 0,
        query: queryFingerprint({
          kind: 'workforces',
          NameContains: undefined,
          SortBy: undefined,
          SortOrder: undefined,
        }),
      });

      // Act / Assess
      await expect(adapter.listWorkforces({ startingToken })).rejects.toBeInstanceOf(InvalidPaginationToken);
    });

    it('still resumes from an envelope around a token SageMaker issued', async () => {
      // Prepare: SageMaker's own token for the page after the first three teams by name
      const first = await client.send(new ListWorkteamsCommand({ MaxResults: 3, SortBy: 'Name' }));

      // Act
      const page = await adapter.listWorkteams({
        maxItems: 2,
        sortBy: 'Name',
        startingToken: envelope(String(first.NextToken), { sortBy: 'Name' }),
      });

      // Assess
      expect(page.items.map((team) => team.name)).toEqual(['team-04', 'team-05']);
    });

    it('leaves a ValidationException of a walk that starts without a token to SageMaker', async () => {
      // Prepare
      emulator.injectFault({ operation: 'ListWorkteams', errorType: 'ValidationException', message: 'refused' });

      // Act
      const error = await adapter.listWorkteams({}).catch((e: unknown) => e);

      // Assess
      expect(error).not.toBeInstanceOf(InvalidPaginationToken);
      expect((error as Error).name).toBe('ValidationException');
    });

    it('leaves a ValidationException of a later page, resumed from a token SageMaker just issued, to SageMaker', async () => {
      // Prepare: a paginator whose first page (from the client's token) comes, and whose second is refused
      const refused = Object.assign(new Error('refused'), { name: 'ValidationException' });
      async function* pages(serviceToken: string | undefined) {
        expect(serviceToken).toBe('client-token');
        yield { items: ['a'], next: 'service-token' };
        throw refused;
      }
      const query = { kind: 'fake' };
      const startingToken = encodeToken({ serviceToken: 'client-token', skip: 0, query: queryFingerprint(query) });

      // Act
      const error = await collectPage(
        { startingToken, query },
        pages,
        (page) => page.items,
        (page) => page.next,
      ).catch((e: unknown) => e);

      // Assess
      expect(error).toBe(refused);
    });
  });

  it('maps the live team into the domain model', async () => {
    // Act
    const page = await adapter.listWorkteams({ maxItems: 1, sortBy: 'Name' });

    // Assess
    expect(page.items[0]).toEqual({
      name: 'team-01',
      arn: 'arn:aws:sagemaker:us-east-1:000000000000:workteam/private-crowd/team-01',
      workforceArn: 'arn:aws:sagemaker:us-east-1:000000000000:workforce/default',
      description: 'Team team-01',
      memberDefinitions: [{ cognito: { userPool: 'us-east-1_pool', clientId: 'client', userGroup: 'team-01' } }],
      notificationTopicArn: undefined,
      workerAccess: undefined,
      subDomain: expect.stringMatching(/\.labeling\.us-east-1\.sagemaker\.aws$/),
      createdAt: expect.any(Date),
      updatedAt: expect.any(Date),
    });
  });
});

describe('createAuditReader().workteamPages', () => {
  it('yields every team once, a ListWorkteams page at a time: one call per page, never a DescribeWorkteam', async () => {
    // Prepare: pages of 10 stand for SageMaker's 100, so 25 teams take three pages.
    const reader = createAuditReader(client, tagging, { pageSize: 10 });

    // Act
    const pages: string[][] = [];
    for await (const page of reader.workteamPages()) pages.push(page.map((team) => team.name));

    // Assess
    expect(pages.map((page) => page.length)).toEqual([10, 10, 5]);
    expect(pages.flat()).toEqual(TEAM_NAMES);
    expect(emulator.callCounts()).toEqual({ ListWorkteams: 3 });
  });

  it('reads the tags of one team with ListTags', async () => {
    const reader = createAuditReader(client, tagging);
    const [first] = (await reader.workteamPages()[Symbol.asyncIterator]().next()).value as { arn: string }[];

    expect(await reader.tagsOf(first?.arn ?? '')).toEqual([{ key: 'classification', value: 'restricted' }]);
  });

  it("reads a page's tags with one GetResources call of the Tagging API, and no SageMaker call", async () => {
    // Prepare
    const reader = createAuditReader(client, tagging);
    const [page = []] = await (async () => {
      for await (const first of reader.workteamPages()) return [first];
      return [];
    })();
    emulator.resetCallCounts();

    // Act
    const tags = await reader.tagsOfTeams(page.map((team) => team.arn));

    // Assess: every team asked has a key; only team-01 has tags; one call for the 25
    expect(tags.size).toBe(25);
    expect(tags.get(page[0]?.arn ?? '')).toEqual([{ key: 'classification', value: 'restricted' }]);
    expect([...tags.values()].filter((list) => list.length > 0)).toHaveLength(1);
    expect(emulator.callCounts()).toEqual({ GetResources: 1 });
  });
});

describe('createSageMakerAdapter().describeWorkteam', () => {
  it('returns the team with its tags', async () => {
    // Act
    const team = await adapter.describeWorkteam('team-01');

    // Assess
    expect(team).toMatchObject({ name: 'team-01', tags: [{ key: 'classification', value: 'restricted' }] });
  });

  it('reads the team alone, with one DescribeWorkteam call, when asked for no tags', async () => {
    const team = await adapter.describeWorkteam('team-01', { tags: false });

    expect(team).toMatchObject({ name: 'team-01' });
    expect(team?.tags).toBeUndefined();
    expect(emulator.callCounts()).toEqual({ DescribeWorkteam: 1 });
  });

  it('returns undefined for the ValidationException SageMaker gives a team that does not exist', async () => {
    // Act
    const team = await adapter.describeWorkteam('no-such-team');

    // Assess
    expect(team).toBeUndefined();
  });
});

describe('createSageMakerAdapter().listWorkforces', () => {
  it('returns the workforce created with the first team', async () => {
    // Act
    const page = await adapter.listWorkforces({});

    // Assess
    expect(page.items).toEqual([
      expect.objectContaining({
        name: 'default',
        cognito: { userPool: 'us-east-1_pool', clientId: 'client' },
        status: 'Active',
        sourceIpCidrs: [],
      }),
    ]);
    expect(page.nextToken).toBeUndefined();
  });
});
