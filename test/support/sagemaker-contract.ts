/**
 * Setup and fixtures of the SageMaker contract tests (test/contract/sagemaker-*.test.ts, adapter-sagemaker*.test.ts).
 * Each of them starts an emulator of its own in this process, on a free port, instead of using the local cloud's:
 * `useOwnSageMakerEmulator` registers the hooks that start, reset and close it. The rest builds the requests those
 * tests send through the real SDK (work teams, workforces, raw awsJson1_1 calls) and reads their failures.
 */
import {
  CreateWorkforceCommand,
  type CreateWorkforceCommandInput,
  CreateWorkteamCommand,
  type CreateWorkteamCommandInput,
  type MemberDefinition,
  SageMakerClient,
  type SageMakerClientConfig,
  SageMakerServiceException,
} from '@aws-sdk/client-sagemaker';
import { type SageMakerEmulator, type SageMakerEmulatorOptions, startSageMakerEmulator } from '../../local/sagemaker';

export const REGION = 'us-east-1';
export const ACCOUNT = '000000000000';
export const USER_POOL = 'us-east-1_TestPool1';
export const CLIENT_ID = 'testclient0123456789';
export const TOPIC_ARN = `arn:aws:sns:${REGION}:123456789012:labeling-work`;

export function clientFor(emulator: SageMakerEmulator, config: SageMakerClientConfig = {}): SageMakerClient {
  return new SageMakerClient({
    endpoint: emulator.url,
    region: REGION,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
    ...config,
  });
}

export interface OwnEmulator {
  emulator: SageMakerEmulator;
  /** A client of it: the emulator's region, test credentials, one attempt per call. */
  client: SageMakerClient;
  /** Another client of it (other credentials, say), destroyed with the emulator after the tests. */
  clientWith(config: SageMakerClientConfig): SageMakerClient;
}

export interface OwnEmulatorOptions {
  /** How to start the emulator (region, account, identities); its port is a free one unless given. */
  emulator?: SageMakerEmulatorOptions;
  /**
   * What goes before each test: all state, knobs and counts (`reset`, the default), or only the call counts, for a
   * file whose teams are created once, before all its tests.
   */
  beforeEach?: 'reset' | 'resetCallCounts';
}

/**
 * The setup every SageMaker contract test file repeated, as hooks of the enclosing `describe` (or of the file):
 * before all its tests, starts a SageMaker emulator of its own and hands it and a client to `started`; before each
 * test, resets it (see `beforeEach`); after all of them, destroys its clients and closes it.
 */
export function useOwnSageMakerEmulator(
  started: (own: OwnEmulator) => void | Promise<void>,
  options: OwnEmulatorOptions = {},
): void {
  let emulator: SageMakerEmulator | undefined;
  const clients: SageMakerClient[] = [];

  beforeAll(async () => {
    const running = await startSageMakerEmulator({ port: 0, ...options.emulator });
    emulator = running;
    const clientWith = (config: SageMakerClientConfig) => {
      const client = clientFor(running, config);
      clients.push(client);
      return client;
    };
    await started({ emulator: running, client: clientWith({}), clientWith });
  });

  beforeEach(() => {
    if (options.beforeEach === 'resetCallCounts') emulator?.resetCallCounts();
    else emulator?.reset();
  });

  afterAll(async () => {
    for (const client of clients) client.destroy();
    await emulator?.close();
  });
}

export function cognitoMember(userGroup: string, userPool = USER_POOL, clientId = CLIENT_ID): MemberDefinition {
  return { CognitoMemberDefinition: { UserPool: userPool, UserGroup: userGroup, ClientId: clientId } };
}

export function oidcMember(...groups: string[]): MemberDefinition {
  return { OidcMemberDefinition: { Groups: groups } };
}

export function teamInput(
  name: string,
  overrides: Partial<CreateWorkteamCommandInput> = {},
): CreateWorkteamCommandInput {
  return {
    WorkteamName: name,
    Description: `The ${name} team`,
    MemberDefinitions: [cognitoMember(`${name}-group`)],
    ...overrides,
  };
}

export async function createTeam(
  client: SageMakerClient,
  name: string,
  overrides: Partial<CreateWorkteamCommandInput> = {},
): Promise<string> {
  const { WorkteamArn } = await client.send(new CreateWorkteamCommand(teamInput(name, overrides)));
  if (!WorkteamArn) throw new Error('CreateWorkteam returned no WorkteamArn');
  return WorkteamArn;
}

export const OIDC_CONFIG = {
  ClientId: 'oidc-client',
  ClientSecret: 'oidc-secret',
  Issuer: 'https://idp.example.com',
  AuthorizationEndpoint: 'https://idp.example.com/authorize',
  TokenEndpoint: 'https://idp.example.com/token',
  UserInfoEndpoint: 'https://idp.example.com/userinfo',
  LogoutEndpoint: 'https://idp.example.com/logout',
  JwksUri: 'https://idp.example.com/jwks',
};

export const VPC_CONFIG = {
  VpcId: 'vpc-0123456789abcdef0',
  SecurityGroupIds: ['sg-0123456789abcdef0'],
  Subnets: ['subnet-0123456789abcdef0'],
};

export async function createWorkforce(
  client: SageMakerClient,
  overrides: Partial<CreateWorkforceCommandInput> = {},
): Promise<string> {
  const { WorkforceArn } = await client.send(
    new CreateWorkforceCommand({
      WorkforceName: 'my-workforce',
      CognitoConfig: { UserPool: USER_POOL, ClientId: CLIENT_ID },
      ...overrides,
    }),
  );
  if (!WorkforceArn) throw new Error('CreateWorkforce returned no WorkforceArn');
  return WorkforceArn;
}

/** Awaits a call that must fail and returns the SDK's error; fails the test when the call succeeds. */
export async function failureOf(call: Promise<unknown>): Promise<SageMakerServiceException> {
  try {
    await call;
  } catch (error) {
    if (error instanceof SageMakerServiceException) return error;
    throw error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/** Raw awsJson1_1 call, for what the SDK cannot send (malformed JSON, wrong member types). */
export async function rawCall(
  emulator: SageMakerEmulator,
  target: string,
  body: string,
): Promise<{ status: number; headers: Headers; json: Record<string, unknown> }> {
  const response = await fetch(`${emulator.url}/`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': target },
    body,
  });
  return {
    status: response.status,
    headers: response.headers,
    json: (await response.json()) as Record<string, unknown>,
  };
}

/** Sends a value the SDK's types would not allow (an out-of-enum string, say), as a raw client could. */
export function unchecked<T>(value: unknown): T {
  return value as T;
}
