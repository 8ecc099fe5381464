// The compiled Node-API addon (src/addon.cc), built by `npm install` into
// build/Release/etvision_node.node. The library's tables (error codes,
// DeeplabLabel names, built-in models) come from it; scripts/gen-tables.js
// writes lib/generated/tables.ts from the same functions.
//
// No @types/node here: the package compiles with TypeScript alone at install
// time, so these two CommonJS globals are declared locally.
declare const require: (id: string) => unknown;
declare const __dirname: string;

export interface NativeNormalization {
  mean: [number, number, number];
  std: [number, number, number];
}

export interface NativeModule<ForwardArgs extends unknown[], Result> {
  load(
    modelSource: string,
    builtinName: string | undefined,
    normalization: NativeNormalization | null | undefined,
    labels: readonly string[] | undefined,
    onProgress: ((progress: number) => void) | undefined,
  ): Promise<void>;
  forward(...args: ForwardArgs): Promise<Result>;
  delete(): void;
  isLoaded(): boolean;
}

export interface NativeModelEntry {
  modelSource: string;
  task: 'classification' | 'segmentation';
  description: string;
}

export interface NativeBinding {
  NativeClassifier: new () => NativeModule<[string], { [category: string]: number }>;
  NativeSegmenter: new () => NativeModule<[string, number[], boolean], Record<string, Int32Array | Float32Array>>;
  /** etvision::classificationModels() then segmentationModels(), by name, in that order. */
  builtinModels(): { [name: string]: NativeModelEntry };
  /** etvision::errorCodes() with errorCodeName(), in declaration order. */
  errorCodes(): { code: number; name: string }[];
  /** Every etvision::DeeplabLabel with deeplabLabelName(), ascending. */
  deeplabLabels(): { value: number; name: string }[];
  /** etvision::modelFromString(); throws its coded error (InvalidModelSource). */
  modelFromString(nameOrSource: string): {
    name: string;
    modelSource: string;
    builtin: boolean;
    description: string;
  };
  /** etvision::setThreadCount() on a pool thread; rejects with its coded error. */
  setThreadCount(count: number): Promise<void>;
  /** etvision::threadCount(); throws its coded error (bad ETVISION_NUM_THREADS). */
  threadCount(): number;
  version(): string;
  executorchVersion(): string;
  vectorIsa(): string;
}

export const native = require(`${__dirname}/../build/Release/etvision_node.node`) as NativeBinding;
