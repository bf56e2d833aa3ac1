/**
 * The OpenAPI document (openapi/openapi.yaml) against the code it describes: it is a valid OpenAPI 3.1 document,
 * it has exactly the httpApi routes of serverless.yml, and every HTTP event of events/ is one of its operations.
 * What the handlers answer is checked against it by every handler test (test/support/invoke.ts).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import {
  type DocumentedOperation,
  documentedOperations,
  findOperation,
  HTTP_METHODS,
  type JsonObject,
  OPENAPI_FILE,
  openApiDocument,
  pointerOf,
  resolvePointer,
  validateResponse,
  validatorAt,
} from '../support/openapi';

const ROOT = resolve(__dirname, '../..');

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every value in the document with the JSON pointer where it sits. */
function walk(value: unknown, pointer: string, visit: (value: unknown, pointer: string) => void): void {
  visit(value, pointer);
  const children: [string, unknown][] = Array.isArray(value)
    ? value.map((item, index) => [`${index}`, item])
    : isObject(value)
      ? Object.entries(value)
      : [];
  for (const [key, child] of children) walk(child, `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, visit);
}

function follow(value: unknown): unknown {
  return isObject(value) && typeof value.$ref === 'string' ? follow(resolvePointer(value.$ref)) : value;
}

interface Route {
  method: string;
  path: string;
  functionName: string;
}

/**
 * The httpApi routes of serverless.yml, by function. CloudFormation's tags (`!Sub`, `!Ref`, `!GetAtt`) mean
 * nothing to a YAML parser: they are left as plain values (logLevel error keeps their warnings quiet).
 */
function serverlessRoutes(): Route[] {
  const config: unknown = parse(readFileSync(resolve(ROOT, 'serverless.yml'), 'utf8'), { logLevel: 'error' });
  const functions = isObject(config) && isObject(config.functions) ? config.functions : {};
  return Object.entries(functions).flatMap(([functionName, definition]) => {
    const events = isObject(definition) && Array.isArray(definition.events) ? definition.events : [];
    return events.flatMap((event: unknown) => {
      if (!isObject(event) || event.httpApi === undefined) return [];
      const httpApi = event.httpApi;
      // `httpApi: 'GET /teams'` is the short form of `{ method: GET, path: /teams }`.
      const [method, path] = typeof httpApi === 'string' ? httpApi.split(' ') : [];
      if (isObject(httpApi))
        return [{ method: String(httpApi.method).toUpperCase(), path: String(httpApi.path), functionName }];
      return [{ method: String(method).toUpperCase(), path: String(path), functionName }];
    });
  });
}

const routeName = (route: { method: string; path: string }) => `${route.method} ${route.path}`;
const functionOf = (operation: DocumentedOperation) =>
  typeof operation.operation['x-function'] === 'string' ? operation.operation['x-function'] : operation.operationId;

describe('the OpenAPI document', () => {
  describe('is a valid OpenAPI 3.1 document', () => {
    it('declares OpenAPI 3.1, its info and its paths', () => {
      // Act
      const document = openApiDocument();

      // Assess
      expect(document.openapi).toMatch(/^3\.1\.\d+$/);
      expect(document.info).toEqual(
        expect.objectContaining({ title: expect.any(String), version: expect.any(String) }),
      );
      expect(Object.keys(isObject(document.paths) ? document.paths : {}).length).toBeGreaterThan(0);
    });

    it('passes the OpenAPI 3.1 schema and reference check of @seriousme/openapi-schema-validator', () => {
      // Prepare: the validator ships as ESM only, which this Jest setup does not load; its CLI runs it as Node would.
      const cli = resolve(
        dirname(require.resolve('@seriousme/openapi-schema-validator/package.json')),
        'bin/validate-api-cli.js',
      );

      // Act
      let output: string;
      try {
        output = execFileSync(process.execPath, [cli, OPENAPI_FILE], { encoding: 'utf8' });
      } catch (error) {
        output = String((error as { stdout?: unknown }).stdout ?? error);
      }

      // Assess
      expect(JSON.parse(output)).toEqual({ valid: true });
    });

    it('resolves every $ref inside the document', () => {
      // Prepare
      const unresolved: string[] = [];

      // Act
      walk(openApiDocument(), '#', (value, pointer) => {
        if (isObject(value) && typeof value.$ref === 'string' && resolvePointer(value.$ref) === undefined) {
          unresolved.push(`${pointer}: ${value.$ref}`);
        }
      });

      // Assess
      expect(unresolved).toEqual([]);
    });

    it('gives every operation a unique operationId and a summary', () => {
      // Act
      const operations = documentedOperations();
      const ids = operations.map((operation) => operation.operationId);

      // Assess
      expect(operations.filter((operation) => operation.operationId === '').map(routeName)).toEqual([]);
      expect(ids.filter((id, index) => ids.indexOf(id) !== index)).toEqual([]);
      expect(operations.filter((operation) => typeof operation.operation.summary !== 'string').map(routeName)).toEqual(
        [],
      );
    });

    it('declares every path template parameter as a path parameter, and no other', () => {
      // Prepare
      const paths = openApiDocument().paths as Record<string, JsonObject>;
      const mismatches: string[] = [];

      // Act
      for (const operation of documentedOperations()) {
        const declared = [
          ...((paths[operation.path]?.parameters as unknown[] | undefined) ?? []),
          ...((operation.operation.parameters as unknown[] | undefined) ?? []),
        ]
          .map(follow)
          .filter((parameter): parameter is JsonObject => isObject(parameter) && parameter.in === 'path')
          .map((parameter) => String(parameter.name))
          .sort();
        const inTemplate = [...operation.path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1] ?? '').sort();
        if (declared.join() !== inTemplate.join()) {
          mismatches.push(`${routeName(operation)}: declares [${declared}], the path has [${inTemplate}]`);
        }
      }

      // Assess
      expect(mismatches).toEqual([]);
    });

    it('documents 401, 403, 429 and 500 on every operation, and a JSON body for every error status', () => {
      // Prepare
      const problems: string[] = [];

      // Act
      for (const operation of documentedOperations()) {
        const responses = isObject(operation.operation.responses) ? operation.operation.responses : {};
        for (const status of ['401', '403', '429', '500']) {
          if (!(status in responses)) problems.push(`${routeName(operation)} lacks ${status}`);
        }
        for (const [status, response] of Object.entries(responses)) {
          const content = (follow(response) as JsonObject | undefined)?.content;
          if (Number(status) >= 400 && !(isObject(content) && isObject(content['application/json']))) {
            problems.push(`${routeName(operation)} ${status} has no application/json body`);
          }
        }
      }

      // Assess
      expect(problems).toEqual([]);
    });

    it('holds only schemas that ajv compiles in strict mode, and examples that match them', () => {
      // Prepare
      const schemaPointers: string[] = [];
      walk(openApiDocument(), '#', (value, pointer) => {
        if (/\/(schema|schemas\/[^/]+)$/.test(pointer) && isObject(value)) schemaPointers.push(pointer);
      });
      const problems: string[] = [];

      // Act
      for (const pointer of schemaPointers) {
        try {
          const validate = validatorAt(pointer);
          const examples = (resolvePointer(pointer) as JsonObject).examples;
          for (const example of Array.isArray(examples) ? examples : []) {
            if (!validate(example)) problems.push(`${pointer}: example ${JSON.stringify(example)} does not match`);
          }
        } catch (error) {
          problems.push(`${pointer}: ${(error as Error).message}`);
        }
      }

      // Assess
      expect(schemaPointers.length).toBeGreaterThan(50);
      expect(problems).toEqual([]);
    });
  });

  describe('against serverless.yml', () => {
    const routes = serverlessRoutes();

    it('finds the httpApi routes of serverless.yml', () => {
      expect(routes.length).toBeGreaterThan(0);
      expect(routes.map(routeName)).toContain('GET /teams');
    });

    it('documents every httpApi route of serverless.yml, as an operation of the function that serves it', () => {
      // Act
      const documented = routes.map((route) => {
        const operation = documentedOperations().find(
          (candidate) => candidate.method === route.method && candidate.path === route.path,
        );
        return { route: routeName(route), function: operation ? functionOf(operation) : 'not documented' };
      });

      // Assess
      expect(documented).toEqual(routes.map((route) => ({ route: routeName(route), function: route.functionName })));
    });

    it('documents no route that serverless.yml lacks', () => {
      // Prepare
      const deployed = new Set(routes.map(routeName));

      // Act
      const extra = documentedOperations()
        .map(routeName)
        .filter((route) => !deployed.has(route));

      // Assess
      expect(extra).toEqual([]);
    });

    it('documents no other HTTP methods than operations', () => {
      // Prepare
      const paths = openApiDocument().paths as Record<string, JsonObject>;
      const allowed = new Set<string>([...HTTP_METHODS, 'parameters', 'summary', 'description', 'servers']);

      // Act
      const unknown = Object.entries(paths).flatMap(([path, item]) =>
        Object.keys(item)
          .filter((key) => !allowed.has(key))
          .map((key) => `${path}: ${key}`),
      );

      // Assess
      expect(unknown).toEqual([]);
    });
  });

  describe('against events/', () => {
    const httpEvents = readdirSync(resolve(ROOT, 'events'))
      .filter((file) => file.endsWith('.json'))
      .map((file) => ({ file, event: JSON.parse(readFileSync(resolve(ROOT, 'events', file), 'utf8')) as JsonObject }))
      .filter(({ event }) => typeof event.routeKey === 'string' && isObject(event.requestContext))
      .filter(({ event }) => isObject((event.requestContext as JsonObject).http));

    it('finds the HTTP events', () => {
      expect(httpEvents.map(({ file }) => file)).toContain('get-team.json');
    });

    it.each(httpEvents.map(({ file, event }) => [file, event] as const))(
      'documents the route of %s, the operation its raw path reaches',
      (_file, event) => {
        // Prepare
        const [method = '', path = ''] = String(event.routeKey).split(' ');

        // Act
        const byRouteKey = findOperation(method, path);
        const byRawPath = findOperation(method, String(event.rawPath));

        // Assess
        expect(byRouteKey?.path).toBe(path);
        expect(byRawPath?.operationId).toBe(byRouteKey?.operationId);
      },
    );

    it.each(
      httpEvents.filter(({ event }) => typeof event.body === 'string').map(({ file, event }) => [file, event] as const),
    )('describes the request body of %s with its requestBody schema', (_file, event) => {
      // Prepare
      const [method = '', path = ''] = String(event.routeKey).split(' ');
      const operation = findOperation(method, path);
      const pointer = pointerOf(
        'paths',
        path,
        method.toLowerCase(),
        'requestBody',
        'content',
        'application/json',
        'schema',
      );

      // Act
      const validate = validatorAt(pointer);
      const valid = validate(JSON.parse(String(event.body)));

      // Assess
      expect(operation).toBeDefined();
      expect(validate.errors ?? []).toEqual([]);
      expect(valid).toBe(true);
    });
  });
});

describe('validateResponse', () => {
  const json = { 'content-type': 'application/json' };
  const managedTeam = {
    name: 'invoice-extractors',
    account: '000000000000',
    region: 'us-east-1',
    arn: null,
    description: 'Extracts fields',
    members: { cognitoGroups: ['labelers-en'] },
    notificationTopicArn: null,
    workerAccess: { sourceIp: 'Enabled', vpcSourceIp: 'Disabled' },
    subDomain: null,
    createdAt: null,
    updatedAt: null,
    tags: { classification: 'internal' },
    managed: true,
    owner: 'owner-0001',
    version: 2,
    status: 'Pending',
    differences: [],
  };

  it('maps a concrete path and a path template to the same operation', () => {
    expect(findOperation('DELETE', '/teams/t-1/members/labelers-en')?.operationId).toBe('removeTeamMember');
    expect(findOperation('DELETE', '/teams/{name}/members/{group}')?.operationId).toBe('removeTeamMember');
    expect(findOperation('GET', '/audit/runs/20261128T184055123Z-1a2b3c4d')?.operationId).toBe('getAuditRun');
  });

  it('accepts an answer the document describes', () => {
    expect(validateResponse('PATCH', '/teams/invoice-extractors', 202, managedTeam, { ...json, etag: '"v2"' })).toEqual(
      { operationId: 'updateTeam', status: 202 },
    );
  });

  it('refuses a status the operation does not document', () => {
    expect(() =>
      validateResponse('GET', '/teams', 412, { error: { code: 'PreconditionFailed', message: 'x' } }, json),
    ).toThrow(/GET \/teams \(listTeams\) answered 412, a status the document does not list/);
  });

  it('refuses a field the view does not have', () => {
    expect(() =>
      validateResponse(
        'PATCH',
        '/teams/invoice-extractors',
        200,
        { ...managedTeam, extra: 1 },
        { ...json, etag: '"v2"' },
      ),
    ).toThrow(/does not match the document/);
  });

  it('refuses a team answer without its ETag', () => {
    expect(() => validateResponse('PATCH', '/teams/invoice-extractors', 200, managedTeam, json)).toThrow(
      /without the header ETag/,
    );
  });

  it('refuses an error code the status does not carry', () => {
    const body = { error: { code: 'TeamExists', message: 'x', details: { teamName: 'x' } } };
    expect(() => validateResponse('PATCH', '/teams/invoice-extractors', 409, body, json)).toThrow(/does not match/);
  });

  it('refuses a body where the document says there is none', () => {
    expect(() => validateResponse('DELETE', '/teams/invoice-extractors', 204, {}, {})).toThrow(/says it has none/);
  });

  it('refuses a 503 without Retry-After', () => {
    const body = { error: { code: 'UpstreamUnavailable', message: 'x', details: { operation: 'the request' } } };
    expect(() => validateResponse('GET', '/workforces', 503, body, json)).toThrow(/Retry-After/);
  });

  it('accepts GET /targets with an unreachable target, and refuses one without its status', () => {
    // Prepare
    const targets = [
      {
        account: '000000000000',
        region: 'us-east-1',
        hub: true,
        workforce: { name: 'w', kind: 'cognito' },
        status: 'ok',
      },
      { account: '222222222222', region: 'eu-west-1', hub: false, workforce: null, status: 'unreachable', reason: 'x' },
    ];

    // Act and assess
    expect(validateResponse('GET', '/targets', 200, { targets }, json)).toEqual({
      operationId: 'listTargets',
      status: 200,
    });
    const { status: _status, ...withoutStatus } = targets[0] as Record<string, unknown>;
    expect(() => validateResponse('GET', '/targets', 200, { targets: [withoutStatus] }, json)).toThrow(
      /does not match/,
    );
  });

  it("accepts a target's errors on a team route, with their details", () => {
    // Prepare
    const notFound = {
      error: { code: 'TargetNotFound', message: 'x', details: { account: '1', region: 'r', field: 'region' } },
    };
    const unreachable = {
      error: { code: 'TargetUnreachable', message: 'x', details: { account: '1', region: 'r', reason: 'denied' } },
    };

    // Act and assess
    expect(validateResponse('DELETE', '/teams/t-1/members/g', 404, notFound, json).status).toBe(404);
    expect(validateResponse('PATCH', '/teams/t-1', 409, unreachable, json).status).toBe(409);
    expect(validateResponse('GET', '/teams', 409, unreachable, json).status).toBe(409);
    expect(() =>
      validateResponse('GET', '/teams', 404, { error: { ...notFound.error, details: { account: '1' } } }, json),
    ).toThrow(/does not match/);
  });

  it('reads pointers as the document writes them', () => {
    expect(resolvePointer(pointerOf('paths', '/teams/{name}', 'get', 'operationId'))).toBe('getTeam');
  });
});
