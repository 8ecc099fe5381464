// The process-wide runtime functions are the C++ library's: the thread
// count it reports is the one set, bad counts reject with the library's
// coded error, and inference gives the same answer on one thread and two.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import {
  ClassificationModule,
  ETError,
  MOBILENET_V2,
  executorchVersion,
  setThreadCount,
  threadCount,
  vectorIsa,
  version,
  type EtvisionError,
} from 'etvision';
import { photo } from './support';

const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', 'package.json'), 'utf8')) as {
  version: string;
};

test('version() is the package version and executorchVersion() names ExecuTorch 1.x', () => {
  assert.equal(version(), pkg.version);
  assert.match(executorchVersion(), /^1\.\d+\.\d+/);
});

test('vectorIsa() is one of the names the header documents', () => {
  assert.ok(
    ['AVX-512 with VNNI', 'AVX-512', 'AVX2 with VNNI', 'AVX2', 'SSE4.1', 'baseline', 'not x86'].includes(
      vectorIsa(),
    ),
    vectorIsa(),
  );
});

test('setThreadCount() sets the count, and one thread gives the same probabilities as two', async () => {
  const model = new ClassificationModule();
  await model.load(MOBILENET_V2);
  try {
    await setThreadCount(2);
    assert.equal(threadCount(), 2);
    const two = await model.forward(photo('skimage_chelsea.png'));
    await setThreadCount(1);
    assert.equal(threadCount(), 1);
    const one = await model.forward(photo('skimage_chelsea.png'));
    assert.deepEqual(one, two);
  } finally {
    await setThreadCount(0);
    model.delete();
  }
  assert.ok(threadCount() >= 1);
});

test('setThreadCount() rejects counts outside 0..256 with InvalidUserInput', async () => {
  await assert.rejects(setThreadCount(257), (e: EtvisionError) => {
    assert.equal(e.code, ETError.InvalidUserInput);
    assert.match(e.message, /256/); // the library's own limit and message
    return true;
  });
  for (const bad of [-1, 1.5, Number.NaN, 2 ** 40, '2' as unknown as number]) {
    await assert.rejects(setThreadCount(bad), (e: EtvisionError) => {
      assert.equal(e.code, ETError.InvalidUserInput, String(bad));
      assert.match(e.message, /whole number/);
      return true;
    });
  }
  assert.ok(threadCount() >= 1); // the pool is untouched
});

test('threadCount() throws InvalidUserInput when ETVISION_NUM_THREADS is malformed', () => {
  // A fresh process: the variable is read when the library first needs the pool.
  const script = `
    const { threadCount } = require('etvision');
    try { threadCount(); console.log('no error'); } catch (e) { console.log(e.code, e.codeName, e.message); }`;
  const out = execFileSync(process.execPath, ['-e', script], {
    cwd: path.resolve(__dirname, '..'),
    env: { ...process.env, ETVISION_NUM_THREADS: 'lots' },
    encoding: 'utf8',
  });
  assert.match(out, new RegExp(`^${ETError.InvalidUserInput} InvalidUserInput .*ETVISION_NUM_THREADS`));
});
