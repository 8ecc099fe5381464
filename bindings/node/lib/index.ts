// etvision for Node.js: react-native-executorch's ClassificationModule and
// ImageSegmentationModule API, running on the native ExecuTorch runtime.
// All loading, downloading, decoding and inference run off the JS thread.
import { native, type NativeModule } from './native';
import { makeError, type EtvisionError } from './errors';
import { DeeplabLabel, ETError } from './generated/tables';
import { modelFromString, type ModelSpec, type ResourceSource } from './models';

export * from './models';
export * from './runtime';
// ETError, DeeplabLabel and the model constants (EFFICIENTNET_V2_S, ...,
// MOBILENET_V2, MEDIAPIPE_SELFIE): generated from the C++ library's tables.
export * from './generated/tables';
export type { EtvisionError };

/**
 * ImageSegmentationModule.forward's result: the argmax map (class index per
 * pixel, row-major) under DeeplabLabel.ARGMAX and, for each requested class,
 * its per-pixel probability map. Width x height is the model's output size, or
 * the input image's with `resize`.
 */
export type SegmentationOutput = { [DeeplabLabel.ARGMAX]: Int32Array } & {
  [K in Exclude<DeeplabLabel, DeeplabLabel.ARGMAX>]?: Float32Array;
};

/** react-native-executorch's tensor scalar types; PixelData uses BYTE. */
export enum ScalarType {
  BYTE = 0,
  CHAR = 1,
  SHORT = 2,
  INT = 3,
  LONG = 4,
  HALF = 5,
  FLOAT = 6,
  DOUBLE = 7,
  BOOL = 11,
}

/**
 * Raw pixels, as react-native-executorch 0.8's `PixelData`: 8-bit, row-major,
 * `sizes` = [height, width, channels] with 3 channels (RGB; also 4 = RGBA,
 * 1 = grey). The bytes are copied when forward() is called, so the buffer
 * may be reused (e.g. for the next video frame) right away.
 */
export interface PixelData {
  dataPtr: Uint8Array;
  sizes: [number, number, number];
  scalarType: ScalarType;
}

/** What forward() reads: a URL, file:// URI, path, data URI, raw base64, or pixels. */
export type ImageInput = string | PixelData;

type Native = NativeModule<unknown[], unknown>;

function nativeLoadArgs(model: unknown) {
  if (typeof model === 'string') model = modelFromString(model);
  if (model === null || typeof model !== 'object') {
    throw makeError(
      ETError.InvalidModelSource,
      'load() expects an object { modelSource: string } or a model name, URL or path',
    );
  }
  const spec = model as ModelSpec;
  const source: ResourceSource | undefined = spec.modelSource;
  if (typeof source === 'number') {
    throw makeError(
      ETError.InvalidModelSource,
      `modelSource ${source} is a React Native asset id, which has no meaning on Node.js; ` +
        'use a URL, a file:// URI or a path',
    );
  }
  if (typeof source !== 'string' || source.length === 0) {
    throw makeError(
      ETError.InvalidModelSource,
      'modelSource must be a non-empty string (URL, file:// URI or path)',
    );
  }
  if (spec.name !== undefined && typeof spec.name !== 'string') {
    throw makeError(ETError.InvalidModelSource, 'model.name must be a string');
  }
  return [source, spec.name, spec.normalization, spec.labels] as const;
}

abstract class BaseModule {
  protected readonly nativeModule: Native;

  protected constructor(nativeModule: Native) {
    this.nativeModule = nativeModule;
  }

  /**
   * Fetches (downloading and caching URLs, with progress in [0, 1] ending with
   * exactly one 1) and opens the model. Rejects with an EtvisionError.
   * `model`: a constant (MOBILENET_V2, ...), any { modelSource } (see
   * ModelSpec), or a string for modelFromString ('mobilenet_v2', a URL, a path).
   */
  async load(
    model: { modelSource: ResourceSource } | string,
    onDownloadProgressCallback?: (progress: number) => void,
  ): Promise<void> {
    const [source, name, normalization, labels] = nativeLoadArgs(model);
    if (onDownloadProgressCallback !== undefined && typeof onDownloadProgressCallback !== 'function') {
      throw makeError(ETError.InvalidUserInput, 'onDownloadProgressCallback must be a function');
    }
    await this.nativeModule.load(source, name, normalization, labels, onDownloadProgressCallback);
  }

  /**
   * Releases the model now (off the JS thread, as soon as a running forward
   * ends; that forward settles normally or with ModuleNotLoaded). forward()
   * afterwards rejects with ModuleNotLoaded until load() is called again.
   */
  delete(): void {
    this.nativeModule.delete();
  }
}

export class ClassificationModule extends BaseModule {
  constructor() {
    super(new native.NativeClassifier() as unknown as Native);
  }

  /**
   * Every label of the model with its softmax probability (unsorted).
   * `imageSource`: http(s) URL, file:// URI, path, data URI, raw base64 or
   * PixelData (e.g. a video frame).
   */
  async forward(imageSource: ImageInput): Promise<{ [category: string]: number }> {
    // The image's type and PixelData's shape are checked natively (one message).
    return (await this.nativeModule.forward(imageSource)) as { [category: string]: number };
  }
}

export class ImageSegmentationModule extends BaseModule {
  constructor() {
    super(new native.NativeSegmenter() as unknown as Native);
  }

  /**
   * The argmax map plus the probability maps of `classesOfInterest`
   * (default none), at the model's output size or, with `resize` (default
   * false), the input image's size.
   */
  async forward(
    imageSource: ImageInput,
    classesOfInterest: DeeplabLabel[] = [],
    resize = false,
  ): Promise<SegmentationOutput> {
    if (!Array.isArray(classesOfInterest)) {
      throw makeError(ETError.InvalidUserInput, 'classesOfInterest must be an array of DeeplabLabel');
    }
    return (await this.nativeModule.forward(
      imageSource,
      classesOfInterest,
      Boolean(resize),
    )) as SegmentationOutput;
  }
}
