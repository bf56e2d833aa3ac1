/**
 * The layers Biome enforces (biome.json's noRestrictedImports): a probe file placed in a layer, importing across it,
 * is refused by the linter, and one importing what the layer may use is not. The probes live for the length of one
 * lint and are always removed.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '../..');
const RESTRICTED = 'lint/style/noRestrictedImports';

const REFUSED: [string, string][] = [
  ['lib/use-cases', '../http/requests'],
  ['lib/use-cases', '../auth/caller'],
  ['lib/use-cases', '../adapters/registry'],
  ['lib/use-cases', '../composition/teams'],
  ['lib/use-cases', '../runtime/config'],
  ['lib/domain', '../runtime/concurrency'],
  ['lib/domain', '../use-cases/manage-teams'],
  ['lib/ports', '../http/errors'],
];
const ALLOWED: [string, string][] = [
  ['lib/use-cases', '../domain/actor'],
  ['lib/use-cases', '../runtime/concurrency'],
  ['lib/domain', './actor'],
];

/** The rules Biome breaks in each probe, by `folder from`, all linted at once. */
function lintProbes(probes: [string, string][]): Map<string, string[]> {
  const run = randomBytes(4).toString('hex');
  const files = probes.map(([folder], index) => join(folder, `layer-probe-${run}-${index}.ts`));
  probes.forEach(([, from], index) => {
    writeFileSync(
      join(root, files[index] as string),
      `import { probe } from '${from}';\n\nexport const used = probe;\n`,
    );
  });
  try {
    const lint = spawnSync(
      process.execPath,
      [
        join(root, 'node_modules/@biomejs/biome/bin/biome'),
        'lint',
        '--reporter=json',
        '--max-diagnostics=200',
        ...files,
      ],
      { cwd: root, encoding: 'utf8' },
    );
    const report = JSON.parse(lint.stdout.slice(lint.stdout.indexOf('{'))) as {
      diagnostics: { category: string; location: { path: string } }[];
    };
    return new Map(
      probes.map(([folder, from], index) => [
        `${folder} ${from}`,
        report.diagnostics
          .filter((diagnostic) => diagnostic.location.path === files[index])
          .map((diagnostic) => diagnostic.category),
      ]),
    );
  } finally {
    for (const file of files) rmSync(join(root, file), { force: true });
  }
}

describe('the layers', () => {
  let broken: Map<string, string[]>;
  beforeAll(() => {
    broken = lintProbes([...REFUSED, ...ALLOWED]);
  });

  it.each(REFUSED)('refuses an import from %s of %s', (folder, from) => {
    expect(broken.get(`${folder} ${from}`)).toContain(RESTRICTED);
  });

  it.each(ALLOWED)('lets %s import %s', (folder, from) => {
    expect(broken.get(`${folder} ${from}`)).toEqual(expect.not.arrayContaining([RESTRICTED]));
    expect(broken.has(`${folder} ${from}`)).toBe(true);
  });
});
