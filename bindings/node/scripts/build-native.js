#!/usr/bin/env node
// Builds the package (`npm install` runs this, in this folder or wherever npm
// put the package):
//
// 1. Installs the C++ library into <package>/.etvision-prefix with
//    `cmake --install <build dir>`, unless ETVISION_PREFIX names an existing
//    install prefix. The build dir is $ETVISION_BUILD_DIR (relative to the
//    checkout), else <checkout>/build, made by scripts/demo.sh or
//    `scripts/build.sh build`.
// 2. Runs cmake-js against that prefix. Node-API headers come from the
//    node-api-headers npm package (package.json "binary.napi_versions"), so
//    nothing is downloaded from nodejs.org.
// 3. Compiles lib/*.ts to dist/ (JS + .d.ts) with the TypeScript compiler,
//    a regular dependency of the package.
//
// The checkout: the folder two levels up when the package sits in one
// (<checkout>/bindings/node: `npm install` here, or `npm install
// <checkout>/bindings/node` elsewhere, which links this folder), else the
// one `npm pack` recorded in etvision-source.json (an installed tarball).
// CMake (>= 3.28): $ETVISION_CMAKE, else <checkout>/.venv/bin/cmake (made by
// scripts/setup.sh), else `cmake` on PATH.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const pkgDir = path.resolve(__dirname, '..');
const tag = '[etvision]';

function fail(message) {
  console.error(`${tag} ${message}`);
  process.exit(1);
}

function run(cmd, args) {
  console.log(`${tag} ${cmd} ${args.join(' ')}`);
  execFileSync(cmd, args, { stdio: 'inherit', cwd: pkgDir });
}

const isCheckout = (dir) =>
  fs.existsSync(path.join(dir, 'include', 'etvision', 'etvision.h')) &&
  fs.existsSync(path.join(dir, 'bindings', 'node', 'package.json'));

/** The etvision checkout this package was built from, or null. */
function findCheckout() {
  const around = path.resolve(pkgDir, '..', '..');
  if (isCheckout(around)) return around;
  const recordFile = path.join(pkgDir, 'etvision-source.json');
  if (!fs.existsSync(recordFile)) return null;
  const recorded = JSON.parse(fs.readFileSync(recordFile, 'utf8')).checkout;
  if (typeof recorded === 'string' && isCheckout(recorded)) return recorded;
  if (process.env.ETVISION_PREFIX) return null;
  fail(
    `this package was packed from the etvision checkout ${recorded}, which is not on this ` +
      'machine (no include/etvision/etvision.h there). Set ETVISION_PREFIX to an installed ' +
      'etvision (cmake --install <build dir> --prefix <dir>) and ETVISION_CMAKE to a CMake >= 3.28.',
  );
}

const checkout = findCheckout();

function chooseCmake() {
  if (process.env.ETVISION_CMAKE) return process.env.ETVISION_CMAKE;
  const venvCmake = checkout && path.join(checkout, '.venv', 'bin', 'cmake');
  if (venvCmake && fs.existsSync(venvCmake)) return venvCmake;
  return 'cmake';
}
const cmake = chooseCmake();

function checkCmakeVersion() {
  let text;
  try {
    text = execFileSync(cmake, ['--version'], { encoding: 'utf8' });
  } catch (error) {
    fail(
      `cannot run CMake '${cmake}' (${error.code || error.message}). Run scripts/setup.sh in the ` +
        'etvision checkout (it puts CMake >= 3.28 into .venv), or set ETVISION_CMAKE.',
    );
  }
  const match = /version (\d+)\.(\d+)/.exec(text);
  if (!match || Number(match[1]) < 3 || (Number(match[1]) === 3 && Number(match[2]) < 28)) {
    fail(
      `CMake '${cmake}' is ${match ? `${match[1]}.${match[2]}` : 'of unknown version'}; the ` +
        "ExecuTorch package needs >= 3.28. Run scripts/setup.sh in the etvision checkout (it " +
        'puts one into .venv), or set ETVISION_CMAKE.',
    );
  }
}
checkCmakeVersion();

let prefix = process.env.ETVISION_PREFIX;
if (prefix) {
  prefix = path.resolve(prefix);
  if (!fs.existsSync(path.join(prefix, 'lib', 'cmake', 'etvision'))) {
    fail(`ETVISION_PREFIX=${prefix} holds no installed etvision (no lib/cmake/etvision)`);
  }
} else {
  if (!checkout) {
    fail(
      'no etvision checkout found around this package and no ETVISION_PREFIX: install the ' +
        'package from a checkout (npm install <checkout>/bindings/node), or set ETVISION_PREFIX ' +
        'to an installed etvision.',
    );
  }
  const buildDir = path.resolve(checkout, process.env.ETVISION_BUILD_DIR || 'build');
  if (!fs.existsSync(path.join(buildDir, 'libetvision.so'))) {
    fail(
      `${buildDir}/libetvision.so not found: build the C++ library first (scripts/demo.sh, or ` +
        'scripts/setup.sh && scripts/build.sh build, in the checkout), or set ' +
        'ETVISION_BUILD_DIR / ETVISION_PREFIX.',
    );
  }
  prefix = path.join(pkgDir, '.etvision-prefix');
  run(cmake, ['--install', buildDir, '--prefix', prefix]);
}

// `npm install <checkout>/bindings/node` links this folder and runs this
// script here without installing the package's own dependencies (npm leaves
// a linked folder's node_modules to the folder). On a fresh checkout the
// build tools (cmake-js, node-addon-api, node-api-headers, typescript) are
// then missing: install them here from the lockfile, as `npm ci` would.
function ensureBuildDependencies() {
  const needed = ['cmake-js', 'node-addon-api', 'node-api-headers', 'typescript'];
  const missing = needed.filter((name) => {
    try {
      require.resolve(`${name}/package.json`, { paths: [pkgDir] });
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length === 0) return;
  console.log(
    `${tag} ${missing.join(', ')} missing in ${pkgDir}/node_modules (npm does not install a ` +
      "linked folder's dependencies): installing them there with npm ci",
  );
  const npm = process.env.npm_execpath;
  const [cmd, pre] = npm && /\.c?js$/.test(npm) ? [process.execPath, [npm]] : ['npm', []];
  // Not the consumer's project settings: this folder's own install.
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^npm_(config_(global|prefix|local_prefix|save|omit|include)|package_)/i.test(key)) delete env[key];
  }
  try {
    execFileSync(cmd, [...pre, 'ci', '--ignore-scripts', '--no-audit', '--no-fund'], {
      stdio: 'inherit',
      cwd: pkgDir,
      env,
    });
  } catch {
    fail(`npm ci in ${pkgDir} failed (see above): the package's build tools come from the npm registry`);
  }
}
ensureBuildDependencies();

const cmakeJs = require.resolve('cmake-js/bin/cmake-js', { paths: [pkgDir] });
const generator = fs.existsSync('/usr/bin/ninja') ? ['-G', 'Ninja'] : [];
run(process.execPath, [
  cmakeJs, 'compile', '-d', pkgDir, '-O', path.join(pkgDir, 'build'), '-c', cmake,
  ...generator, '--config', 'Release', `--CDCMAKE_PREFIX_PATH=${prefix}`,
]);

run(process.execPath, [
  require.resolve('typescript/bin/tsc', { paths: [pkgDir] }), '-p', path.join(pkgDir, 'tsconfig.json'),
]);
