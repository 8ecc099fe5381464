// The README examples run as written: every ```ts and ```js block of the
// main README's "Node.js" section and of bindings/node/README.md is compiled
// with tsc against the package's types (strict; JavaScript with checkJs),
// then run with node from the repository root. ```ts blocks are ES modules
// (top-level await); ```js blocks are CommonJS unless they use `import`.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import { repoRoot } from './support';

const pkgDir = path.resolve(__dirname, '..');

interface Example {
  where: string;
  lang: 'ts' | 'js';
  code: string;
}

function examples(file: string, section?: string): Example[] {
  let text = fs.readFileSync(file, 'utf8');
  if (section) {
    const start = text.indexOf(`\n## ${section}\n`);
    assert.ok(start >= 0, `${file} has no "## ${section}" section`);
    text = text.slice(start + 1);
    const end = text.indexOf('\n## ', 1);
    if (end >= 0) text = text.slice(0, end);
  }
  const found: Example[] = [];
  for (const match of text.matchAll(/^```(ts|js)\n([\s\S]*?)^```$/gm)) {
    const where = [path.relative(repoRoot, file), section, `block ${found.length + 1}`].filter(Boolean).join(' ');
    found.push({ where, lang: match[1] as 'ts' | 'js', code: match[2] });
  }
  return found;
}

const mainReadme = examples(path.join(repoRoot, 'README.md'), 'Node.js');
const packageReadme = examples(path.join(pkgDir, 'README.md'));
const all = [...mainReadme, ...packageReadme];

// Inside the package folder, so that `from 'etvision'` resolves to this
// package (self-reference through package.json "exports"), as in a consumer.
const work = path.join(pkgDir, 'test-dist', 'readme');

/** The compiled (or, for ```js, copied) file's extension: ES module or CommonJS. */
const jsExtension = (e: Example) => (e.lang === 'ts' || /^import /m.test(e.code) ? 'mjs' : 'cjs');

// What each example must print (the examples' own comments say so).
const expected: { [where: string]: RegExp[] } = {
  'README.md Node.js block 1': [
    /^Egyptian cat 0\.\d{3} of 1000 labels$/m,
    /^262144 pixels, \d+ of them a person$/m,
    /^true 102 ModuleNotLoaded$/m,
  ],
  'README.md Node.js block 2': [/^espresso 0\.\d{3}, /m, /^(AVX|SSE|baseline|not x86).*, 1 inference thread$/m],
  'bindings/node/README.md block 1': [/^0\.\d+$/m],
};

test('the READMEs have their TypeScript and JavaScript examples', () => {
  assert.deepEqual(
    all.map((e) => `${e.where} (${e.lang})`),
    ['README.md Node.js block 1 (ts)', 'README.md Node.js block 2 (js)', 'bindings/node/README.md block 1 (ts)'],
  );
  assert.deepEqual(Object.keys(expected), all.map((e) => e.where));
});

test('the README examples compile against the package types', () => {
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(path.join(work, 'src'), { recursive: true });
  const files = all.map((example, i) => {
    const name = `example_${i + 1}.${example.lang === 'ts' ? 'mts' : jsExtension(example)}`;
    fs.writeFileSync(path.join(work, 'src', name), example.code);
    return name;
  });
  fs.writeFileSync(
    path.join(work, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        target: 'es2022',
        module: 'node16',
        moduleResolution: 'node16',
        lib: ['es2022'],
        types: ['node'],
        typeRoots: [path.join(pkgDir, 'node_modules', '@types')],
        allowJs: true,
        checkJs: true,
        rootDir: 'src',
        outDir: 'out',
      },
      files: files.map((f) => `src/${f}`),
    }),
  );
  const tsc = require.resolve('typescript/bin/tsc', { paths: [pkgDir] });
  try {
    execFileSync(process.execPath, [tsc, '-p', work], { encoding: 'utf8' });
  } catch (error) {
    const { stdout } = error as { stdout: string };
    assert.fail(`tsc rejects a README example:\n${stdout}\n(${files.map((f, i) => `${f} = ${all[i].where}`).join(', ')})`);
  }
});

for (const [i, example] of all.entries()) {
  test(`${example.where} runs from the repository root`, () => {
    const script = path.join(work, 'out', `example_${i + 1}.${jsExtension(example)}`);
    assert.ok(fs.existsSync(script), `${script} was not compiled`);
    const out = execFileSync(process.execPath, [script], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
    for (const pattern of expected[example.where] ?? [/./]) assert.match(out, pattern, out);
  });
}
