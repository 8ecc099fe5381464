// Seed document 002 (ImageSegmentationModule), its code block run verbatim.
//
// Only the import path changes ('etvision' for 'react-native-executorch').
// DEEPLAB_V3_RESNET50 is a 168 MB download from Hugging Face, unreachable
// here, so this module REBINDS the name: the local DEEPLAB_V3_RESNET50 below
// is etvision's bundled MediaPipe selfie model (labels BACKGROUND, PERSON),
// served over HTTP from 127.0.0.1. The seed's 'path/to/image.png' is a copy of
// data/photos/skimage_astronaut.png (a person) in a temp working directory.
// The cache is a fresh temp dir (ETVISION_CACHE_DIR).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { DeeplabLabel, ImageSegmentationModule, MEDIAPIPE_SELFIE } from 'etvision';
import { inSeedDir, photo, startServer, useTempCache, type TestServer } from './support';

let server: TestServer;
let DEEPLAB_V3_RESNET50: { modelSource: string; name: string };

// models/selfie_segmentation/reference_masks.json: share of person pixels
// (probability > 0.5) in the 256x256 mask of skimage_astronaut.png.
const ASTRONAUT_PERSON_FRACTION = 0.5449371337890625;

before(async () => {
  useTempCache();
  server = await startServer();
  DEEPLAB_V3_RESNET50 = {
    ...MEDIAPIPE_SELFIE,
    modelSource: `${server.base}/models/selfie_segmentation/selfie_segmentation_xnnpack_fp32.pte`,
  };
});
after(() => server.close());

test('seed 002: ImageSegmentationModule high-level overview block', async () => {
  const outputDict = await inSeedDir(photo('skimage_astronaut.png'), async () => {
    // ---- seed block (verbatim) ----
    const imageUri = 'path/to/image.png';

    // Creating an instance
    const imageSegmentationModule = new ImageSegmentationModule();

    // Loading the model
    await imageSegmentationModule.load(DEEPLAB_V3_RESNET50);

    // Running the model
    const outputDict = await imageSegmentationModule.forward(imageUri);
    // ---- end of seed block ----

    imageSegmentationModule.delete();
    return outputDict;
  });
  assert.ok(server.requests.includes('GET /models/selfie_segmentation/selfie_segmentation_xnnpack_fp32.pte'));
  // Default: only the argmax map, at the model's output size (256x256).
  assert.deepEqual(Object.keys(outputDict), [String(DeeplabLabel.ARGMAX)]);
  const argmax = outputDict[DeeplabLabel.ARGMAX];
  assert.ok(argmax instanceof Int32Array);
  assert.equal(argmax.length, 256 * 256);
  // Argmax values index the model's labels: 0 BACKGROUND, 1 PERSON.
  const person = argmax.reduce((n, v) => n + (v === 1 ? 1 : 0), 0) / argmax.length;
  assert.ok(argmax.every((v) => v === 0 || v === 1));
  assert.ok(Math.abs(person - ASTRONAUT_PERSON_FRACTION) < 0.01, `person fraction ${person}`);
});

test('seed 002: classesOfInterest and resize; progress', async () => {
  useTempCache();
  const progress: number[] = [];
  const module = new ImageSegmentationModule();
  await module.load(DEEPLAB_V3_RESNET50, (p) => progress.push(p));
  assert.equal(progress[progress.length - 1], 1);
  assert.equal(progress.filter((p) => p === 1).length, 1);
  for (let i = 1; i < progress.length; ++i) assert.ok(progress[i] >= progress[i - 1]);

  const out = await module.forward(photo('skimage_astronaut.png'), [DeeplabLabel.PERSON, DeeplabLabel.BACKGROUND]);
  assert.deepEqual(
    Object.keys(out).sort(),
    [DeeplabLabel.BACKGROUND, DeeplabLabel.PERSON, DeeplabLabel.ARGMAX].map(String).sort(),
  );
  const personProb = out[DeeplabLabel.PERSON]!;
  const backgroundProb = out[DeeplabLabel.BACKGROUND]!;
  assert.ok(personProb instanceof Float32Array);
  assert.equal(personProb.length, 256 * 256);
  for (let i = 0; i < personProb.length; i += 97) {
    assert.ok(Math.abs(personProb[i] + backgroundProb[i] - 1) < 1e-5);
  }
  const mean = personProb.reduce((a, b) => a + b, 0) / personProb.length;
  assert.ok(Math.abs(mean - 0.5443407297134399) < 0.01, `mean person probability ${mean}`);

  // resize: maps at the photo's size (512x512 for the astronaut).
  const resized = await module.forward(photo('skimage_astronaut.png'), [DeeplabLabel.PERSON], true);
  assert.equal(resized[DeeplabLabel.ARGMAX].length, 512 * 512);
  assert.equal(resized[DeeplabLabel.PERSON]!.length, 512 * 512);
  // Grace Hopper is 512x600 (w x h).
  const hopper = await module.forward(photo('mpl_grace_hopper.jpg'), [], true);
  assert.equal(hopper[DeeplabLabel.ARGMAX].length, 512 * 600);
  module.delete();
});

test('DeeplabLabel values match the reference', () => {
  assert.equal(DeeplabLabel.BACKGROUND, 0);
  assert.equal(DeeplabLabel.CAT, 8);
  assert.equal(DeeplabLabel.PERSON, 15);
  assert.equal(DeeplabLabel.TVMONITOR, 20);
  assert.equal(DeeplabLabel.ARGMAX, 21);
});
