// `npm run test:install` (scripts/test_node.sh runs it after npm test):
// installs the package the two ways the README gives, each into a fresh npm
// project outside the checkout, and runs a consumer there that classifies
// data/photos/skimage_chelsea.png with the bundled MOBILENET_V2.
//  1. `npm install <checkout>/bindings/node` (npm links the folder and runs
//     its install script there, without devDependencies).
//  2. `npm pack` here, then `npm install <tarball>` (a copy under the
//     project's node_modules, built there; it finds the checkout's C++ build
//     and CMake through the etvision-source.json that `npm pack` recorded).
// Both use only the npm registry (or npm's cache: --prefer-offline) for the
// dependencies; ETVISION_BUILD_DIR is honoured as by npm install.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';

const pkgDir = path.resolve(__dirname, '..');
const checkout = path.resolve(pkgDir, '..', '..');
const chelsea = path.join(checkout, 'data', 'photos', 'skimage_chelsea.png');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'etvision-node-install-'));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

// The npm running this script (npm run sets npm_execpath), else npm on PATH.
const npm = (args: string[], cwd: string) => {
  const [cmd, pre] = process.env.npm_execpath
    ? [process.execPath, [process.env.npm_execpath]]
    : ['npm', []];
  const started = Date.now();
  const out = execFileSync(cmd, [...pre, ...args, '--no-audit', '--no-fund', '--prefer-offline'], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  console.log(`# npm ${args.join(' ')}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return out;
};

function newProject(name: string): string {
  const dir = path.join(scratch, name);
  fs.mkdirSync(dir);
  npm(['init', '-y'], dir);
  return dir;
}

// The README's consumer, as `node -e` from the project folder.
const consumer = `
const et = require('etvision');
(async () => {
  const classifier = new et.ClassificationModule();
  await classifier.load(et.MOBILENET_V2);
  const probabilities = await classifier.forward(process.argv[1]);
  const [label, p] = Object.entries(probabilities).sort((a, b) => b[1] - a[1])[0];
  console.log(require.resolve('etvision'));
  console.log(label + ' ' + p.toFixed(3));
  classifier.delete();
})().catch((e) => { console.error(e); process.exit(1); });
`;

function runConsumer(project: string): { resolved: string; top: string } {
  const out = execFileSync(process.execPath, ['-e', consumer, chelsea], { cwd: project, encoding: 'utf8' });
  const [resolved, top] = out.trim().split('\n');
  assert.match(top, /^Egyptian cat 0\.\d{3}$/, out);
  return { resolved: fs.realpathSync(resolved), top };
}

test('npm install <checkout>/bindings/node from another folder', () => {
  const project = newProject('from-folder');
  npm(['install', pkgDir], project);
  const { resolved } = runConsumer(project);
  // A folder dependency is a link to the checkout's package.
  assert.equal(resolved, path.join(pkgDir, 'dist', 'index.js'));
});

test('npm pack, then npm install <tarball> from another folder', () => {
  const packed = JSON.parse(npm(['pack', '--json', '--pack-destination', scratch], pkgDir)) as {
    filename: string;
    size: number;
    files: { path: string }[];
  }[];
  const tarball = path.join(scratch, packed[0].filename);
  const files = packed[0].files.map((f) => f.path);
  console.log(`# ${packed[0].filename}: ${files.length} files, ${(packed[0].size / 1024).toFixed(0)} KiB`);
  assert.ok(files.includes('etvision-source.json'), 'the tarball records its checkout');
  // No build output (npm always adds "main", dist/index.js, which the install
  // script compiles again with the rest of dist/).
  assert.ok(!files.some((f) => /^(build|test|\.etvision-prefix)|^dist\/(?!index\.js$)/.test(f)), files.join(' '));
  assert.ok(!fs.existsSync(path.join(pkgDir, 'etvision-source.json')), 'postpack removes the record');

  const project = newProject('from-tarball');
  npm(['install', tarball], project);
  const installed = path.join(project, 'node_modules', 'etvision');
  assert.ok(!fs.lstatSync(installed).isSymbolicLink());
  const { resolved } = runConsumer(project);
  assert.equal(resolved, path.join(installed, 'dist', 'index.js'));

  // Its types compile in a strict TypeScript project with no @types/node
  // (the TypeScript compiler came with the package).
  fs.writeFileSync(
    path.join(project, 'main.ts'),
    `import { ClassificationModule, ETError, MOBILENET_V2, type EtvisionError } from 'etvision';
declare const console: { log(...values: unknown[]): void };
async function main(image: string): Promise<void> {
  const classifier = new ClassificationModule();
  await classifier.load(MOBILENET_V2);
  const probabilities: { [label: string]: number } = await classifier.forward(image);
  classifier.delete();
  try {
    await classifier.forward(image);
  } catch (e) {
    const error = e as EtvisionError;
    console.log(Object.keys(probabilities).length, error.code === ETError.ModuleNotLoaded, error.codeName);
  }
}
main(${JSON.stringify(chelsea)});
`,
  );
  fs.writeFileSync(
    path.join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { strict: true, module: 'node16', target: 'es2022', lib: ['es2022'], types: [], outDir: 'out' },
      files: ['main.ts'],
    }),
  );
  execFileSync(process.execPath, [path.join(project, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project], {
    stdio: 'inherit',
  });
  const out = execFileSync(process.execPath, [path.join(project, 'out', 'main.js')], { cwd: project, encoding: 'utf8' });
  assert.equal(out.trim(), '1000 true ModuleNotLoaded');
});
