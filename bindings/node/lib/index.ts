// etvision for Node.js: react-native-executorch's ClassificationModule and
// ImageSegmentationModule API, running on the native ExecuTorch runtime.
// All loading, downloading, decoding and inference run off the JS thread.
import { native, type NativeModule } from './native';
import { ETError, makeError, type EtvisionError } from './errors';
import type { ModelSpec, ResourceSource } from './models';

export * from './models';
export { ETError, type EtvisionError };

/** Pascal VOC classes, with the reference's values; ARGMAX keys the argmax map. */
export enum DeeplabLabel {
  BACKGROUND = 0,
  AEROPLANE = 1,
  BICYCLE = 2,
  BIRD = 3,
  BOAT = 4,
  BOTTLE = 5,
  BUS = 6,
  CAR = 7,
  CAT = 8,
  CHAIR = 9,
  COW = 10,
  DININGTABLE = 11,
  DOG = 12,
  HORSE = 13,
  MOTORBIKE = 14,
  PERSON = 15,
  POTTEDPLANT = 16,
  SHEEP = 17,
  SOFA = 18,
  TRAIN = 19,
  TVMONITOR = 20,
  ARGMAX = 21,
}

/**
 * ImageSegmentationModule.forward's result: the argmax map (class index per
 * pixel, row-major) under DeeplabLabel.ARGMAX and, for each requested class,
 * its per-pixel probability map. Width x height is the model's output size, or
 * the input image's with `resize`.
 */
export type SegmentationOutput = { [DeeplabLabel.ARGMAX]: Int32Array } & {
  [K in Exclude<DeeplabLabel, DeeplabLabel.ARGMAX>]?: Float32Array;
};

type Native = NativeModule<unknown[], unknown>;

function nativeLoadArgs(model: unknown) {
  if (model === null || typeof model !== 'object') {
    throw makeError(ETError.InvalidModelSource, 'load() expects an object { modelSource: string }');
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
   */
  async load(
    model: { modelSource: ResourceSource },
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
   * `imageSource`: http(s) URL, file:// URI, path, data URI or raw base64.
   */
  async forward(imageSource: string): Promise<{ [category: string]: number }> {
    if (typeof imageSource !== 'string') {
      throw makeError(ETError.InvalidUserInput, 'imageSource must be a string');
    }
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
    imageSource: string,
    classesOfInterest: DeeplabLabel[] = [],
    resize = false,
  ): Promise<SegmentationOutput> {
    if (typeof imageSource !== 'string') {
      throw makeError(ETError.InvalidUserInput, 'imageSource must be a string');
    }
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
