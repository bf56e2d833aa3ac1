/**
 * `npm start`'s banner (local/banner.ts) lists every HTTP route. The routes come from `serverless print`, as npm
 * start reads them: they are exactly the operations of openapi/openapi.yaml (a source the banner does not read),
 * and the banner prints each with the function that serves it.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { banner, type HttpRoute, httpRoutes } from '../../local/banner';
import { printServerlessConfig } from '../../local/event-bus';
import type { SeedResult } from '../../local/seed';

const ROOT = resolve(__dirname, '../..');
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const cloudEnv = () => JSON.parse(process.env.LOCAL_CLOUD_ENV ?? '{}') as Record<string, string>;
const routeName = (route: { method: string; path: string }) => `${route.method} ${route.path}`;

/** The operations of the OpenAPI document, as `METHOD /path`. */
function documentedRoutes(): string[] {
  const document = parse(readFileSync(resolve(ROOT, 'openapi/openapi.yaml'), 'utf8')) as {
    paths: Record<string, Record<string, unknown>>;
  };
  return Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.filter((method) => item[method] !== undefined).map((method) => `${method.toUpperCase()} ${path}`),
  );
}

describe("npm start's banner", () => {
  let routes: HttpRoute[] = [];

  beforeAll(async () => {
    routes = httpRoutes(await printServerlessConfig({ root: ROOT, stage: 'local', env: cloudEnv() }));
  }, 120_000);

  it("reads every httpApi route of serverless.yml: the OpenAPI document's operations", () => {
    // Act / Assess
    expect(routes.map(routeName).sort()).toEqual(documentedRoutes().sort());
  });

  it('prints a line for each route, with the function that serves it', () => {
    // Prepare
    const seed = { userPoolId: 'us-east-1_AbCdEf123', teams: ['image-labelers'] } as SeedResult;

    // Act
    const lines = banner({ env: cloudEnv(), seed }, undefined, routes).split('\n');

    // Assess
    for (const route of routes) {
      expect(lines).toContainEqual(
        expect.stringMatching(
          new RegExp(`^ +${route.method} +${route.path.replace(/[{}]/g, '\\$&')} +${route.functionKey}$`),
        ),
      );
    }
  });

  it('reads the short form of a route and leaves other events out', () => {
    // Act
    const read = httpRoutes({
      functions: {
        one: { events: [{ httpApi: 'get /a' }, { sqs: { arn: 'x' } }] },
        two: { events: [{ httpApi: { method: 'post', path: '/b/{id}' } }, { httpApi: '*' }] },
      },
    });

    // Assess
    expect(read).toEqual([
      { method: 'GET', path: '/a', functionKey: 'one' },
      { method: 'POST', path: '/b/{id}', functionKey: 'two' },
      { method: '*', path: '*', functionKey: 'two' },
    ]);
  });
});
