/**
 * `POST /audit`'s body: `{ "mode"?: "report" | "remediate", "dryRun"?: boolean, "team"?: "<name>" }`, every field
 * optional, an empty or absent body meaning "audit everything as the policy says". Every violation is listed;
 * no message echoes a submitted value.
 */
import { ValidationFailed } from '../errors';
import { checkWorkteamName, isRecord, keyPath, typeName, type Violation, violation } from '../validation';
import type { AuditMode } from './report';

export interface AuditRunRequest {
  mode?: AuditMode;
  dryRun?: boolean;
  team?: string;
}

const FIELDS = ['mode', 'dryRun', 'team'] as const;

export function parseAuditRunRequest(body: unknown): AuditRunRequest {
  if (body === undefined || body === null) return {};
  if (!isRecord(body)) {
    throw new ValidationFailed([
      violation('', 'Type', `The request body must be a JSON object, not ${typeName(body)}`),
    ]);
  }
  const violations: Violation[] = [];
  for (const key of Object.keys(body)) {
    if (!(FIELDS as readonly string[]).includes(key)) {
      violations.push(
        violation(keyPath('', key), 'Unknown', `This field is not known here; the fields are ${FIELDS.join(', ')}`),
      );
    }
  }
  const { mode, dryRun, team } = body;
  if (mode !== undefined && mode !== 'report' && mode !== 'remediate') {
    violations.push(violation('mode', 'Enum', "mode must be 'report' or 'remediate'"));
  }
  if (dryRun !== undefined && typeof dryRun !== 'boolean') {
    violations.push(violation('dryRun', 'Type', `dryRun must be a boolean, not ${typeName(dryRun)}`));
  }
  if (team !== undefined) violations.push(...checkWorkteamName(team, 'team'));
  if (violations.length > 0) throw new ValidationFailed(violations);
  return {
    ...(mode === undefined ? {} : { mode: mode as AuditMode }),
    ...(dryRun === undefined ? {} : { dryRun: dryRun as boolean }),
    ...(team === undefined ? {} : { team: team as string }),
  };
}
