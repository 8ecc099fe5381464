#!/usr/bin/env node
// `npm pack` hooks: prepack records the etvision checkout this package is
// packed from in etvision-source.json (shipped in the tarball), so that an
// installed tarball finds the C++ build and the checkout's CMake
// (scripts/build-native.js); postpack (--remove) deletes the record again.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const pkgDir = path.resolve(__dirname, '..');
const file = path.join(pkgDir, 'etvision-source.json');
if (process.argv.includes('--remove')) {
  fs.rmSync(file, { force: true });
} else {
  const checkout = path.resolve(pkgDir, '..', '..');
  if (!fs.existsSync(path.join(checkout, 'include', 'etvision', 'etvision.h'))) {
    console.error(`record-source: ${checkout} is not an etvision checkout; pack from <checkout>/bindings/node`);
    process.exit(1);
  }
  fs.writeFileSync(file, JSON.stringify({ checkout }, null, 2) + '\n');
}
