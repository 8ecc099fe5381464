// The TypeScript enums and model constants are the C++ library's tables:
// lib/generated/tables.ts is what scripts/gen-tables.js writes from the addon,
// and modelFromString / the not-loaded and DeeplabLabel errors are the
// library's own.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';

import * as etvision from 'etvision';
import {
  ClassificationModule,
  DeeplabLabel,
  ETError,
  MOBILENET_V2,
  modelFromString,
  type EtvisionError,
} from 'etvision';
import { photo } from './support';

const pkgDir = path.resolve(__dirname, '..');
interface Native {
  errorCodes(): { code: number; name: string }[];
  deeplabLabels(): { value: number; name: string }[];
  builtinModels(): { [name: string]: { modelSource: string; task: string } };
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const native = require(path.join(pkgDir, 'build', 'Release', 'etvision_node.node')) as Native;

test('lib/generated/tables.ts is what gen-tables writes from the built library', () => {
  // Throws (exit 1, naming the first differing line) when it is out of date.
  const out = execFileSync(process.execPath, [path.join(pkgDir, 'scripts', 'gen-tables.js'), '--check'], {
    encoding: 'utf8',
  });
  assert.match(out, /matches the library/);
});

test('ETError has exactly the library error codes', () => {
  const codes = native.errorCodes();
  assert.ok(codes.length >= 29, `only ${codes.length} codes`);
  const fromEnum = Object.entries(ETError).filter(([, v]) => typeof v === 'number');
  assert.deepEqual(fromEnum, codes.map(({ code, name }) => [name, code]));
  assert.equal(ETError.ModuleNotLoaded, 102);
});

test('DeeplabLabel has exactly the library labels', () => {
  const labels = native.deeplabLabels();
  const fromEnum = Object.entries(DeeplabLabel).filter(([, v]) => typeof v === 'number');
  assert.deepEqual(fromEnum, labels.map(({ value, name }) => [name, value]));
  assert.equal(DeeplabLabel.PERSON, 15);
  assert.equal(DeeplabLabel.ARGMAX, 21);
});

test('one exported constant per built-in model, with its source', () => {
  const exported = etvision as unknown as Record<string, unknown>;
  const builtins = Object.entries(native.builtinModels());
  assert.ok(builtins.length >= 17);
  for (const [name, entry] of builtins) {
    assert.deepEqual(exported[name.toUpperCase()], { modelSource: entry.modelSource, name });
  }
});

test('modelFromString: built-in names, sources, and the library error for anything else', async () => {
  assert.deepEqual(modelFromString('mobilenet_v2'), MOBILENET_V2);
  assert.deepEqual(modelFromString('./my.pte'), { modelSource: './my.pte', normalization: null });
  assert.deepEqual(modelFromString('https://host/m.pte').modelSource, 'https://host/m.pte');
  assert.throws(
    () => modelFromString('mobilenet_v3'),
    (e: EtvisionError) =>
      e.code === ETError.InvalidModelSource && e.codeName === 'InvalidModelSource' &&
      /'mobilenet_v3'.*Did you mean/.test(e.message),
  );
  assert.throws(() => modelFromString(7 as unknown as string), (e: EtvisionError) => e.code === ETError.InvalidModelSource);

  const module = new ClassificationModule();
  await module.load('mobilenet_v2');
  const result = await module.forward(photo('skimage_chelsea.png'));
  assert.ok(result['Egyptian cat'] > 0.3, `Egyptian cat: ${result['Egyptian cat']}`);
  module.delete();
  await assert.rejects(module.load('no_such_model'), (e: EtvisionError) => e.code === ETError.InvalidModelSource);
});
