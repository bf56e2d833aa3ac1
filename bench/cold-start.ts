/**
 * Cold start of every function, side by side with a bare handler that only builds a SageMakerClient: each bundled
 * as serverless-esbuild bundles it (the options of serverless.yml's `custom.esbuild`, read with `serverless print`),
 * the bare handler also with the project's original options (the fixed yardstick), then each bundle required in a
 * fresh Node process with the function's environment (NODE_OPTIONS included) many times, interleaved, so that the
 * machine's drift hits all alike. Module-load time is measured inside the process (require only, not Node's boot).
 *
 * With a baseline (a git ref: `BENCH_BASELINE=<ref>`, or the second argument), every function is also bundled from
 * that commit (a temporary git worktree) and its loads interleaved with the current ones in the same run, so that
 * a change's effect on each bundle's size and module load is measured, not remembered.
 *
 * `npm run bench` runs it with the rest; alone:
 *
 *   npx tsx bench/cold-start.ts [runs, default 15] [baseline ref]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BuildOptions, build } from 'esbuild';

const root = resolve(__dirname, '..');
/** Loads of each bundle, each in a fresh process. */
export const COLD_START_RUNS = 15;

/**
 * What serverless.yml bundled with, and how Lambda ran it (NODE_OPTIONS), before this benchmark existed: the
 * yardstick the goal is set against.
 */
const ORIGINAL_NODE_OPTIONS = '--enable-source-maps';
const ORIGINAL_OPTIONS: BuildOptions = {
  bundle: true,
  minify: false,
  sourcemap: 'linked',
  target: 'node20',
  platform: 'node',
  format: 'cjs',
};

/** Variables `serverless print` needs to resolve the configuration offline. */
const PRINT_ENV = {
  JWT_ISSUER: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Bench',
  JWT_AUDIENCE: 'bench-client',
  USER_POOL_ID: 'us-east-1_Bench01',
  OPERATIONS_TOPIC_ARN: 'arn:aws:sns:us-east-1:000000000000:workteam-automation-operations-local',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  SLS_TELEMETRY_DISABLED: '1',
};

interface PrintedConfig {
  provider: { environment?: Record<string, unknown> };
  custom: { esbuild: Record<string, unknown> };
  functions: Record<string, { handler: string; environment?: Record<string, unknown> }>;
}

function printedConfig(): PrintedConfig {
  const output = execFileSync(
    process.execPath,
    [join(root, 'node_modules/osls/bin/serverless.js'), 'print', '--stage', 'local', '--format', 'json'],
    { cwd: root, env: { ...process.env, ...PRINT_ENV }, maxBuffer: 16 * 1024 * 1024 },
  ).toString();
  return JSON.parse(output.slice(output.indexOf('{'))) as PrintedConfig;
}

/** serverless-esbuild's options from `custom.esbuild`, minus its own keys (packaging, watching); `plugins` names a file of plugins. */
function projectOptions(esbuild: Record<string, unknown>): BuildOptions {
  const { packager: _p, exclude: _e, outputWorkFolder: _w, watch: _watch, external, plugins, ...options } = esbuild;
  return {
    ...options,
    ...(Array.isArray(external) ? { external: external as string[] } : {}),
    ...(typeof plugins === 'string' ? { plugins: require(join(root, plugins)) } : {}),
  } as BuildOptions;
}

function stringEnv(values: Record<string, unknown> | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(values ?? {})) if (typeof value === 'string') env[key] = value;
  return env;
}

interface Bundle {
  name: string;
  file: string;
  bytes: number;
  env: Record<string, string>;
}

async function bundle(outDir: string, name: string, entry: string, options: BuildOptions, env: Record<string, string>) {
  const dir = join(outDir, name);
  mkdirSync(dir, { recursive: true });
  await build({ ...options, entryPoints: [entry], outfile: join(dir, 'index.js'), logLevel: 'error' });
  return { name, file: join(dir, 'index.js'), bytes: statSync(join(dir, 'index.js')).size, env };
}

/** Milliseconds to require the bundle in a fresh process with its environment. */
function loadTime(target: Bundle): number {
  const script = `const t=process.hrtime.bigint();require(${JSON.stringify(target.file)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
  const { NODE_OPTIONS, ...env } = target.env;
  const result = spawnSync(process.execPath, [...(NODE_OPTIONS ? NODE_OPTIONS.split(' ') : []), '-e', script], {
    env: { PATH: process.env.PATH, ...PRINT_ENV, AWS_REGION: 'us-east-1', ...env },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`loading ${target.name} failed: ${result.stderr}`);
  return Number(result.stdout);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

export interface ColdStartRow {
  name: string;
  kilobytes: number;
  min: number;
  median: number;
  max: number;
  ratio: number;
  /** The same function bundled from the baseline commit, when one was given. */
  baseline?: { kilobytes: number; median: number };
}

/** The baseline commit checked out beside this tree (its own worktree, this tree's node_modules). */
function checkOutBaseline(ref: string, outDir: string): string {
  const dir = join(outDir, 'baseline');
  execFileSync('git', ['worktree', 'add', '--detach', dir, ref], { cwd: root, stdio: 'ignore' });
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

export async function measureColdStarts(
  runs = COLD_START_RUNS,
  baselineRef = process.env.BENCH_BASELINE,
): Promise<{ bare: ColdStartRow; functions: ColdStartRow[]; baselineRef?: string }> {
  const config = printedConfig();
  const options = projectOptions(config.custom.esbuild);
  const providerEnv = stringEnv(config.provider.environment);
  const outDir = mkdtempSync(join(tmpdir(), 'workteam-cold-start-'));
  const baselineRoot = baselineRef ? checkOutBaseline(baselineRef, outDir) : undefined;
  try {
    const bareEntry = join(outDir, 'bare-handler.ts');
    writeFileSync(
      bareEntry,
      "import { SageMakerClient } from '@aws-sdk/client-sagemaker';\nconst client = new SageMakerClient({});\nexport const handler = async () => client.config.serviceId;\n",
    );
    const bundles: Bundle[] = [
      await bundle(
        outDir,
        '(bare SageMakerClient handler)',
        bareEntry,
        { ...ORIGINAL_OPTIONS, nodePaths: [join(root, 'node_modules')] },
        { NODE_OPTIONS: ORIGINAL_NODE_OPTIONS },
      ),
    ];
    for (const [name, fn] of Object.entries(config.functions)) {
      const entry = join(root, `${fn.handler.replace(/\.[^.]+$/, '')}.ts`);
      bundles.push(await bundle(outDir, name, entry, options, { ...providerEnv, ...stringEnv(fn.environment) }));
      const baselineEntry = baselineRoot && join(baselineRoot, `${fn.handler.replace(/\.[^.]+$/, '')}.ts`);
      if (baselineEntry && existsSync(baselineEntry)) {
        const env = { ...providerEnv, ...stringEnv(fn.environment) };
        bundles.push(await bundle(join(outDir, 'baseline-bundles'), `${name} (baseline)`, baselineEntry, options, env));
      }
    }
    const times = new Map<string, number[]>(bundles.map((target) => [target.name, []]));
    for (let run = 0; run < runs; run++) {
      for (const target of bundles) times.get(target.name)?.push(loadTime(target));
    }
    const rows = bundles.map((target): ColdStartRow => {
      const values = times.get(target.name) ?? [];
      return {
        name: target.name,
        kilobytes: Math.round(target.bytes / 1024),
        min: Math.min(...values),
        median: median(values),
        max: Math.max(...values),
        ratio: 0,
      };
    });
    const baselines = new Map(rows.filter((row) => row.name.endsWith(' (baseline)')).map((row) => [row.name, row]));
    const [bare, ...functions] = rows.filter((row) => !baselines.has(row.name)) as [ColdStartRow, ...ColdStartRow[]];
    for (const row of [bare, ...functions]) {
      row.ratio = row.median / bare.median;
      const baseline = baselines.get(`${row.name} (baseline)`);
      if (baseline) row.baseline = { kilobytes: baseline.kilobytes, median: baseline.median };
    }
    return { bare, functions, ...(baselineRef ? { baselineRef } : {}) };
  } finally {
    if (baselineRoot)
      execFileSync('git', ['worktree', 'remove', '--force', baselineRoot], { cwd: root, stdio: 'ignore' });
    rmSync(outDir, { recursive: true, force: true });
  }
}

/** The table of bundle sizes and module loads, in Markdown. */
export function coldStartTable(
  { bare, functions, baselineRef }: { bare: ColdStartRow; functions: ColdStartRow[]; baselineRef?: string },
  runs: number,
) {
  const versus = (row: ColdStartRow) => {
    if (!baselineRef) return '';
    if (!row.baseline) return ' — | — |';
    const kb = row.kilobytes - row.baseline.kilobytes;
    return ` ${row.baseline.kilobytes} (${kb >= 0 ? '+' : ''}${kb}) | ${row.baseline.median.toFixed(1)} (×${(row.median / row.baseline.median).toFixed(2)}) |`;
  };
  const line = (row: ColdStartRow) =>
    `| ${row.name} | ${row.kilobytes} | ${row.min.toFixed(1)} / ${row.median.toFixed(1)} / ${row.max.toFixed(1)} | ${row.ratio.toFixed(2)} |${versus(row)}`;
  return [
    `| function | bundle KB | module load ms (min / median / max of ${runs}) | ratio to bare |${
      baselineRef ? ` baseline ${baselineRef} KB (Δ) | baseline median ms (now ÷ baseline) |` : ''
    }`,
    `| --- | ---: | ---: | ---: |${baselineRef ? ' ---: | ---: |' : ''}`,
    line(bare),
    ...functions.map(line),
  ];
}

if (require.main === module) {
  const runs = Number(process.argv[2] ?? COLD_START_RUNS);
  measureColdStarts(runs, process.argv[3] ?? process.env.BENCH_BASELINE).then(
    (measured) => process.stdout.write(`${coldStartTable(measured, runs).join('\n')}\n`),
    (error: Error) => {
      process.stderr.write(`bench/cold-start failed: ${error.stack ?? error.message}\n`);
      process.exit(1);
    },
  );
}
