/**
 * The embedded local cloud: a SageMaker emulator of our own, cognito-local, fauxqs (SQS, and SNS behind the local
 * SNS proxy), dynalite (DynamoDB) and the local EventBridge's front door (PutEvents), all reached over HTTP on
 * 127.0.0.1, started and stopped together. State lives in memory (and, for cognito-local, in a fresh temporary directory), so every
 * start is new and then seeded.
 * Clients reach SNS through local/sns-proxy.ts, which adds what fauxqs lacks and the product depends on: SNS's
 * request-rate quotas, pages of 100 subscriptions, and e-mail subscriptions that wait for their worker's confirmation.
 * Clients reach Cognito through the CloudTrail recording proxy (local/cloudtrail-proxy.ts), which records the
 * group and user changes; the SageMaker emulator records its work team writes the same way. Once seeded (the seed
 * records nothing), both go to the EventBridge front door with whatever the functions put there themselves, so
 * `GET $EVENTBRIDGE_URL/_events` shows all that reached the bus and one subscription (npm start's local event
 * bus) receives it all.
 * The local cloud has no IAM: a caller is named by its access key. The functions' key (the environment here,
 * `.env.local`, serverless offline, the test run) stands for their assumed role, whose IAM path is the stack's
 * (OWN_ROLE_PATH, as serverless.yml gives every role), so CloudTrail shows their changes with the session issuer
 * `OWN_ROLE_ARN_PREFIX…` as in AWS; any other key, such as the operator's of `.local/env`, is an IAM user.
 * The local CloudTrail (local/cloudtrail-api.ts) answers the audit's questions about trails, and decides as AWS
 * does whether a recorded call reaches the bus at all: only while a trail logs its management events.
 * Accounts and regions (local/targets.ts): the stack's (the hub's) and the targets', whose work teams the hub
 * manages by assuming each target account's role through the local STS (local/sts.ts). SageMaker, SNS and
 * CloudTrail keep each account's and region's state apart: the account of the request's key (a target's temporary
 * key names it), the region of its signature. Their CloudTrail events all reach the one bus: the hub's, to which
 * every target forwards its events.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallerIdentity } from './caller-identity';
import { type LocalCloudTrail, startLocalCloudTrail } from './cloudtrail-api';
import { type CloudTrailProxy, startCloudTrailProxy } from './cloudtrail-proxy';
import { type LocalEventBridge, startLocalEventBridge } from './eventbridge';
import { reservePort, waitForPort } from './ports';
import { quotaScaleFromEnv } from './request-quota';
import { type SageMakerEmulator, startSageMakerEmulator } from './sagemaker';
import { type SeedResult, seedLocalCloud, userPoolDatabase } from './seed';
import { targetUserPool } from './seed-targets';
import { type SnsProxy, startSnsProxy } from './sns-proxy';
import { type LocalSts, startLocalSts } from './sts';
import {
  EXTERNAL_ID,
  HUB,
  LOCAL_TARGETS,
  type LocalTarget,
  TARGET_ROLE_PATH,
  targetRoleName,
  targetsSetting,
} from './targets';

export const REGION = HUB.region;
export const ACCOUNT_ID = HUB.account;

/** The IAM path of every role of the local stage (serverless.yml's `custom.rolePath`: /<service>/<stage>/). */
export const OWN_ROLE_PATH = '/workteam-automation/local/';
/** What the ARN of every role of this system starts with locally, in the hub's account. */
export const OWN_ROLE_ARN_PREFIX = `arn:aws:iam::${ACCOUNT_ID}:role${OWN_ROLE_PATH}`;
/**
 * The roles of this system in every account, the hub's and the targets' (local/targets.ts: the same path):
 * CloudTrail's `sessionContext.sessionIssuer.arn` of their calls, which the audit's real-time rule leaves out
 * (`anything-but` `wildcard`, serverless.yml's `ownRoleArnPattern`). A role merely named like ours, without the
 * path, is audited.
 */
export const OWN_ROLE_ARN_PATTERN = `arn:aws:iam::*:role${OWN_ROLE_PATH}*`;
/** The functions' role, and the session their calls come from, as Lambda names them. */
const FUNCTIONS_ROLE_NAME = 'workteam-automation-local-functions';
export const FUNCTIONS_ROLE_ARN = `${OWN_ROLE_ARN_PREFIX}${FUNCTIONS_ROLE_NAME}`;
/** A session's ARN never carries its role's path (IAM leaves it out): only the session issuer shows it. */
export const FUNCTIONS_CALLER_ARN = `arn:aws:sts::${ACCOUNT_ID}:assumed-role/${FUNCTIONS_ROLE_NAME}/workteam-automation-local`;
/**
 * What the functions' session ARNs start with. Names can be imitated (anyone may name a role so), so nothing
 * decides by it: the audit rule reads the session issuer's path (OWN_ROLE_ARN_PREFIX).
 */
export const OWN_CALLER_ARN_PREFIX = `arn:aws:sts::${ACCOUNT_ID}:assumed-role/workteam-automation-local-`;
/** The access key of the functions' environment: their role. */
export const FUNCTIONS_ACCESS_KEY_ID = 'local-functions';
/** The access key of `.local/env`, a person at the AWS CLI or SDK: the IAM user `local-operator`. */
export const OPERATOR_ACCESS_KEY_ID = 'local-operator';

export interface LocalCloudPorts {
  sagemaker: number;
  /** The local SNS (local/sns-proxy.ts in front of fauxqs): the SNS endpoint clients use. */
  sns: number;
  /** fauxqs: the SQS endpoint, and the SNS the proxy forwards to. */
  fauxqs: number;
  cognito: number;
  /** The CloudTrail recording proxy in front of cognito-local: the Cognito endpoint clients use. */
  cognitoTrail: number;
  dynamodb: number;
  /** The local EventBridge's front door: PutEvents, and GET /_events. */
  eventbridge: number;
  /** The local CloudTrail: the account's trails (DescribeTrails, GetTrailStatus, GetEventSelectors, ListTrails). */
  cloudtrail: number;
  /** The local STS: AssumeRole into the targets' roles, GetCallerIdentity. */
  sts: number;
}

export const DEFAULT_PORTS: LocalCloudPorts = {
  sagemaker: 4577,
  sns: 4566,
  fauxqs: 4567,
  cognito: 9229,
  cognitoTrail: 9230,
  dynamodb: 8000,
  eventbridge: 4010,
  cloudtrail: 4588,
  sts: 4592,
};
export const EPHEMERAL_PORTS: LocalCloudPorts = {
  sagemaker: 0,
  sns: 0,
  fauxqs: 0,
  cognito: 0,
  cognitoTrail: 0,
  dynamodb: 0,
  eventbridge: 0,
  cloudtrail: 0,
  sts: 0,
};

export interface LocalCloudOptions {
  ports: LocalCloudPorts;
  /** Where the HTTP API will listen; only written into the environment for clients. */
  apiUrl: string;
  /** A file that receives cognito-local's own log; discarded when absent. */
  cognitoLogFile?: string;
  /**
   * Targets besides the seeded ones (local/targets.ts), each with a role the hub may assume and a trail, and named
   * in TARGETS; nothing is seeded in them (the benchmark fills them with teams of its own).
   */
  extraTargets?: readonly LocalTarget[];
}

export interface LocalCloud {
  /** Everything a client needs to reach the stack: what `.local/env` holds. */
  env: Record<string, string>;
  seed: SeedResult;
  sagemaker: SageMakerEmulator;
  /** The local SNS: quotas, paging and e-mail confirmation as SNS has them; control routes at LOCAL_SNS_CONTROL_URL. */
  sns: SnsProxy;
  /** Records Cognito's group and user changes as CloudTrail events (they reach eventBridge too). */
  cloudTrail: CloudTrailProxy;
  /** Every event that reaches the bus (CloudTrail's of SageMaker and Cognito, PutEvents); subscribe to receive them. */
  eventBridge: LocalEventBridge;
  /**
   * The account's trails, as the audit reads them; CloudTrail's events reach the bus only while one logs their
   * management events (control routes at LOCAL_CLOUDTRAIL_CONTROL_URL).
   */
  trails: LocalCloudTrail;
  /** The local STS: the targets' roles, and who may assume them. */
  sts: LocalSts;
  stop(): Promise<void>;
}

const SERVICE_NAMES: Record<keyof LocalCloudPorts, string> = {
  sagemaker: 'SageMaker emulator',
  sns: 'SNS, the local SNS proxy',
  fauxqs: 'SQS (and SNS behind the proxy), fauxqs',
  cognito: 'Cognito, cognito-local',
  cognitoTrail: 'Cognito, the CloudTrail recording proxy',
  dynamodb: 'DynamoDB, dynalite',
  eventbridge: 'EventBridge, the local PutEvents front door',
  cloudtrail: 'CloudTrail, the local trails',
  sts: 'STS, the local AssumeRole',
};

export async function startLocalCloud(options: LocalCloudOptions): Promise<LocalCloud> {
  const ports = { ...options.ports };
  // Check (and, for port 0, choose) every port first, so a clash is one clear error before anything starts.
  for (const key of Object.keys(ports) as (keyof LocalCloudPorts)[]) {
    ports[key] = await reservePort(ports[key], SERVICE_NAMES[key]);
  }

  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    // The functions' key is their role's session; any other key (a person's) is an IAM user. The local STS adds
    // the sessions it issues; every service reads this one object at each call.
    const identities: Record<string, CallerIdentity> = {
      [FUNCTIONS_ACCESS_KEY_ID]: { arn: FUNCTIONS_CALLER_ARN, type: 'AssumedRole', roleArn: FUNCTIONS_ROLE_ARN },
    };
    const targets = [...LOCAL_TARGETS, ...(options.extraTargets ?? [])];
    const sts = await startLocalSts({
      port: ports.sts,
      accountId: ACCOUNT_ID,
      roles: targetRoles(targets),
      identities,
    });
    stops.push(() => sts.close());
    const eventBridge = await startLocalEventBridge({ port: ports.eventbridge, region: REGION, accountId: ACCOUNT_ID });
    stops.push(() => eventBridge.close());

    const sagemaker = await startSageMakerEmulator({
      port: ports.sagemaker,
      host: '127.0.0.1',
      region: REGION,
      accountId: ACCOUNT_ID,
      identities,
    });
    stops.push(() => sagemaker.close());

    const fauxqs = await startFauxqsServer(ports.fauxqs);
    stops.push(fauxqs.stop);

    const sns = await startSnsProxy({
      port: ports.sns,
      upstream: fauxqs.url,
      quotaScale: quotaScaleFromEnv(),
      region: REGION,
    });
    stops.push(() => sns.close());

    const dynamo = await startDynalite(ports.dynamodb);
    stops.push(dynamo.stop);

    const cognito = await startCognitoLocal(ports.cognito, options.cognitoLogFile);
    stops.push(cognito.stop);

    const cloudTrail = await startCloudTrailProxy({
      port: ports.cognitoTrail,
      upstream: cognito.url,
      region: REGION,
      accountId: ACCOUNT_ID,
      identities,
    });
    stops.push(() => cloudTrail.close());

    const trails = await startLocalCloudTrail({
      port: ports.cloudtrail,
      region: REGION,
      accountId: ACCOUNT_ID,
      otherAccounts: targets,
      identities,
    });
    stops.push(() => trails.close());

    const endpoints = {
      AWS_ENDPOINT_URL_SAGEMAKER: sagemaker.url,
      AWS_ENDPOINT_URL_SNS: sns.url,
      AWS_ENDPOINT_URL_SQS: fauxqs.url,
      // Every client's Cognito calls go through the recording proxy, as every call in AWS reaches CloudTrail.
      AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: cloudTrail.url,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.url,
      AWS_ENDPOINT_URL_EVENTBRIDGE: eventBridge.url,
      AWS_ENDPOINT_URL_CLOUDTRAIL: trails.url,
      AWS_ENDPOINT_URL_STS: sts.url,
      // The Resource Groups Tagging API's view of SageMaker's tags: the emulator answers it (local/sagemaker/tagging.ts).
      AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API: sagemaker.url,
    };
    const awsEnv = {
      AWS_REGION: REGION,
      AWS_DEFAULT_REGION: REGION,
      AWS_ACCESS_KEY_ID: FUNCTIONS_ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: 'local',
      ...endpoints,
    };
    const seed = await seedLocalCloud({ ...awsEnv, cognitoUrl: cognito.url, snsControlUrl: sns.controlUrl });
    // Nor are its confirmation mails and its SNS calls the stack's.
    sns.forgetConfirmations();
    sns.quotas.resetCounts();
    // The seed is the account as it was before the stack: its calls are no events. Afterwards EventBridge gets
    // "AWS API Call via CloudTrail" events only while a trail logs them, as in AWS.
    sagemaker.subscribe((event) => {
      if (trails.logsEvent(event)) eventBridge.record(event);
    });
    cloudTrail.subscribe((event) => {
      if (trails.logsEvent(event)) eventBridge.record(event);
    });

    const env: Record<string, string> = {
      ...awsEnv,
      API_URL: options.apiUrl,
      SAGEMAKER_EMULATOR_URL: sagemaker.url,
      // The local SNS's control routes: the confirmation mailbox, the worker's clicks, quotas, the clock.
      LOCAL_SNS_CONTROL_URL: sns.controlUrl,
      // The front door itself: GET/DELETE $EVENTBRIDGE_URL/_events.
      EVENTBRIDGE_URL: eventBridge.url,
      // The local CloudTrail's control routes: its trails, removed, stopped or changed (POST …/reset: the default).
      LOCAL_CLOUDTRAIL_CONTROL_URL: trails.controlUrl,
      // The session issuer of the functions' calls starts with this (the audit's rule leaves them out).
      OWN_ROLE_ARN_PREFIX,
      // ... and so does every target role's, in its account (the rule's wildcard).
      OWN_ROLE_ARN_PATTERN,
      OWN_CALLER_ARN_PREFIX,
      // cognito-local itself: the tokens' issuer, and a way around the recording (nothing is recorded there).
      COGNITO_LOCAL_URL: cognito.url,
      USER_POOL_ID: seed.userPoolId,
      CLIENT_ID: seed.clientId,
      WORKFORCE_NAME: seed.workforceName,
      ADMIN_GROUP: seed.adminGroup,
      REQUESTERS_GROUP: seed.requestersGroup,
      TEAMS_TABLE: seed.teamsTable,
      IDEMPOTENCY_TABLE: seed.idempotencyTable,
      // As serverless.yml sets them for the audit (the functions' environment in the test run).
      AUDIT_TABLE: seed.auditTable,
      AUDIT_RETENTION_DAYS: '90',
      TOPIC_PREFIX: 'workteam-automation-local-',
      // The stage, as serverless.yml sets it (${sls:stage}): the teams' managed-by tag carries it.
      STAGE: 'local',
      OPERATIONS_TOPIC_ARN: seed.operationsTopicArn,
      RETRY_BUDGET_MINUTES: '180',
      JWT_ISSUER: `${cognito.url}/${seed.userPoolId}`,
      JWT_AUDIENCE: seed.clientId,
      LOCAL_ADMIN_TOKEN: seed.adminToken,
      LOCAL_USER_TOKEN: seed.userToken,
      LOCAL_WORKER_TOKEN: seed.workerToken,
      // The hub and the targets whose work teams it manages, each with the role it assumes there (local/targets.ts).
      HUB_ACCOUNT_ID: ACCOUNT_ID,
      TARGETS: JSON.stringify(targetsSetting(targets)),
    };
    return { env, seed, sagemaker, sns, cloudTrail, eventBridge, trails, sts, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

interface RunningService {
  url: string;
  stop: () => Promise<void>;
}

async function startFauxqsServer(port: number): Promise<RunningService> {
  // fauxqs always listens on every interface (it takes no bind address); docs/local-cloud.md says so.
  const { startFauxqs } = await import('fauxqs');
  const server = await startFauxqs({ port, logger: false, host: '127.0.0.1', defaultRegion: REGION });
  return { url: `http://127.0.0.1:${server.port}`, stop: () => server.stop() };
}

async function startDynalite(port: number): Promise<RunningService> {
  const { default: dynalite } = await import('dynalite');
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The colour codes of cognito-local's log lines (pino-pretty). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape sequences start with ESC
const ANSI_ESCAPES = /\u001b\[[0-9;]*m/g;

async function startCognitoLocal(port: number, logFile?: string): Promise<RunningService> {
  // cognito-local keeps its state in .cognito/ under its working directory: a fresh directory per start.
  const workDir = mkdtempSync(join(tmpdir(), 'workteam-cognito-'));
  // Real user pools sign users in by user name unless told otherwise; cognito-local defaults to e-mail.
  mkdirSync(join(workDir, '.cognito'));
  writeFileSync(
    join(workDir, '.cognito', 'config.json'),
    JSON.stringify({ UserPoolDefaults: { UsernameAttributes: [] } }),
  );
  // The workforce's pool, with the id the events/ samples name (cognito-local loads it at start).
  // And the pool of the target account with a Cognito workforce (local/seed-targets.ts), in its account's ARN.
  const target = targetUserPool();
  mkdirSync(join(workDir, '.cognito', 'db'));
  for (const pool of [
    userPoolDatabase({ region: REGION, accountId: ACCOUNT_ID }),
    userPoolDatabase({ region: target.region, accountId: target.account, id: target.id, name: target.name }),
  ]) {
    writeFileSync(join(workDir, '.cognito', 'db', pool.fileName), pool.content);
  }
  const bin = require.resolve('cognito-local/lib/bin/start.js');
  const child: ChildProcess = spawn(process.execPath, [bin], {
    cwd: workDir,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DEBUG: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (logFile) {
    const log = createWriteStream(logFile);
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
  } else {
    child.stdout?.resume();
    child.stderr?.resume();
  }
  // Its own line "Cognito Local running on http://127.0.0.1:<port>" proves that the server on the port is this
  // child. Waiting for the port alone is not enough: a port chosen free here can be taken by another local cloud
  // starting beside this one (a test worker's) before this child binds it; the child then exits, and what answers
  // on the port is the other cloud's service. (The port cannot be left to the child: its tokens' issuer names it.)
  const listening = new Promise<number>((resolve) => {
    let seen = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      seen = (seen + chunk.toString('utf8')).slice(-4096);
      const match = /Cognito Local running on https?:\/\/[^\s:]+:(\d+)/.exec(seen.replace(ANSI_ESCAPES, ''));
      if (match) resolve(Number(match[1]));
    });
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(workDir, { recursive: true, force: true });
  };
  let listeningPort: number;
  try {
    listeningPort = await Promise.race([
      listening,
      exited.then((): number => {
        throw new Error('cognito-local exited before it started listening');
      }),
      new Promise<number>((_resolve, reject) =>
        setTimeout(() => reject(new Error('cognito-local did not start listening within 20 s')), 20_000).unref(),
      ),
    ]);
    if (listeningPort !== port) throw new Error(`cognito-local listens on ${listeningPort}, not ${port}`);
    await waitForPort(port, 20_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `http://127.0.0.1:${port}`, stop };
}

/**
 * The targets' roles, one per account and region (local/targets.ts): the hub's functions and the operator may assume
 * a reachable target's with its ExternalId; an unreachable target's trusts nobody.
 */
function targetRoles(targets: readonly LocalTarget[]) {
  return targets.map(({ account, region, reachable }) => ({
    account,
    name: targetRoleName(region),
    path: TARGET_ROLE_PATH,
    trustedKeys: reachable ? [FUNCTIONS_ACCESS_KEY_ID, OPERATOR_ACCESS_KEY_ID] : [],
    externalId: EXTERNAL_ID,
  }));
}
