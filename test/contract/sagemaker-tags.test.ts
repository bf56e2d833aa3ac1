import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import {
  AddTagsCommand,
  DeleteTagsCommand,
  DeleteWorkteamCommand,
  ListTagsCommand,
  type SageMakerClient,
  type Tag,
} from '@aws-sdk/client-sagemaker';
import { createTeam, createWorkforce, failureOf, useOwnSageMakerEmulator } from '../support/sagemaker-contract';

const UNKNOWN_ARN = 'arn:aws:sagemaker:us-east-1:000000000000:workteam/private-crowd/nobody';

function tags(count: number, prefix = 'key'): Tag[] {
  return Array.from({ length: count }, (_, i) => ({ Key: `${prefix}-${i}`, Value: `value-${i}` }));
}

describe('SageMaker emulator: tags', () => {
  let client: SageMakerClient;

  const listTags = async (arn: string) => (await client.send(new ListTagsCommand({ ResourceArn: arn }))).Tags;

  useOwnSageMakerEmulator((own) => {
    client = own.client;
  });

  it('stores the Tags given on CreateWorkteam on the work team', async () => {
    // Prepare
    const arn = await createTeam(client, 'tagged', { Tags: [{ Key: 'cost-center', Value: 'ml' }] });

    // Act
    const response = await client.send(new ListTagsCommand({ ResourceArn: arn }));

    // Assess
    expect(response.Tags).toEqual([{ Key: 'cost-center', Value: 'ml' }]);
    expect(response.NextToken).toBeUndefined();
  });

  it('adds tags and answers every tag now on the resource, overwriting the value of a known key', async () => {
    // Prepare
    const arn = await createTeam(client, 'tagged', { Tags: [{ Key: 'a', Value: '1' }] });

    // Act
    const response = await client.send(
      new AddTagsCommand({
        ResourceArn: arn,
        Tags: [
          { Key: 'b', Value: '2' },
          { Key: 'a', Value: 'one' },
        ],
      }),
    );

    // Assess
    const expected = [
      { Key: 'a', Value: 'one' },
      { Key: 'b', Value: '2' },
    ];
    expect(response.Tags).toEqual(expected);
    expect(await listTags(arn)).toEqual(expected);
  });

  it('deletes tags by key and ignores keys that are not there', async () => {
    // Prepare
    const arn = await createTeam(client, 'tagged', { Tags: tags(3) });

    // Act
    const response = await client.send(new DeleteTagsCommand({ ResourceArn: arn, TagKeys: ['key-1', 'missing'] }));

    // Assess
    expect(response.$metadata.httpStatusCode).toBe(200);
    expect(await listTags(arn)).toEqual([tags(3)[0], tags(3)[2]]);
  });

  it('tags a workforce', async () => {
    // Prepare
    const arn = await createWorkforce(client);

    // Act
    await client.send(new AddTagsCommand({ ResourceArn: arn, Tags: [{ Key: 'env', Value: 'test' }] }));

    // Assess
    expect(await listTags(arn)).toEqual([{ Key: 'env', Value: 'test' }]);
  });

  it('accepts an empty tag value', async () => {
    // Prepare
    const arn = await createTeam(client, 'tagged');

    // Act
    await client.send(new AddTagsCommand({ ResourceArn: arn, Tags: [{ Key: 'flag', Value: '' }] }));

    // Assess
    expect(await listTags(arn)).toEqual([{ Key: 'flag', Value: '' }]);
  });

  it('forgets the tags of a deleted work team', async () => {
    // Prepare
    const arn = await createTeam(client, 'tagged', { Tags: tags(2) });
    await client.send(new DeleteWorkteamCommand({ WorkteamName: 'tagged' }));

    // Act
    await createTeam(client, 'tagged');

    // Assess
    expect(await listTags(arn)).toEqual([]);
  });

  it('refuses tag operations on a deleted work team with ValidationException', async () => {
    // Prepare
    const arn = await createTeam(client, 'tagged', { Tags: tags(2) });
    await client.send(new DeleteWorkteamCommand({ WorkteamName: 'tagged' }));

    // Act
    const error = await failureOf(client.send(new ListTagsCommand({ ResourceArn: arn })));

    // Assess
    expect(error.name).toBe('ValidationException');
  });

  it.each([
    ['AddTags', () => client.send(new AddTagsCommand({ ResourceArn: UNKNOWN_ARN, Tags: tags(1) }))],
    ['ListTags', () => client.send(new ListTagsCommand({ ResourceArn: UNKNOWN_ARN }))],
    ['DeleteTags', () => client.send(new DeleteTagsCommand({ ResourceArn: UNKNOWN_ARN, TagKeys: ['key-0'] }))],
  ])('refuses %s on an unknown ARN with ValidationException', async (_operation, call: () => Promise<unknown>) => {
    // Act
    const error = await failureOf(call());

    // Assess
    expect(error.name).toBe('ValidationException');
    expect(error.message).toContain('does not exist');
  });

  it('refuses a ResourceArn that is not a SageMaker ARN with ValidationException', async () => {
    // Act
    const error = await failureOf(client.send(new ListTagsCommand({ ResourceArn: 'arn:aws:sns:us-east-1:1:x' })));

    // Assess
    expect(error.name).toBe('ValidationException');
    expect(error.message).toContain('resourceArn');
  });

  describe('tag constraints', () => {
    it.each([
      ['without Key', { Value: 'v' }, 'key'],
      ['with an empty Key', { Key: '', Value: 'v' }, 'key'],
      ['with a Key of 129 characters', { Key: 'k'.repeat(129), Value: 'v' }, 'key'],
      ['without Value', { Key: 'k' }, 'value'],
      ['with a Value of 257 characters', { Key: 'k', Value: 'v'.repeat(257) }, 'value'],
      ['with a character outside the tag pattern', { Key: 'k', Value: 'a;b' }, 'value'],
    ])('refuses a tag %s on CreateWorkteam with ValidationException', async (_case, tag, member) => {
      // Act
      const error = await failureOf(createTeam(client, 'tagged', { Tags: [tag as Tag] }));

      // Assess
      expect(error.name).toBe('ValidationException');
      expect(error.message).toContain(`tags.1.member.${member}`);
    });

    it('accepts a Key of 128 and a Value of 256 characters', async () => {
      // Prepare
      const tag = { Key: 'k'.repeat(128), Value: 'v'.repeat(256) };

      // Act
      const arn = await createTeam(client, 'tagged', { Tags: [tag] });

      // Assess
      expect(await listTags(arn)).toEqual([tag]);
    });

    it('refuses a Key starting with aws: with ValidationException', async () => {
      // Prepare
      const arn = await createTeam(client, 'tagged');

      // Act
      const error = await failureOf(
        client.send(new AddTagsCommand({ ResourceArn: arn, Tags: [{ Key: 'aws:owner', Value: 'me' }] })),
      );

      // Assess
      expect(error.name).toBe('ValidationException');
      expect(error.message).toContain('reserved');
    });

    it('refuses duplicate keys on CreateWorkteam with ValidationException', async () => {
      // Act
      const error = await failureOf(
        createTeam(client, 'tagged', {
          Tags: [
            { Key: 'k', Value: '1' },
            { Key: 'k', Value: '2' },
          ],
        }),
      );

      // Assess
      expect(error.name).toBe('ValidationException');
      expect(error.message).toContain('unique');
    });

    it('refuses duplicate keys on AddTags with ValidationException', async () => {
      // Prepare
      const arn = await createTeam(client, 'tagged');

      // Act
      const error = await failureOf(
        client.send(
          new AddTagsCommand({
            ResourceArn: arn,
            Tags: [
              { Key: 'k', Value: '1' },
              { Key: 'k', Value: '2' },
            ],
          }),
        ),
      );

      // Assess
      expect(error.name).toBe('ValidationException');
      expect(await listTags(arn)).toEqual([]);
    });

    it('refuses 51 tags on CreateWorkteam with ValidationException', async () => {
      // Act
      const error = await failureOf(createTeam(client, 'tagged', { Tags: tags(51) }));

      // Assess
      expect(error.name).toBe('ValidationException');
      expect(error.message).toContain('tags');
    });

    it('refuses AddTags that would bring a resource beyond 50 tags, counting the existing ones', async () => {
      // Prepare
      const arn = await createTeam(client, 'tagged', { Tags: tags(45) });

      // Act
      const error = await failureOf(client.send(new AddTagsCommand({ ResourceArn: arn, Tags: tags(6, 'more') })));

      // Assess
      expect(error.name).toBe('ValidationException');
      expect(error.message).toContain('at most 50 tags');
      expect(await listTags(arn)).toHaveLength(45);
    });

    it('accepts AddTags up to exactly 50 tags, overwritten keys not counting twice', async () => {
      // Prepare
      const arn = await createTeam(client, 'tagged', { Tags: tags(45) });

      // Act
      const response = await client.send(
        new AddTagsCommand({ ResourceArn: arn, Tags: [...tags(5, 'more'), { Key: 'key-0', Value: 'new' }] }),
      );

      // Assess
      expect(response.Tags).toHaveLength(50);
    });
  });

  describe('ListTags paging', () => {
    it('pages through tags with MaxResults and NextToken', async () => {
      // Prepare
      const arn = await createTeam(client, 'tagged', { Tags: tags(5) });

      // Act
      const first = await client.send(new ListTagsCommand({ ResourceArn: arn, MaxResults: 2 }));
      const second = await client.send(
        new ListTagsCommand({ ResourceArn: arn, MaxResults: 2, NextToken: first.NextToken }),
      );
      const third = await client.send(
        new ListTagsCommand({ ResourceArn: arn, MaxResults: 2, NextToken: second.NextToken }),
      );

      // Assess
      expect([first.Tags, second.Tags, third.Tags]).toEqual([
        tags(5).slice(0, 2),
        tags(5).slice(2, 4),
        tags(5).slice(4),
      ]);
      expect(third.NextToken).toBeUndefined();
    });

    it.each([0, 101])('refuses MaxResults %i with ValidationException', async (maxResults) => {
      // Prepare
      const arn = await createTeam(client, 'tagged');

      // Act
      const error = await failureOf(client.send(new ListTagsCommand({ ResourceArn: arn, MaxResults: maxResults })));

      // Assess
      expect(error.name).toBe('ValidationException');
      expect(error.message).toContain('maxResults');
    });

    it('refuses an invalid NextToken with ValidationException', async () => {
      // Prepare
      const arn = await createTeam(client, 'tagged');

      // Act
      const error = await failureOf(client.send(new ListTagsCommand({ ResourceArn: arn, NextToken: 'bogus' })));

      // Assess
      expect(error.name).toBe('ValidationException');
    });
  });

  describe('keys that are names of Object.prototype', () => {
    const KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];
    const named = (keys: string[], value = 'v'): Tag[] => keys.map((Key) => ({ Key, Value: `${value}-${Key}` }));

    it('keeps them, like any other key, through CreateWorkteam, AddTags, ListTags and DeleteTags', async () => {
      // Prepare
      const arn = await createTeam(client, 'tagged', { Tags: named(KEYS.slice(0, 2)) });

      // Act
      const added = await client.send(new AddTagsCommand({ ResourceArn: arn, Tags: named(KEYS.slice(1), 'w') }));
      const listed = await listTags(arn);
      await client.send(new DeleteTagsCommand({ ResourceArn: arn, TagKeys: ['__proto__', 'toString'] }));
      const left = await listTags(arn);

      // Assess
      const expected = [
        { Key: '__proto__', Value: 'v-__proto__' },
        { Key: 'constructor', Value: 'w-constructor' },
        { Key: 'toString', Value: 'w-toString' },
        { Key: 'hasOwnProperty', Value: 'w-hasOwnProperty' },
        { Key: 'valueOf', Value: 'w-valueOf' },
      ];
      expect(added.Tags).toEqual(expected);
      expect(listed).toEqual(expected);
      expect(left).toEqual([expected[1], expected[3], expected[4]]);
    });

    it('refuses one given twice as it refuses any repeated key', async () => {
      // Act
      const error = await failureOf(
        createTeam(client, 'tagged', { Tags: [...named(['__proto__']), ...named(['__proto__'], 'w')] }),
      );

      // Assess
      expect(error.name).toBe('ValidationException');
    });
  });
});

describe('the Resource Groups Tagging API of the emulator (GetResources)', () => {
  let client: SageMakerClient;
  let tagging: ResourceGroupsTaggingAPIClient;

  useOwnSageMakerEmulator((own) => {
    client = own.client;
    tagging = new ResourceGroupsTaggingAPIClient({
      endpoint: own.emulator.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
  });
  afterAll(() => tagging.destroy());

  it('answers the tagged teams of a list of ARNs, leaving out untagged and unknown ones, with an empty last token', async () => {
    // Prepare
    const tagged = await createTeam(client, 'tagged', { Tags: [{ Key: 'cost-center', Value: 'ml' }] });
    const untagged = await createTeam(client, 'untagged');

    // Act
    const answer = await tagging.send(new GetResourcesCommand({ ResourceARNList: [tagged, untagged, UNKNOWN_ARN] }));

    // Assess
    expect(answer.ResourceTagMappingList).toEqual([
      { ResourceARN: tagged, Tags: [{ Key: 'cost-center', Value: 'ml' }] },
    ]);
    expect(answer.PaginationToken).toBe('');
  });

  it('pages the tagged teams by type filter, and refuses ARNs combined with paging as the API does', async () => {
    // Prepare
    for (const name of ['a', 'b', 'c']) await createTeam(client, name, { Tags: [{ Key: 'k', Value: name }] });

    // Act
    const first = await tagging.send(
      new GetResourcesCommand({ ResourceTypeFilters: ['sagemaker:workteam'], ResourcesPerPage: 2 }),
    );
    const second = await tagging.send(
      new GetResourcesCommand({ ResourceTypeFilters: ['sagemaker:workteam'], PaginationToken: first.PaginationToken }),
    );
    const mixed = await tagging
      .send(new GetResourcesCommand({ ResourceARNList: [UNKNOWN_ARN], ResourcesPerPage: 2 }))
      .catch((error: Error) => error);

    // Assess
    expect(first.ResourceTagMappingList).toHaveLength(2);
    expect(second.ResourceTagMappingList).toHaveLength(1);
    expect(second.PaginationToken).toBe('');
    expect((mixed as Error).name).toBe('InvalidParameterException');
  });
});
