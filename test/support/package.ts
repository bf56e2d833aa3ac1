/**
 * The CloudFormation template that `serverless package` produces offline, for the stage `ci`. Packaging takes
 * seconds, so it happens once per test run: the first test file that asks packages into a directory named by the
 * run (TEST_RUN_ID, set by the global setup; each test file has its own modules and the files run in several
 * workers, so a module-level cache would not be shared), and later files read the template from there. A file
 * that asks while another worker is packaging waits for that package. The global teardown removes the directory.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { serverless } from './serverless';

export type TemplateJson = Record<string, unknown>;
export interface TemplateResource {
  Type: string;
  Properties: TemplateJson;
}
export interface PackagedTemplate {
  Resources: Record<string, TemplateResource>;
}

/** What the packaged stage is given: the workforce's pool and the token issuer, as a deploy would be. */
export const PACKAGE_ENV = {
  AWS_ACCESS_KEY_ID: 'package',
  AWS_SECRET_ACCESS_KEY: 'package',
  JWT_ISSUER: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example',
  JWT_AUDIENCE: 'example-client-id',
  USER_POOL_ID: 'us-east-1_Ci0Pool1',
} as const;
export const PACKAGE_STAGE = 'ci';

const TEMPLATE_FILE = 'cloudformation-template-update-stack.json';

/** Where this test run keeps its package. */
export function packageDir(run = process.env.TEST_RUN_ID ?? String(process.pid)): string {
  return join(tmpdir(), `workteam-automation-package-${run}`);
}

/** Under the 180 s the packaging test files give their beforeAll, so that this message is the one shown. */
const PACKAGING_TIMEOUT_MS = 150_000;

/**
 * The path of the packaged template, packaging first unless this process already did. A package is written to a
 * temporary directory and renamed into place once complete, so that a run stopped halfway leaves nothing to reuse.
 */
export async function packagedTemplatePath(): Promise<string> {
  const dir = packageDir();
  const template = join(dir, TEMPLATE_FILE);
  if (existsSync(template)) return template;
  // mkdir is atomic: the worker that makes the lock packages, the others wait for its template.
  const lock = `${dir}.lock`;
  try {
    mkdirSync(lock);
  } catch {
    const deadline = Date.now() + PACKAGING_TIMEOUT_MS;
    while (!existsSync(template)) {
      // The lock goes only after the template is in place: gone without a template, the packaging failed.
      if (!existsSync(lock) && !existsSync(template)) {
        throw new Error('the worker that was packaging the service gave up; see its test file');
      }
      if (Date.now() > deadline) throw new Error(`no package in ${dir} after ${PACKAGING_TIMEOUT_MS / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return template;
  }
  // Another worker may have finished between the first look and the lock: its package stands.
  if (existsSync(template)) {
    rmSync(lock, { recursive: true, force: true });
    return template;
  }
  const partial = mkdtempSync(`${dir}-partial-`);
  try {
    await serverless(['package', '--stage', PACKAGE_STAGE, '--package', partial], PACKAGE_ENV);
    rmSync(dir, { recursive: true, force: true });
    renameSync(partial, dir);
  } finally {
    rmSync(partial, { recursive: true, force: true });
    rmSync(lock, { recursive: true, force: true });
  }
  return template;
}

export async function packagedTemplate(): Promise<PackagedTemplate> {
  return JSON.parse(readFileSync(await packagedTemplatePath(), 'utf8')) as PackagedTemplate;
}

/**
 * Called by the global setup (a run that died before its teardown may have left a package, or a lock, under the
 * same process id) and by the global teardown, in the process that runs the tests.
 */
export function removePackage(): void {
  const dir = packageDir();
  rmSync(dir, { recursive: true, force: true });
  rmSync(`${dir}.lock`, { recursive: true, force: true });
  const parent = dirname(dir);
  for (const entry of readdirSync(parent)) {
    if (entry.startsWith(`${basename(dir)}-partial-`)) rmSync(join(parent, entry), { recursive: true, force: true });
  }
}
