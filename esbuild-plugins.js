/**
 * esbuild plugins of the functions' bundles (serverless.yml `custom.esbuild.plugins`; bench/cold-start.ts bundles
 * with them too).
 *
 * zod carries error messages in some forty languages (about 330 KB a bundle) and re-exports them all from its
 * main entry, so no bundler can drop them; the functions answer in English only. Its locales index is replaced
 * by one that exports English alone: `z.locales.en` stays, and zod's default (English) messages are unchanged.
 */
const { dirname, join } = require('node:path');

const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) => {
      if (!/[\\/]zod[\\/]v4[\\/](classic|core|mini)[\\/]/.test(args.importer)) return undefined;
      return { path: join(dirname(args.importer), '..', 'locales', 'en.js'), namespace: 'zod-english-only' };
    });
    build.onLoad({ filter: /.*/, namespace: 'zod-english-only' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};\n`,
      loader: 'js',
      resolveDir: dirname(args.path),
    }));
  },
};

module.exports = [zodEnglishOnly];
