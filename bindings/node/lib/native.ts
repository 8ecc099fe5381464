// The compiled Node-API addon (src/addon.cc), built by `npm install` into
// build/Release/etvision_node.node.
import path from 'node:path';

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

export interface NativeBinding {
  NativeClassifier: new () => NativeModule<[string], { [category: string]: number }>;
  NativeSegmenter: new () => NativeModule<[string, number[], boolean], Record<string, Int32Array | Float32Array>>;
  builtinModels(): { [name: string]: { modelSource: string; task: 'classification' | 'segmentation'; description: string } };
}

// eslint-disable-next-line @typescript-eslint/no-var-requires
export const native: NativeBinding = require(
  path.join(__dirname, '..', 'build', 'Release', 'etvision_node.node'),
);
