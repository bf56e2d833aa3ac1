import { redactEmailAddresses } from '../../domain/privacy';

/** An error as a report or a log line of the audit shows it: its name and message, addresses masked, cut short. */
export function errorText(error: unknown): string {
  const named = error as { name?: string; message?: string };
  return redactEmailAddresses(`${named.name ?? 'Error'}: ${named.message ?? String(error)}`).slice(0, 300);
}
