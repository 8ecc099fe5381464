// The bad-input matrix of tests/integration/bad_input_table_test.cpp, through
// the Node.js API: every class of hostile or mistaken input, through both
// modules where it applies. Each row's promise must reject with an Error
// carrying the expected `code` (and its `codeName`) and a message naming what
// to fix; never resolve, never crash the process.
//
// Needs the generated bad_*.pte fixtures (python/make_fixtures.py): in
// $ETVISION_FIXTURES_DIR, else <ETVISION_BUILD_DIR or repo/build>/fixtures.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {after, before, test} from 'node:test';

import {ClassificationModule, DeeplabLabel, ETError, ImageSegmentationModule, MEDIAPIPE_SELFIE, MOBILENET_V2, type EtvisionError,} from 'etvision';
import {photo, repoRoot, useTempCache} from './support';

const fixturesDir = process.env.ETVISION_FIXTURES_DIR ??
    path.join(process.env.ETVISION_BUILD_DIR ?? path.join(repoRoot, 'build'), 'fixtures');
const fixture = (name: string) => path.join(fixturesDir, name);
const goodPhoto = photo('skimage_astronaut.png');

type Task = 'classification'|'segmentation';
type AnyModule = ClassificationModule|ImageSegmentationModule;

/** Everything a row may need: a scratch directory and a loopback HTTP server. */
interface Workspace {
  dir: string;
  base: string;
}

/** What a row does with its module; the returned promise must reject. */
type Attempt = (w: Workspace, task: Task, loaded: AnyModule) => Promise<unknown>;

interface Row {
  name: string;
  tasks: Task[];
  attempt: Attempt;
  code: ETError;
  /** Every one must appear in the message: what is wrong and what to change. */
  messageMustContain: string[];
}

const both: Task[] = ['classification', 'segmentation'];

function freshModule(task: Task): AnyModule {
  return task === 'classification' ? new ClassificationModule() : new ImageSegmentationModule();
}
const goodModel = (task: Task) => (task === 'classification' ? MOBILENET_V2 : MEDIAPIPE_SELFIE);

/** forward() of `image` on the module loaded with a good model. */
const forwardImage = (image: (w: Workspace) => string): Attempt => (w, _task, loaded) =>
    loaded.forward(image(w));

/** load() of `model` on a fresh module; it must stay unloaded. */
const loadModel = (model: (w: Workspace) => {
  modelSource: string
}): Attempt => async (w, task) => {
  const module = freshModule(task);
  try {
    await module.load(model(w));
  } finally {
    await assert.rejects(
        module.forward(goodPhoto), (e: EtvisionError) => e.code === ETError.ModuleNotLoaded);
    module.delete();
  }
};

/** segmentation forward() with these classesOfInterest on the loaded selfie model. */
const forwardClasses = (classes: DeeplabLabel[]): Attempt => (_w, _task, loaded) =>
    (loaded as ImageSegmentationModule).forward(goodPhoto, classes);

const writeFile = (w: Workspace, name: string, bytes: Buffer|string) => {
  const file = path.join(w.dir, name);
  fs.writeFileSync(file, bytes);
  return file;
};

// A PNG signature and an IHDR chunk declaring width x height, nothing else.
function pngDeclaring(width: number, height: number): Buffer {
  const header = Buffer.from(
      [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  const size = Buffer.alloc(8);
  size.writeUInt32BE(width, 0);
  size.writeUInt32BE(height, 4);
  return Buffer.concat([header, size, Buffer.from([8, 2, 0, 0, 0, 0, 0, 0, 0])]);
}

const rows: Row[] = [
  // --- images ---
  {
    name: 'nonexistent path',
    tasks: both,
    attempt: forwardImage((w) => path.join(w.dir, 'missing.jpg')),
    code: ETError.FileReadFailed,
    messageMustContain: ['missing.jpg', 'does not exist'],
  },
  {
    name: 'a directory',
    tasks: both,
    attempt: forwardImage((w) => w.dir),
    code: ETError.FileReadFailed,
    messageMustContain: ['is a directory'],
  },
  {
    name: 'an empty file',
    tasks: both,
    attempt: forwardImage((w) => writeFile(w, 'empty.png', '')),
    code: ETError.FileReadFailed,
    messageMustContain: ['empty.png', 'is empty'],
  },
  {
    name: 'a truncated JPEG',
    tasks: both,
    attempt: forwardImage((w) => {
      const jpeg = fs.readFileSync(photo('mpl_grace_hopper.jpg'));
      return writeFile(w, 'cut.jpg', jpeg.subarray(0, Math.floor((jpeg.length * 2) / 3)));
    }),
    code: ETError.FileReadFailed,
    messageMustContain: ['cut.jpg', 'truncated'],
  },
  {
    name: 'a PNG declaring absurd dimensions',
    tasks: both,
    attempt: forwardImage((w) => writeFile(w, 'huge.png', pngDeclaring(100000, 100000))),
    code: ETError.InvalidUserInput,
    messageMustContain: ['huge.png', '100000x100000', 'maxPixels'],
  },
  {
    name: 'bytes that are not an image',
    tasks: both,
    attempt: forwardImage((w) => writeFile(w, 'notes.jpg', 'just text, whatever the name says')),
    code: ETError.FileReadFailed,
    messageMustContain: ['notes.jpg', 'could not decode'],
  },
  {
    name: 'invalid base64 in a data URI',
    tasks: both,
    attempt: forwardImage(() => 'data:image/png;base64,iVBORw0KGgo@@@'),
    code: ETError.InvalidUserInput,
    messageMustContain: ['data URI', 'not valid base64'],
  },
  {
    name: 'a data URI of a text type',
    tasks: both,
    attempt: forwardImage(() => 'data:text/plain;base64,aGVsbG8='),
    code: ETError.InvalidUserInput,
    messageMustContain: ['text/plain', 'not an image'],
  },
  {
    name: 'a data URI whose payload is not an image',
    tasks: both,
    attempt:
        forwardImage(() => `data:image/png;base64,${Buffer.alloc(3000, 0x42).toString('base64')}`),
    code: ETError.FileReadFailed,
    messageMustContain: ['data URI', 'could not decode'],
  },
  {
    name: 'an unsupported URI scheme',
    tasks: both,
    attempt: forwardImage(() => 'ftp://example.com/cat.jpg'),
    code: ETError.InvalidUserInput,
    messageMustContain: ['unsupported URI scheme \'ftp\'', 'http(s)://', 'file://'],
  },
  {
    name: 'an image URL answering 404',
    tasks: both,
    attempt: forwardImage((w) => `${w.base}/no-such-image.jpg`),
    code: ETError.FileReadFailed,
    messageMustContain: ['no-such-image.jpg', '404'],
  },
  {
    name: 'an image URL answering HTML',
    tasks: both,
    attempt: forwardImage((w) => `${w.base}/page.html`),
    code: ETError.FileReadFailed,
    messageMustContain: ['page.html', 'could not decode', '<!DOCTYPE html'],
  },
  {
    name: 'an image source that is not a string',
    tasks: both,
    attempt: forwardImage(() => 42 as unknown as string),
    code: ETError.InvalidUserInput,
    messageMustContain: ['imageSource must be a string'],
  },
  // --- models ---
  {
    name: 'a model path that does not exist',
    tasks: both,
    attempt: loadModel((w) => ({modelSource: path.join(w.dir, 'no-such-model.pte')})),
    code: ETError.InvalidModelSource,
    messageMustContain: ['no-such-model.pte'],
  },
  {
    name: 'a model file that is not a .pte',
    tasks: both,
    attempt: loadModel(() => ({modelSource: photo('skimage_chelsea.png')})),
    code: ETError.InvalidProgram,
    messageMustContain: ['skimage_chelsea.png', 'ExecuTorch .pte'],
  },
  {
    name: 'a .pte with a rank-3 input',
    tasks: both,
    attempt: loadModel(() => ({modelSource: fixture('bad_input_rank3.pte')})),
    code: ETError.WrongDimensions,
    messageMustContain: ['bad_input_rank3.pte', '[1, 3, 224]', 'float32 [1, 3, H, W]'],
  },
  {
    name: 'a .pte with a uint8 input',
    tasks: both,
    attempt: loadModel(() => ({modelSource: fixture('bad_input_uint8.pte')})),
    code: ETError.WrongDimensions,
    messageMustContain: ['bad_input_uint8.pte', 'uint8', 'float32 [1, 3, H, W]'],
  },
  {
    name: 'a .pte with two inputs',
    tasks: both,
    attempt: loadModel(() => ({modelSource: fixture('bad_two_inputs.pte')})),
    code: ETError.WrongDimensions,
    messageMustContain: ['bad_two_inputs.pte', '2 inputs', 'exactly one'],
  },
  {
    name: 'a .pte with the wrong output count (classifier)',
    tasks: ['classification'],
    attempt: loadModel(() => ({modelSource: fixture('bad_output_10.pte')})),
    code: ETError.InvalidModelOutput,
    messageMustContain: ['bad_output_10.pte', '10 values', '1000 labels'],
  },
  {
    name: 'a .pte with the wrong output count (segmenter)',
    tasks: ['segmentation'],
    attempt: loadModel(() => ({modelSource: fixture('bad_output_10.pte')})),
    code: ETError.InvalidModelOutput,
    messageMustContain: ['bad_output_10.pte', '[1, 10]', '[1, C, H, W]'],
  },
  {
    name: 'a React Native asset id as modelSource',
    tasks: both,
    attempt: loadModel(() => ({modelSource: 7 as unknown as string})),
    code: ETError.InvalidModelSource,
    messageMustContain: ['asset id', 'file:// URI'],
  },
  // --- classesOfInterest ---
  {
    name: 'a DeeplabLabel the model lacks',
    tasks: ['segmentation'],
    attempt: forwardClasses([DeeplabLabel.CAT]),
    code: ETError.InvalidUserInput,
    messageMustContain: ['\'CAT\'', 'BACKGROUND, PERSON'],
  },
  {
    name: 'a DeeplabLabel value out of range',
    tasks: ['segmentation'],
    attempt: forwardClasses([99 as DeeplabLabel]),
    code: ETError.InvalidUserInput,
    // The C++ library's check and message (the addon only checks the JS type).
    messageMustContain: ['99', 'classesOfInterest', '0 (BACKGROUND) to 20 (TVMONITOR)'],
  },
  {
    name: 'a classesOfInterest entry that is no integer',
    tasks: ['segmentation'],
    attempt: forwardClasses([DeeplabLabel.PERSON, 1.5 as DeeplabLabel]),
    code: ETError.InvalidUserInput,
    messageMustContain: ['classesOfInterest[1]', 'DeeplabLabel.PERSON'],
  },
  // --- lifecycle ---
  {
    name: 'forward before load',
    tasks: both,
    attempt: (_w, task) => freshModule(task).forward(goodPhoto),
    code: ETError.ModuleNotLoaded,
    messageMustContain: ['not loaded', 'load the model'],
  },
  {
    name: 'forward after delete',
    tasks: both,
    attempt: async (_w, task) => {
      const module = freshModule(task);
      await module.load(goodModel(task));
      module.delete();
      return module.forward(goodPhoto);
    },
    code: ETError.ModuleNotLoaded,
    messageMustContain: ['not loaded', 'load the model'],
  },
];

let workspace: Workspace;
let server: http.Server;
const loaded = new Map<Task, AnyModule>();

before(async () => {
  useTempCache();
  server = http.createServer((req, res) => {
    if (req.url === '/page.html') {
      res.writeHead(200, {'Content-Type': 'text/html'});
      res.end('<!DOCTYPE html>\n<html><body>Hello</body></html>\n');
    } else {
      res.writeHead(404, {'Content-Type': 'text/plain'}).end('not found\n');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  workspace = {
    dir: fs.mkdtempSync(path.join(os.tmpdir(), 'etvision-node-bad-input-')),
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
  };
  for (const task of both) {
    const module = freshModule(task);
    await module.load(goodModel(task));
    loaded.set(task, module);
  }
});

after(async () => {
  for (const module of loaded.values()) module.delete();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  fs.rmSync(workspace.dir, {recursive: true, force: true});
});

test('the bad .pte fixtures exist', () => {
  assert.ok(
      fs.existsSync(fixture('bad_input_rank3.pte')),
      `no fixtures in ${fixturesDir}: run python/make_fixtures.py or set ETVISION_FIXTURES_DIR`,
  );
});

for (const row of rows) {
  for (const task of row.tasks) {
    test(`${task}: ${row.name} rejects with ${ETError[row.code]} (${row.code})`, async () => {
      const module = loaded.get(task)!;
      await assert.rejects(row.attempt(workspace, task, module), (error: EtvisionError) => {
        assert.ok(error instanceof Error, `not an Error: ${String(error)}`);
        assert.equal(
            error.code, row.code, `code ${error.code} (${error.codeName}): ${error.message}`);
        assert.equal(error.codeName, ETError[row.code]);
        for (const part of row.messageMustContain) {
          assert.ok(error.message.includes(part), `message lacks "${part}": ${error.message}`);
        }
        return true;
      });
      // Bad input to a loaded module leaves it loaded and working.
      await module.forward(goodPhoto);
    });
  }
}
