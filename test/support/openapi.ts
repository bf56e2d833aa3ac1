/**
 * The API's OpenAPI document (openapi/openapi.yaml) as the tests use it: its operations by method and path, and
 * `validateResponse`, which checks an answer against what the document says the operation answers with that
 * status (body and headers), with ajv over the document's own JSON Schema 2020-12 schemas. An undocumented status
 * is a failure too. The document is read and the validators compiled once per test file.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

export const OPENAPI_FILE = resolve(__dirname, '../../openapi/openapi.yaml');

/** The document's base URI for ajv: every `#/components/...` reference in it resolves against it. */
const DOCUMENT_ID = 'https://workteam-automation.invalid/openapi.yaml';

/** OpenAPI's top-level fields: ajv is told they are no JSON Schema keywords it should refuse. */
const OPENAPI_ROOT_FIELDS = [
  'openapi',
  'info',
  'jsonSchemaDialect',
  'servers',
  'paths',
  'webhooks',
  'components',
  'security',
  'tags',
  'externalDocs',
];

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

export type JsonObject = Record<string, unknown>;

export interface DocumentedOperation {
  /** Upper case, as serverless.yml and API Gateway's routeKey write it. */
  method: string;
  /** The path template, e.g. `/teams/{name}`. */
  path: string;
  operationId: string;
  operation: JsonObject;
}

interface Located {
  value: unknown;
  /** The JSON pointer (a `#/...` fragment) of `value` in the document, after following `$ref`s. */
  pointer: string;
}

let loaded: { document: JsonObject; ajv: Ajv2020; validators: Map<string, ValidateFunction> } | undefined;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function state() {
  if (loaded) return loaded;
  const document: unknown = parse(readFileSync(OPENAPI_FILE, 'utf8'));
  if (!isObject(document)) throw new Error(`${OPENAPI_FILE} does not hold an object`);
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  addFormats(ajv);
  ajv.addVocabulary(OPENAPI_ROOT_FIELDS);
  ajv.addSchema({ ...document, $id: DOCUMENT_ID });
  loaded = { document, ajv, validators: new Map() };
  return loaded;
}

/** The document, parsed (the same object every call: do not change it). */
export function openApiDocument(): JsonObject {
  return state().document;
}

function escapePointerPart(part: string): string {
  return part.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function pointerOf(...parts: string[]): string {
  return `#/${parts.map(escapePointerPart).join('/')}`;
}

/** The value at a local reference (`#/components/schemas/Team`); undefined when there is none. */
export function resolvePointer(pointer: string): unknown {
  if (!pointer.startsWith('#/')) return undefined;
  let value: unknown = state().document;
  for (const raw of pointer.slice(2).split('/')) {
    const part = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isObject(value) && !Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[part];
    if (value === undefined) return undefined;
  }
  return value;
}

/** The value at `pointer`, with a Reference Object (`{ $ref }`) followed to what it names. */
function locate(pointer: string): Located | undefined {
  let current = pointer;
  for (let hops = 0; hops < 10; hops++) {
    const value = resolvePointer(current);
    if (value === undefined) return undefined;
    if (!isObject(value) || typeof value.$ref !== 'string') return { value, pointer: current };
    current = value.$ref;
  }
  throw new Error(`openapi: ${pointer} is a chain of more than 10 references`);
}

export function documentedOperations(): DocumentedOperation[] {
  const paths = state().document.paths;
  if (!isObject(paths)) return [];
  return Object.entries(paths).flatMap(([path, item]) =>
    isObject(item)
      ? HTTP_METHODS.flatMap((method) => {
          const operation = item[method];
          if (!isObject(operation)) return [];
          const operationId = typeof operation.operationId === 'string' ? operation.operationId : '';
          return [{ method: method.toUpperCase(), path, operationId, operation }];
        })
      : [],
  );
}

function templatePattern(template: string): RegExp {
  const source = template
    .split(/(\{[^}/]+\})/)
    .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`);
}

/**
 * The operation for a method and a path template (`/teams/{name}`, as a routeKey has it) or a concrete path
 * (`/teams/image-labelers`); where several templates match a concrete path, the one with fewest parameters.
 */
export function findOperation(method: string, pathOrTemplate: string): DocumentedOperation | undefined {
  const wanted = method.toUpperCase();
  const path = pathOrTemplate.split('?')[0] ?? pathOrTemplate;
  const candidates = documentedOperations().filter((operation) => operation.method === wanted);
  const exact = candidates.find((operation) => operation.path === path);
  if (exact) return exact;
  const parameters = (template: string) => (template.match(/\{/g) ?? []).length;
  return candidates
    .filter((operation) => templatePattern(operation.path).test(path))
    .sort((a, b) => parameters(a.path) - parameters(b.path))[0];
}

/**
 * The compiled validator of the schema at `pointer` (`#/components/schemas/Team`), with the ajv that checks the
 * answers: strict, so an unknown keyword or a misspelt one throws here instead of validating nothing.
 */
export function validatorAt(pointer: string): ValidateFunction {
  const { ajv, validators } = state();
  let validate = validators.get(pointer);
  if (!validate) {
    validate = ajv.compile({ $ref: `${DOCUMENT_ID}${pointer}` });
    validators.set(pointer, validate);
  }
  return validate;
}

function describeErrors(errors: ErrorObject[] | null | undefined): string {
  const lines = (errors ?? []).map((error) => {
    const where = error.instancePath === '' ? '(root)' : error.instancePath;
    return `  ${where} ${error.message ?? 'is invalid'} ${JSON.stringify(error.params)} [${error.schemaPath}]`;
  });
  const shown = lines.slice(0, 25);
  if (lines.length > shown.length) shown.push(`  … and ${lines.length - shown.length} more`);
  return shown.join('\n');
}

function excerpt(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) return '(none)';
  return text.length > 1500 ? `${text.slice(0, 1500)}…` : text;
}

/** What one validation was about, for the tally of what the tests exercised. */
export interface ValidatedResponse {
  operationId: string;
  status: number;
}

const tally = new Map<string, number>();

/** How many responses this test file validated, by `operationId status`. */
export function validationTally(): Record<string, number> {
  return Object.fromEntries(tally);
}

/**
 * Checks one answer against the document: the operation (method and path template or concrete path) must
 * document `status`; a documented body must be there and match its schema, and no body where none is
 * documented; required headers must be there, and every documented header that is there must match its schema;
 * `content-type` must be a documented media type. Throws an error naming the operation, the status and what
 * does not match; returns what was validated.
 */
export function validateResponse(
  method: string,
  pathTemplateOrRawPath: string,
  status: number,
  body: unknown,
  headers: Record<string, string | undefined> = {},
): ValidatedResponse {
  const operation = findOperation(method, pathTemplateOrRawPath);
  const route = `${method.toUpperCase()} ${pathTemplateOrRawPath}`;
  if (!operation) throw new Error(`openapi: ${route} is no operation of openapi/openapi.yaml`);
  const name = `${operation.method} ${operation.path} (${operation.operationId})`;
  const fail = (problem: string) => {
    throw new Error(`openapi: ${name} answered ${status}, ${problem}\nbody: ${excerpt(body)}`);
  };

  const response = locate(pointerOf('paths', operation.path, operation.method.toLowerCase(), 'responses', `${status}`));
  if (!response || !isObject(response.value)) {
    const documented = Object.keys(isObject(operation.operation.responses) ? operation.operation.responses : {});
    return fail(`a status the document does not list for it (it lists ${documented.join(', ')})`);
  }

  const lowerCaseHeaders = new Map(Object.entries(headers).map(([key, value]) => [key.toLowerCase(), value]));
  const documentedHeaders = isObject(response.value.headers) ? response.value.headers : {};
  for (const headerName of Object.keys(documentedHeaders)) {
    const header = locate(`${response.pointer}/headers/${escapePointerPart(headerName)}`);
    if (!header || !isObject(header.value)) return fail(`and the document's header ${headerName} does not resolve`);
    const value = lowerCaseHeaders.get(headerName.toLowerCase());
    if (value === undefined) {
      if (header.value.required === true) fail(`without the header ${headerName} the document requires`);
      continue;
    }
    const validate = validatorAt(`${header.pointer}/schema`);
    if (!validate(value)) {
      fail(
        `with a header ${headerName}: ${JSON.stringify(value)} that does not match:\n${describeErrors(validate.errors)}`,
      );
    }
  }

  const content = isObject(response.value.content) ? response.value.content : undefined;
  if (!content) {
    if (body !== undefined) fail('with a body where the document says it has none');
    return record(operation.operationId, status);
  }
  const mediaTypes = Object.keys(content);
  const contentType = (lowerCaseHeaders.get('content-type') ?? '').split(';')[0]?.trim();
  if (!contentType || !mediaTypes.includes(contentType)) {
    fail(`with content-type ${JSON.stringify(contentType)}, not one the document lists (${mediaTypes.join(', ')})`);
  }
  if (body === undefined) fail('without the body the document describes');
  const validate = validatorAt(`${response.pointer}/content/${escapePointerPart(contentType ?? '')}/schema`);
  if (!validate(body)) fail(`with a body that does not match the document:\n${describeErrors(validate.errors)}`);
  return record(operation.operationId, status);
}

function record(operationId: string, status: number): ValidatedResponse {
  const key = `${operationId} ${status}`;
  tally.set(key, (tally.get(key) ?? 0) + 1);
  return { operationId, status };
}

/** `validateResponse` for an API Gateway v2 `routeKey` (`GET /teams/{name}`), as the events/ files carry it. */
export function validateRouteResponse(
  routeKey: string,
  status: number,
  body: unknown,
  headers: Record<string, string | undefined> = {},
): ValidatedResponse {
  const [method, path, ...rest] = routeKey.split(' ');
  if (!method || !path || rest.length > 0) throw new Error(`openapi: ${JSON.stringify(routeKey)} is no routeKey`);
  return validateResponse(method, path, status, body, headers);
}
