/**
 * bench/RESULTS.md in parts: prose wrapped as the file wraps it, and the sections a benchmark that runs alone
 * (`npm run bench:storm`, `npm run bench:resync`) writes between its markers, leaving the rest of the file as it
 * is. `npm run bench` runs those benchmarks in child processes of their own (each with its own local cloud, and
 * its own memory to measure) and puts what they print into the whole file.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

export const RESULTS = resolve(__dirname, 'RESULTS.md');

/** The heading the event-driven sections stand under. */
export const EVENT_DRIVEN_HEADING = "## The event-driven half under bursts and AWS's quotas";

/** What a child prints around its section on stdout, so that nothing else it prints gets in. */
const BEGIN = '<<<bench-section>>>';
const END = '<<</bench-section>>>';

/** Prose joined and wrapped at 115 columns, so that the file reads well as text too. */
export function paragraph(...parts: string[]): string[] {
  const lines: string[] = [];
  for (const word of parts.join(' ').split(' ')) {
    const last = lines.at(-1);
    if (last !== undefined && last.length + 1 + word.length <= 115) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines;
}

const markers = (id: string) => [`<!-- bench:${id} -->`, `<!-- /bench:${id} -->`] as const;

/** The section between its markers. */
export function marked(id: string, lines: string[]): string[] {
  const [open, close] = markers(id);
  return [open, ...lines, close];
}

/**
 * Writes one section into RESULTS.md: between its markers where they are, else at the end under the event-driven
 * heading (added when missing). Everything else in the file stays as it is.
 */
export function writeSection(id: string, lines: string[]): void {
  const [open, close] = markers(id);
  const text = existsSync(RESULTS) ? readFileSync(RESULTS, 'utf8') : '# Benchmark results\n';
  const block = marked(id, lines).join('\n');
  const start = text.indexOf(open);
  const end = text.indexOf(close);
  let next: string;
  if (start >= 0 && end > start) next = `${text.slice(0, start)}${block}${text.slice(end + close.length)}`;
  else {
    const base = text.trimEnd();
    next = `${base}\n\n${base.includes(EVENT_DRIVEN_HEADING) ? '' : `${EVENT_DRIVEN_HEADING}\n\n`}${block}\n`;
  }
  writeFileSync(RESULTS, next.endsWith('\n') ? next : `${next}\n`);
}

/** A benchmark's section as its main prints it, or writes it when run alone. */
export function emitSection(id: string, lines: string[]): void {
  if (process.argv.includes('--print')) process.stdout.write(`${BEGIN}\n${lines.join('\n')}\n${END}\n`);
  else writeSection(id, lines);
}

/** Runs a benchmark file in a child process (its own local cloud and memory) and returns the section it prints. */
export function sectionFromChild(file: string, args: string[] = []): string[] {
  const result = spawnSync(process.execPath, ['--import', 'tsx', resolve(__dirname, file), ...args, '--print'], {
    cwd: resolve(__dirname, '..'),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (result.status !== 0) throw new Error(`${file} failed (exit ${result.status ?? result.signal})`);
  const start = result.stdout.indexOf(BEGIN);
  const end = result.stdout.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${file} printed no section`);
  return result.stdout
    .slice(start + BEGIN.length, end)
    .trim()
    .split('\n');
}

/** The commit measured, and whether lib/ or functions/ had changes not committed yet (they are measured too). */
export function code(): string {
  const git = (...args: string[]) =>
    // Only the end trimmed: a porcelain line starts with its status, which may be a space (` M lib/x.ts`).
    execFileSync('git', args, { cwd: resolve(__dirname, '..'), encoding: 'utf8' }).trimEnd();
  try {
    const changed = git('status', '--porcelain', '--', 'lib', 'functions', 'policy', 'serverless.yml')
      .split('\n')
      .filter(Boolean)
      .map((line) => line.slice(3));
    return `commit ${git('rev-parse', '--short', 'HEAD')}${changed.length ? `, with uncommitted changes to ${changed.join(', ')}` : ''}`;
  } catch {
    return 'not a git checkout';
  }
}
