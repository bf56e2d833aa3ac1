/**
 * cfn-lint on the CloudFormation template that `serverless package` produces offline (the same package as
 * iam.test.ts): what CloudFormation or a service would refuse at deploy time (a wrong property, an invalid IAM
 * condition operator, a reference to nothing) fails here instead. Errors fail the test; warnings do not. The one
 * kind of warning the template has, W3005 (a DependsOn that a Ref or GetAtt already implies), comes from what the
 * Serverless Framework generates, not from serverless.yml, and is harmless. Linted too: the template of a stage
 * name of 20 characters that creates the stack's own trail (every name within its service's limit, the trail,
 * its bucket and the bucket's policy as CloudFormation takes them) and admits the target accounts' events to its default bus;
 * and the target template, infra/target.yml.
 *
 * cfn-lint is a Python tool (pip install cfn-lint), not an npm dependency: where it is not installed, the lint is
 * skipped, and the one test here says so.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PACKAGE_ENV, packagedTemplatePath } from '../support/package';
import { serverless } from '../support/serverless';

interface LintMatch {
  Level: 'Error' | 'Warning' | 'Informational';
  Rule: { Id: string };
  Location: { Path: (string | number)[] | null };
  Message: string;
}

const run = promisify(execFile);
const detection = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
const notInstalled = (detection.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';

/** Runs cfn-lint; its exit status is a bit mask (2 errors, 4 warnings, 8 informational), 1 its own failure. */
async function lint(templatePath: string): Promise<LintMatch[]> {
  try {
    const { stdout } = await run('cfn-lint', ['--format', 'json', templatePath], { maxBuffer: 16 * 1024 * 1024 });
    return JSON.parse(stdout) as LintMatch[];
  } catch (error) {
    const { code, stdout, stderr } = error as { code?: number; stdout?: string; stderr?: string };
    if (typeof code !== 'number' || (code & 1) !== 0) {
      throw new Error(`cfn-lint could not lint the template (exit ${code}): ${stderr}`);
    }
    return JSON.parse(stdout ?? '[]') as LintMatch[];
  }
}

function errorsIn(found: LintMatch[]): string[] {
  return found
    .filter((match) => match.Level === 'Error')
    .map((match) => `${match.Rule.Id} ${(match.Location.Path ?? []).join('/')}: ${match.Message}`);
}

/** A template of one role whose policy allows one SageMaker write under `condition`. */
function roleTemplate(condition: Record<string, unknown>) {
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Resources: {
      Role: {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
          },
          Policies: [
            {
              PolicyName: 'write',
              PolicyDocument: {
                Version: '2012-10-17',
                Statement: [
                  { Effect: 'Allow', Action: 'sagemaker:UpdateWorkteam', Resource: '*', Condition: condition },
                ],
              },
            },
          ],
        },
      },
    },
  };
}

if (notInstalled) {
  describe('cfn-lint', () => {
    it('cfn-lint not installed: skipped the lint', () => {
      expect((detection.error as NodeJS.ErrnoException).code).toBe('ENOENT');
    });
  });
} else {
  describe('cfn-lint on the packaged template', () => {
    let matches: LintMatch[];

    beforeAll(async () => {
      matches = await lint(await packagedTemplatePath());
    }, 240_000);

    it('runs', () => {
      expect({ status: detection.status, version: detection.stdout.trim() }).toEqual({
        status: 0,
        version: expect.stringMatching(/^cfn-lint \d+\./),
      });
    });

    it('reports the error in a template whose role has a misspelt condition operator', async () => {
      // Prepare
      const dir = mkdtempSync(join(tmpdir(), 'cfn-lint-'));
      const path = join(dir, 'template.json');
      writeFileSync(path, JSON.stringify(roleTemplate({ StringEqualz: { 'aws:ResourceTag/managed-by': 'x' } })));

      try {
        // Act
        const found = await lint(path);

        // Assess
        expect(errorsIn(found)).toEqual([
          expect.stringMatching(/^E3510 Resources\/Role\/Properties\/Policies\/0\/.*\/Condition\/StringEqualz: /),
        ]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 60_000);

    it('finds no error in the packaged template', () => {
      expect(errorsIn(matches)).toEqual([]);
    });

    it('finds no error and no warning in the target template, infra/target.yml', async () => {
      expect((await lint('infra/target.yml')).map((match) => match.Message)).toEqual([]);
    }, 60_000);

    describe('of a stage name of 20 characters that creates its own trail', () => {
      let dir: string;
      let longStage: LintMatch[];

      beforeAll(async () => {
        dir = mkdtempSync(join(tmpdir(), 'cfn-lint-long-stage-'));
        await serverless(['package', '--stage', 'twenty-char-stage-xy', '--package', dir], {
          ...PACKAGE_ENV,
          CREATE_TRAIL: 'true',
          // The default bus's policy for the targets' forwarded events (TargetEventsBusPolicy) is made too.
          TARGET_ACCOUNTS: '111111111111,222222222222',
        });
        longStage = await lint(join(dir, 'cloudformation-template-update-stack.json'));
      }, 240_000);

      afterAll(() => {
        if (dir) rmSync(dir, { recursive: true, force: true });
      });

      it('finds no error, and no warning but the generated DependsOn', () => {
        expect(errorsIn(longStage)).toEqual([]);
        expect(longStage.filter((match) => match.Rule.Id !== 'W3005').map((match) => match.Message)).toEqual([]);
      });
    });
  });
}
