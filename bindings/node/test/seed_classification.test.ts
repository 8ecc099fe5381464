// Seed document 000 (ClassificationModule), its code block run verbatim.
//
// Only the import path changes ('etvision' for 'react-native-executorch').
// EFFICIENTNET_V2_S is an 85.7 MB download from Hugging Face, unreachable
// here, so this module REBINDS the name: the local EFFICIENTNET_V2_S below is
// etvision's bundled MobileNetV2 (same ImageNet-1k labels), served over HTTP
// from 127.0.0.1 so the real download path (progress, cache) runs. The seed's
// 'path/to/image.png' is a copy of data/photos/skimage_chelsea.png in a temp
// working directory. The cache is a fresh temp dir (ETVISION_CACHE_DIR).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { ClassificationModule, MOBILENET_V2 } from 'etvision';
import { inSeedDir, photo, startServer, topK, useTempCache, type TestServer } from './support';

let server: TestServer;
let EFFICIENTNET_V2_S: { modelSource: string; name: string };

before(async () => {
  useTempCache();
  server = await startServer();
  // Rebound constant (see the header): bundled MobileNetV2 over local HTTP,
  // keeping MobileNetV2's preprocessing (ImageNet normalisation) via `name`.
  EFFICIENTNET_V2_S = {
    ...MOBILENET_V2,
    modelSource: `${server.base}/models/mobilenet_v2/mobilenet_v2_xnnpack_fp32.pte`,
  };
});
after(() => server.close());

test('seed 000: ClassificationModule reference block', async () => {
  const result = await inSeedDir(photo('skimage_chelsea.png'), async () => {
    // ---- seed block (verbatim) ----
    const imageUri = 'path/to/image.png';

    // Creating an instance
    const classificationModule = new ClassificationModule();

    // Loading the model
    await classificationModule.load(EFFICIENTNET_V2_S);

    // Running the model
    const classesWithProbabilities = await classificationModule.forward(imageUri);
    // ---- end of seed block ----

    classificationModule.delete();
    return classesWithProbabilities;
  });
  // The model was downloaded from the local server.
  assert.ok(server.requests.some((r) => r === 'GET /models/mobilenet_v2/mobilenet_v2_xnnpack_fp32.pte'));
  // Every ImageNet label with its softmax probability.
  assert.equal(Object.keys(result).length, 1000);
  const sum = Object.values(result).reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(sum - 1) < 1e-3, `probabilities sum to ${sum}`);
  assert.equal(topK(result, 1)[0][0], 'Egyptian cat');
});

test('seed 000: load reports download progress, in order, ending with exactly one 1', async () => {
  useTempCache(); // force a real download
  const progress: number[] = [];
  const module = new ClassificationModule();
  await module.load(EFFICIENTNET_V2_S, (p) => progress.push(p));
  assert.ok(progress.length >= 2, `got ${progress.length} progress reports`);
  for (let i = 1; i < progress.length; ++i) assert.ok(progress[i] >= progress[i - 1]);
  assert.ok(progress.every((p) => p >= 0 && p <= 1));
  assert.equal(progress.filter((p) => p === 1).length, 1);
  assert.equal(progress[progress.length - 1], 1);
  const r = await module.forward(photo('skimage_coffee.png'));
  assert.equal(topK(r, 1)[0][0], 'espresso');
  module.delete();

  // Cached now: no second GET, and still exactly one final 1.
  const gets = server.requests.filter((r) => r.startsWith('GET /models/')).length;
  const again: number[] = [];
  const second = new ClassificationModule();
  await second.load(EFFICIENTNET_V2_S, (p) => again.push(p));
  assert.deepEqual(again, [1]);
  assert.equal(server.requests.filter((r) => r.startsWith('GET /models/')).length, gets);
  second.delete();
});
