#!/usr/bin/env node
// Builds the native addon (`npm install` runs this).
//
// 1. Installs the C++ library into bindings/node/.etvision-prefix with
//    `cmake --install <build dir>`, unless ETVISION_PREFIX names an existing
//    install prefix. The build dir is $ETVISION_BUILD_DIR, else <repo>/build
//    (made by `scripts/build.sh build`).
// 2. Runs cmake-js against that prefix. Node-API headers come from the
//    node-api-headers npm package (package.json "binary.napi_versions"), so
//    nothing is downloaded from nodejs.org.
// CMake: $ETVISION_CMAKE, else <repo>/.venv/bin/cmake (>= 3.28), else `cmake`.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const pkgDir = path.resolve(__dirname, '..');
const repoRoot = path.resolve(pkgDir, '..', '..');

function run(cmd, args) {
  console.log(`[etvision] ${cmd} ${args.join(' ')}`);
  execFileSync(cmd, args, { stdio: 'inherit', cwd: pkgDir });
}

const venvCmake = path.join(repoRoot, '.venv', 'bin', 'cmake');
const cmake = process.env.ETVISION_CMAKE || (fs.existsSync(venvCmake) ? venvCmake : 'cmake');

let prefix = process.env.ETVISION_PREFIX;
if (prefix) {
  prefix = path.resolve(prefix);
} else {
  const buildDir = path.resolve(repoRoot, process.env.ETVISION_BUILD_DIR || 'build');
  if (!fs.existsSync(path.join(buildDir, 'libetvision.so'))) {
    console.error(
      `[etvision] ${buildDir}/libetvision.so not found: build the C++ library first ` +
        `(scripts/setup.sh && scripts/build.sh build), or set ETVISION_BUILD_DIR / ETVISION_PREFIX.`);
    process.exit(1);
  }
  prefix = path.join(pkgDir, '.etvision-prefix');
  run(cmake, ['--install', buildDir, '--prefix', prefix]);
}

const cmakeJs = require.resolve('cmake-js/bin/cmake-js');
const generator = fs.existsSync('/usr/bin/ninja') ? ['-G', 'Ninja'] : [];
run(process.execPath, [
  cmakeJs, 'compile', '-d', pkgDir, '-O', path.join(pkgDir, 'build'), '-c', cmake,
  ...generator, '--config', 'Release', `--CDCMAKE_PREFIX_PATH=${prefix}`,
]);
