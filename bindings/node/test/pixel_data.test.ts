// PixelData input (react-native-executorch 0.8's raw pixels, e.g. a video
// frame): the same pixels as a file give the same results, bit for bit; bad
// PixelData is a coded InvalidUserInput; the buffer is copied at the call.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import {
  ClassificationModule,
  DeeplabLabel,
  ETError,
  ImageSegmentationModule,
  MEDIAPIPE_SELFIE,
  MOBILENET_V2,
  ScalarType,
  type EtvisionError,
  type PixelData,
} from 'etvision';

const width = 97;
const height = 61;

// A deterministic colourful pattern (no photo decoder is needed in JS).
function pattern(channels: 3 | 4): Uint8Array {
  const bytes = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; ++y) {
    for (let x = 0; x < width; ++x) {
      const i = (y * width + x) * channels;
      bytes[i] = (x * 7 + y * 3) & 255;
      bytes[i + 1] = (x * y) & 255;
      bytes[i + 2] = (255 - x * 2 - y) & 255;
      if (channels === 4) bytes[i + 3] = (x + y) & 255; // alpha: dropped
    }
  }
  return bytes;
}

// The same RGB pixels as a 24-bit BMP file (uncompressed, bottom-up BGR).
function writeBmp(file: string, rgb: Uint8Array): void {
  const rowBytes = Math.ceil((width * 3) / 4) * 4;
  const size = 54 + rowBytes * height;
  const bmp = Buffer.alloc(size);
  bmp.write('BM', 0, 'ascii');
  bmp.writeUInt32LE(size, 2);
  bmp.writeUInt32LE(54, 10);
  bmp.writeUInt32LE(40, 14);
  bmp.writeInt32LE(width, 18);
  bmp.writeInt32LE(height, 22);
  bmp.writeUInt16LE(1, 26);
  bmp.writeUInt16LE(24, 28);
  bmp.writeUInt32LE(rowBytes * height, 34);
  for (let y = 0; y < height; ++y) {
    const row = 54 + (height - 1 - y) * rowBytes;
    for (let x = 0; x < width; ++x) {
      const i = (y * width + x) * 3;
      bmp[row + x * 3] = rgb[i + 2];
      bmp[row + x * 3 + 1] = rgb[i + 1];
      bmp[row + x * 3 + 2] = rgb[i];
    }
  }
  fs.writeFileSync(file, bmp);
}

const pixels = (dataPtr: Uint8Array, channels = 3): PixelData => ({
  dataPtr,
  sizes: [height, width, channels] as [number, number, number],
  scalarType: ScalarType.BYTE,
});

let dir: string;
let bmpFile: string;
let classifier: ClassificationModule;
let segmenter: ImageSegmentationModule;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etvision-pixels-'));
  bmpFile = path.join(dir, 'pattern.bmp');
  writeBmp(bmpFile, pattern(3));
  classifier = new ClassificationModule();
  await classifier.load(MOBILENET_V2);
  segmenter = new ImageSegmentationModule();
  await segmenter.load(MEDIAPIPE_SELFIE);
});
after(() => {
  classifier.delete();
  segmenter.delete();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('classification: PixelData gives the file result bit for bit; RGBA drops alpha', async () => {
  const fromFile = await classifier.forward(bmpFile);
  const fromPixels = await classifier.forward(pixels(pattern(3)));
  assert.deepEqual(fromPixels, fromFile);
  assert.equal(Object.keys(fromPixels).length, 1000);
  assert.deepEqual(await classifier.forward(pixels(pattern(4), 4)), fromFile);
});

test('segmentation: PixelData with resize gives maps at the pixels size, equal to the file', async () => {
  const fromFile = await segmenter.forward(bmpFile, [DeeplabLabel.PERSON], true);
  const fromPixels = await segmenter.forward(pixels(pattern(3)), [DeeplabLabel.PERSON], true);
  assert.equal(fromPixels[DeeplabLabel.ARGMAX].length, width * height);
  assert.deepEqual(fromPixels[DeeplabLabel.ARGMAX], fromFile[DeeplabLabel.ARGMAX]);
  assert.deepEqual(fromPixels[DeeplabLabel.PERSON], fromFile[DeeplabLabel.PERSON]);
});

test('the buffer is copied when forward() is called: reusing it at once is safe', async () => {
  const frame = pattern(3);
  const expected = await classifier.forward(pixels(frame.slice()));
  const pending = classifier.forward(pixels(frame));
  frame.fill(0); // the next "video frame" overwrites the buffer
  assert.deepEqual(await pending, expected);
});

test('bad PixelData is InvalidUserInput saying what to fix', async () => {
  const cases: [unknown, RegExp][] = [
    [{ dataPtr: new Uint8Array(10), sizes: [height, width, 3], scalarType: ScalarType.BYTE }, /holds 10 bytes but sizes \[61, 97, 3\] need 17751/],
    [{ ...pixels(pattern(3)), scalarType: ScalarType.FLOAT }, /scalarType must be ScalarType.BYTE/],
    [{ ...pixels(pattern(3)), sizes: [height, width] }, /sizes must be \[height, width, channels\]/],
    [{ ...pixels(pattern(3)), sizes: [height, width / 2, 2] }, /sizes must be \[height, width, channels\]/],
    [{ ...pixels(pattern(3)), dataPtr: new Float32Array(width * height * 3) }, /string .* or PixelData/],
    [42, /string .* or PixelData/],
  ];
  for (const [input, message] of cases) {
    await assert.rejects(classifier.forward(input as PixelData), (error: EtvisionError) => {
      assert.equal(error.code, ETError.InvalidUserInput, error.message);
      assert.match(error.message, message);
      return true;
    });
  }
});
