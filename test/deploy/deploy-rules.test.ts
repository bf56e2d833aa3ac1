/**
 * infra/deploy-rules.js, the plugin serverless.yml adds to the framework: a package (or deploy, or removal)
 * without --stage is refused before anything is built, and the change sets a deploy creates adopt the tables a
 * removed stack of the stage retained. Nothing here reaches AWS: the refusal comes first, and the change set's
 * parameters are what osls's own deploy plugin would send, read without sending them.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PACKAGE_ENV } from '../support/package';
import { projectRoot, serverless } from '../support/serverless';

type Json = Record<string, unknown>;

const run = promisify(execFile);

describe('a package without --stage', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'package-without-stage-'));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('is refused in one line, and nothing is packaged', async () => {
    // Act
    const refusal = await serverless(['package', '--package', join(dir, 'out')], PACKAGE_ENV).then(
      () => undefined,
      (error: { code?: number; stdout?: string; stderr?: string }) => error,
    );

    // Assess
    expect(refusal?.code).toBe(1);
    const output = `${refusal?.stdout ?? ''}${refusal?.stderr ?? ''}`;
    expect(output).toContain(
      '"serverless package" needs --stage <name> (e.g. --stage prod): without it, it would take the local stage\'s settings',
    );
    expect(existsSync(join(dir, 'out'))).toBe(false);
  }, 60_000);
});

/**
 * The framework as the CLI loads it for `serverless deploy --stage ci` with this plugin, in a process of its own
 * (osls needs Node's own module loader): prints the parameters of the change sets osls's deploy plugin would create.
 */
const CHANGE_SET_PARAMS = `
const Serverless = require('osls/lib/serverless');
(async () => {
  const framework = new Serverless({
    commands: ['deploy'], options: { stage: 'ci' }, serviceDir: process.cwd(), configurationFilename: 'serverless.yml',
    configuration: {
      service: 'workteam-automation',
      provider: { name: 'aws', stage: 'ci', region: 'us-east-1', deploymentMethod: 'changesets' },
      plugins: ['./infra/deploy-rules'],
    },
  });
  await framework.init();
  const plugin = (name) => framework.pluginManager.getPlugins().find((p) => p.constructor.name === name);
  await plugin('DeployRules').hooks.initialize();
  const deploy = plugin('AwsDeploy');
  console.log(JSON.stringify({
    update: deploy.getCreateChangeSetParams({ changeSetType: 'UPDATE', templateUrl: 'https://b/t.json' }),
    create: deploy.getCreateChangeSetParams({ changeSetType: 'CREATE', templateBody: '{}' }),
  }));
})().catch((error) => { console.error(error); process.exit(1); });
`;

describe("a deploy's change sets", () => {
  it('are created with ImportExistingResources, so the tables a removed stack retained are adopted', async () => {
    // Act
    const { stdout } = await run(process.execPath, ['-e', CHANGE_SET_PARAMS], {
      cwd: projectRoot,
      env: { ...process.env, ...PACKAGE_ENV, SLS_TELEMETRY_DISABLED: '1' },
    });
    const { update, create } = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, Json>;

    // Assess
    expect(update).toMatchObject({ StackName: 'workteam-automation-ci', ChangeSetType: 'UPDATE' });
    expect(update?.ImportExistingResources).toBe(true);
    expect(create?.ImportExistingResources).toBe(true);
  }, 60_000);
});
