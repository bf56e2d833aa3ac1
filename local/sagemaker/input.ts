import { ApiError, serializationError } from './errors';

/** A decoded JSON object (request body or a nested structure of it). */
export type Json = Record<string, unknown>;

export function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Length as the service counts it: in Unicode code points. */
export function lengthOf(value: string): number {
  return [...value].length;
}

function show(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (typeof value === 'string') return `'${value}'`;
  if (Array.isArray(value))
    return `'[${value.map((item) => (typeof item === 'string' ? item : JSON.stringify(item))).join(', ')}]'`;
  if (typeof value === 'number' || typeof value === 'boolean') return `'${value}'`;
  return `'${JSON.stringify(value)}'`;
}

/**
 * Collects constraint violations the way the service reports them:
 * `2 validation errors detected: Value 'x' at 'workteamName' failed to satisfy constraint: ...; ...`.
 */
export class Violations {
  private readonly items: string[] = [];

  add(value: unknown, path: string, constraint: string): void {
    this.items.push(`Value ${show(value)} at '${path}' failed to satisfy constraint: ${constraint}`);
  }

  get count(): number {
    return this.items.length;
  }

  throwIfAny(): void {
    const n = this.items.length;
    if (n === 0) return;
    throw new ApiError(
      'ValidationException',
      `${n} validation error${n > 1 ? 's' : ''} detected: ${this.items.join('; ')}`,
    );
  }
}

export interface StringRule {
  required?: boolean;
  min?: number;
  max?: number;
  pattern?: RegExp;
  enum?: readonly string[];
}

export interface ListRule {
  required?: boolean;
  min?: number;
  max?: number;
}

export interface IntegerRule {
  min?: number;
  max?: number;
}

function memberName(key: string): string {
  return key.charAt(0).toLowerCase() + key.slice(1);
}

function patternText(pattern: RegExp): string {
  return pattern.source.replace(/^\^/, '').replace(/\$$/, '');
}

/** Checks a string value against its constraints, recording violations. */
export function checkString(value: string, path: string, rule: StringRule, violations: Violations): void {
  const length = lengthOf(value);
  if (rule.min !== undefined && length < rule.min) {
    violations.add(value, path, `Member must have length greater than or equal to ${rule.min}`);
  }
  if (rule.max !== undefined && length > rule.max) {
    violations.add(value, path, `Member must have length less than or equal to ${rule.max}`);
  }
  if (rule.pattern !== undefined && length > 0 && !rule.pattern.test(value)) {
    violations.add(value, path, `Member must satisfy regular expression pattern: ${patternText(rule.pattern)}`);
  }
  if (rule.enum !== undefined && !rule.enum.includes(value)) {
    violations.add(value, path, `Member must satisfy enum value set: [${rule.enum.join(', ')}]`);
  }
}

/**
 * A typed view over one JSON object of a request. Reading a member of the wrong JSON type is a
 * SerializationException (as on the real service); constraint failures are collected in `violations`.
 * JSON `null` reads as absent.
 */
export class Reader {
  constructor(
    readonly raw: Json,
    readonly path: string,
    readonly violations: Violations,
  ) {}

  static root(body: Json): Reader {
    return new Reader(body, '', new Violations());
  }

  pathOf(key: string): string {
    return this.path === '' ? memberName(key) : `${this.path}.${memberName(key)}`;
  }

  has(key: string): boolean {
    const value = this.raw[key];
    return value !== undefined && value !== null;
  }

  private missing(key: string, required: boolean | undefined): undefined {
    if (required) this.violations.add(null, this.pathOf(key), 'Member must not be null');
    return undefined;
  }

  string(key: string, rule: StringRule = {}): string | undefined {
    const value = this.raw[key];
    if (value === undefined || value === null) return this.missing(key, rule.required);
    if (typeof value !== 'string') throw serializationError(`Expected a string at '${this.pathOf(key)}'`);
    checkString(value, this.pathOf(key), rule, this.violations);
    return value;
  }

  integer(key: string, rule: IntegerRule = {}): number | undefined {
    const value = this.raw[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      throw serializationError(`Expected an integer at '${this.pathOf(key)}'`);
    }
    if (rule.min !== undefined && value < rule.min) {
      this.violations.add(value, this.pathOf(key), `Member must have value greater than or equal to ${rule.min}`);
    }
    if (rule.max !== undefined && value > rule.max) {
      this.violations.add(value, this.pathOf(key), `Member must have value less than or equal to ${rule.max}`);
    }
    return value;
  }

  object(key: string, required = false): Reader | undefined {
    const value = this.raw[key];
    if (value === undefined || value === null) return this.missing(key, required);
    if (!isRecord(value)) throw serializationError(`Expected a structure at '${this.pathOf(key)}'`);
    return new Reader(value, this.pathOf(key), this.violations);
  }

  /** A string-to-string map. */
  map(key: string): Record<string, string> | undefined {
    const value = this.raw[key];
    if (value === undefined || value === null) return undefined;
    if (!isRecord(value)) throw serializationError(`Expected a map at '${this.pathOf(key)}'`);
    const out: Record<string, string> = {};
    for (const [entryKey, entryValue] of Object.entries(value)) {
      if (typeof entryValue !== 'string') {
        throw serializationError(`Expected a string at '${this.pathOf(key)}.${entryKey}'`);
      }
      out[entryKey] = entryValue;
    }
    return out;
  }

  private list(key: string, rule: ListRule): unknown[] | undefined {
    const value = this.raw[key];
    if (value === undefined || value === null) return this.missing(key, rule.required);
    if (!Array.isArray(value)) throw serializationError(`Expected a list at '${this.pathOf(key)}'`);
    if (rule.min !== undefined && value.length < rule.min) {
      this.violations.add(value, this.pathOf(key), `Member must have length greater than or equal to ${rule.min}`);
    }
    if (rule.max !== undefined && value.length > rule.max) {
      this.violations.add(value, this.pathOf(key), `Member must have length less than or equal to ${rule.max}`);
    }
    return value;
  }

  stringList(key: string, rule: ListRule, itemRule: StringRule): string[] | undefined {
    const items = this.list(key, rule);
    if (items === undefined) return undefined;
    return items.map((item, index) => {
      const itemPath = `${this.pathOf(key)}.${index + 1}.member`;
      if (typeof item !== 'string') throw serializationError(`Expected a string at '${itemPath}'`);
      checkString(item, itemPath, itemRule, this.violations);
      return item;
    });
  }

  objectList(key: string, rule: ListRule): Reader[] | undefined {
    const items = this.list(key, rule);
    if (items === undefined) return undefined;
    return items.map((item, index) => {
      const itemPath = `${this.pathOf(key)}.${index + 1}.member`;
      if (!isRecord(item)) throw serializationError(`Expected a structure at '${itemPath}'`);
      return new Reader(item, itemPath, this.violations);
    });
  }
}
