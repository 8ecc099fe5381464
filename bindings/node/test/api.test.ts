// Image-source kinds, error paths, concurrency and delete-during-forward,
// on the bundled (offline) models.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';

import {
  ClassificationModule,
  DeeplabLabel,
  ETError,
  EFFICIENTNET_V2_S,
  DEEPLAB_V3_RESNET50,
  ImageSegmentationModule,
  MEDIAPIPE_SELFIE,
  MOBILENET_V2,
  SELFIE_SEGMENTATION,
  type EtvisionError,
} from 'etvision';
import { photo, startServer, topK, useTempCache, type TestServer } from './support';

let server: TestServer;
let classifier: ClassificationModule;

before(async () => {
  useTempCache();
  server = await startServer();
  classifier = new ClassificationModule();
  await classifier.load(MOBILENET_V2);
});
after(async () => {
  classifier.delete();
  await server.close();
});

async function rejectsWith(promise: Promise<unknown>, code: number, pattern?: RegExp) {
  await assert.rejects(promise, (error: EtvisionError) => {
    assert.ok(error instanceof Error);
    assert.equal(error.code, code, `code ${error.code}: ${error.message}`);
    if (pattern) assert.match(error.message, pattern);
    return true;
  });
}

test('model constants mirror models.h', () => {
  assert.match(EFFICIENTNET_V2_S.modelSource, /^https:\/\/huggingface\.co\/software-mansion\/.*efficientnet_v2_s_xnnpack_fp32\.pte$/);
  assert.match(DEEPLAB_V3_RESNET50.modelSource, /deeplab_v3_resnet50_xnnpack_fp32\.pte$/);
  assert.equal(MOBILENET_V2.modelSource, 'bundled:mobilenet_v2/mobilenet_v2_xnnpack_fp32.pte');
  assert.equal(MEDIAPIPE_SELFIE.name, 'mediapipe_selfie');
  assert.match(SELFIE_SEGMENTATION.modelSource, /selfie-segmentation\.pte$/);
  assert.ok(Object.isFrozen(MOBILENET_V2));
});

test('image sources: path, file URI, http URL, data URI, raw base64', async () => {
  const file = photo('skimage_coffee.png');
  const base64 = fs.readFileSync(file).toString('base64');
  const sources = [
    file,
    pathToFileURL(file).href,
    `${server.base}/photos/skimage_coffee.png`,
    `data:image/png;base64,${base64}`,
    base64,
  ];
  for (const source of sources) {
    const result = await classifier.forward(source);
    assert.equal(topK(result, 1)[0][0], 'espresso', source.slice(0, 60));
  }
});

test('image source errors', async () => {
  await rejectsWith(classifier.forward('/no/such/image.png'), ETError.FileReadFailed);
  await rejectsWith(classifier.forward(`${server.base}/photos/missing.png`), ETError.FileReadFailed);
  await rejectsWith(classifier.forward('ftp://example.com/x.png'), ETError.InvalidUserInput);
  await rejectsWith(classifier.forward(42 as unknown as string), ETError.InvalidUserInput);
});

test('forward before load and after delete: ModuleNotLoaded (102)', async () => {
  const module = new ClassificationModule();
  await rejectsWith(module.forward(photo('skimage_chelsea.png')), ETError.ModuleNotLoaded, /not loaded/);
  await rejectsWith(module.forward('/no/such/file.png'), ETError.ModuleNotLoaded);
  await module.load(MOBILENET_V2);
  assert.equal(topK(await module.forward(photo('skimage_chelsea.png')), 1)[0][0], 'Egyptian cat');
  module.delete();
  await rejectsWith(module.forward(photo('skimage_chelsea.png')), ETError.ModuleNotLoaded);
  module.delete(); // twice is harmless
  // load again makes it usable again
  await module.load(MOBILENET_V2);
  assert.equal(topK(await module.forward(photo('skimage_chelsea.png')), 1)[0][0], 'Egyptian cat');
  module.delete();

  const segmenter = new ImageSegmentationModule();
  await rejectsWith(segmenter.forward(photo('skimage_astronaut.png')), ETError.ModuleNotLoaded);
});

test('load errors: number source (120), bad sources, failed download', async () => {
  const module = new ClassificationModule();
  await rejectsWith(module.load({ modelSource: 42 }), ETError.InvalidModelSource, /asset id/);
  await rejectsWith(module.load({ modelSource: {} }), ETError.InvalidModelSource);
  await rejectsWith(module.load(null as unknown as { modelSource: string }), ETError.InvalidModelSource);
  await rejectsWith(module.load({ modelSource: '' }), ETError.InvalidModelSource);
  await rejectsWith(module.load({ modelSource: '/no/such/model.pte' }), ETError.InvalidModelSource);
  await rejectsWith(module.load({ modelSource: `${server.base}/status/404` }), ETError.DownloadFailed, /404/);
  // Not a .pte
  await rejectsWith(module.load({ modelSource: photo('skimage_chelsea.png') }), ETError.InvalidProgram);
  // A segmentation model in a classifier: its metadata says which module it needs.
  const wrong = new ClassificationModule();
  await rejectsWith(
    wrong.load({ modelSource: MEDIAPIPE_SELFIE.modelSource }),
    ETError.InvalidUserInput,
    /is a segmentation model.*ImageSegmentationModule/,
  );
  await rejectsWith(wrong.forward(photo('skimage_chelsea.png')), ETError.ModuleNotLoaded);
  await rejectsWith(module.forward(photo('skimage_chelsea.png')), ETError.ModuleNotLoaded);
});

test('segmentation: invalid classesOfInterest', async () => {
  const segmenter = new ImageSegmentationModule();
  await segmenter.load(MEDIAPIPE_SELFIE);
  await rejectsWith(segmenter.forward(photo('skimage_astronaut.png'), [99 as DeeplabLabel]), ETError.InvalidUserInput);
  // A VOC class the selfie model does not have.
  await rejectsWith(segmenter.forward(photo('skimage_astronaut.png'), [DeeplabLabel.CAT]), ETError.InvalidUserInput);
  segmenter.delete();
});

test('custom model descriptor: plain {modelSource} uses the module default preprocessing', async () => {
  // MobileNetV2 without its ImageNet normalisation (EfficientNet default):
  // still 1000 probabilities; with explicit normalisation the answer is exact.
  const plain = new ClassificationModule();
  await plain.load({ modelSource: `${server.base}/models/mobilenet_v2/mobilenet_v2_xnnpack_fp32.pte` });
  assert.equal(Object.keys(await plain.forward(photo('skimage_chelsea.png'))).length, 1000);
  plain.delete();
  const custom = new ClassificationModule();
  await custom.load({
    modelSource: `${server.base}/models/mobilenet_v2/mobilenet_v2_xnnpack_fp32.pte`,
    normalization: { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
  } as { modelSource: string });
  assert.equal(topK(await custom.forward(photo('skimage_chelsea.png')), 1)[0][0], 'Egyptian cat');
  custom.delete();
});

test('concurrent forwards on one module all complete correctly', async () => {
  const photos = ['skimage_chelsea.png', 'skimage_coffee.png', 'wonnx_pelican.jpeg', 'opencv_messi5.jpg'];
  const expected = ['Egyptian cat', 'espresso', 'pelican', 'soccer ball'];
  const results = await Promise.all(
    Array.from({ length: 12 }, (_, i) => classifier.forward(photo(photos[i % 4]))),
  );
  results.forEach((r, i) => assert.equal(topK(r, 1)[0][0], expected[i % 4]));
  // Two modules at once.
  const segmenter = new ImageSegmentationModule();
  await segmenter.load(MEDIAPIPE_SELFIE);
  const [c, s] = await Promise.all([
    classifier.forward(photo('skimage_chelsea.png')),
    segmenter.forward(photo('skimage_astronaut.png')),
  ]);
  assert.equal(topK(c, 1)[0][0], 'Egyptian cat');
  assert.equal(s[DeeplabLabel.ARGMAX].length, 256 * 256);
  segmenter.delete();
});

test('delete() during running forwards: each settles (result or 102), no crash, reload works', async () => {
  for (let round = 0; round < 5; ++round) {
    const module = new ClassificationModule();
    await module.load(MOBILENET_V2);
    const pending = Array.from({ length: 4 }, () => module.forward(photo('skimage_chelsea.png')));
    await new Promise((r) => setTimeout(r, round * 5));
    module.delete();
    const settled = await Promise.allSettled(pending);
    for (const s of settled) {
      if (s.status === 'fulfilled') {
        assert.equal(topK(s.value, 1)[0][0], 'Egyptian cat');
      } else {
        assert.equal((s.reason as EtvisionError).code, ETError.ModuleNotLoaded);
      }
    }
    await rejectsWith(module.forward(photo('skimage_chelsea.png')), ETError.ModuleNotLoaded);
    await module.load(MOBILENET_V2);
    assert.equal(topK(await module.forward(photo('skimage_chelsea.png')), 1)[0][0], 'Egyptian cat');
    module.delete();
  }
  // delete() while loading: nothing stays loaded. The load itself settles
  // either way: rejected with 102 when delete() came first, or fulfilled when
  // the pool thread finished loading before the JS thread reached delete()
  // (a loaded machine can deschedule the JS thread that long).
  const loading = new ClassificationModule();
  const load = loading.load(MOBILENET_V2);
  loading.delete();
  await load.then(
    () => undefined,
    (e: EtvisionError) => assert.equal(e.code, ETError.ModuleNotLoaded),
  );
  await rejectsWith(loading.forward(photo('skimage_chelsea.png')), ETError.ModuleNotLoaded);
});

// delete() hands the release to a worker thread rather than waiting on the JS
// thread for the running inference (see src/addon.cc); here the forward it
// races must settle either way. Timing is left to benchmarks.
test('delete() during a segmentation forward: the forward settles', async () => {
  const module = new ImageSegmentationModule();
  await module.load(MEDIAPIPE_SELFIE);
  const pending = module.forward(photo('mpl_grace_hopper.jpg'), [DeeplabLabel.PERSON], true);
  module.delete();
  await pending.then(
    (out) => assert.equal(out[DeeplabLabel.ARGMAX].length, 512 * 600),
    (e: EtvisionError) => assert.equal(e.code, ETError.ModuleNotLoaded),
  );
});

test('a throwing progress callback rejects load instead of crashing', async () => {
  const module = new ClassificationModule();
  await assert.rejects(
    module.load(MOBILENET_V2, () => {
      throw new Error('boom');
    }),
    /boom/,
  );
  module.delete();
});

test('delete() releases the model now: 20 load/forward/delete rounds do not accumulate memory', async () => {
  const rss = () => process.memoryUsage().rss / 2 ** 20;
  const rounds = async (n: number) => {
    for (let i = 0; i < n; ++i) {
      const module = new ClassificationModule();
      await module.load(MOBILENET_V2);
      await module.forward(photo('winml_kitten_224.png'));
      module.delete();
    }
    // let the off-thread releases finish
    await new Promise((r) => setTimeout(r, 100));
  };
  await rounds(3);
  const before = rss();
  await rounds(20);
  const growth = rss() - before;
  // Without the release each round would keep ~14 MB of weights alive until GC.
  assert.ok(growth < 60, `RSS grew by ${growth.toFixed(1)} MB over 20 rounds`);
});
