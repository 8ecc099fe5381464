// What load() accepts. The model constants (the reference's, plus etvision's
// bundled offline models) are generated from the C++ library's built-in
// descriptors (models.h) into generated/tables.ts.
import { builtinModel, type BuiltinModel } from './builtin';
import { native, type NativeNormalization } from './native';

export type { BuiltinModel };

/**
 * Where a model comes from: a URL, a `file://` URI or a path (strings).
 * Numbers (React Native asset ids) and other objects have no meaning on Node:
 * load() rejects them with InvalidModelSource (120).
 */
export type ResourceSource = string | number | object;

/**
 * What load() accepts. Only `modelSource` is required (the reference's
 * shape). etvision extensions, all optional:
 * - `name`: a built-in model (see `models.h`) whose preprocessing and labels
 *   apply to `modelSource`; the exported constants carry theirs;
 * - `normalization`: per-channel mean/std applied to [0,1] RGB input
 *   (`null`: none);
 * - `labels`: the model's output labels, in order.
 * Without them a plain `{ modelSource }` gets the module's default:
 * ClassificationModule like EFFICIENTNET_V2_S (no normalisation, ImageNet
 * labels), ImageSegmentationModule like DEEPLAB_V3_RESNET50 (ImageNet
 * normalisation, Pascal VOC labels).
 */
export interface ModelSpec {
  modelSource: ResourceSource;
  name?: string;
  normalization?: NativeNormalization | null;
  labels?: readonly string[];
}

/**
 * etvision::modelFromString: a built-in model's name (`'mobilenet_v2'`, as
 * `etvision models` lists them) gives that constant; a URL, a `file://` URI
 * or a path (text containing "://" or '/', or ending in .pte) gives
 * `{ modelSource, normalization: null }` (no normalisation, the module's
 * default labels). Anything else throws an EtvisionError with code
 * InvalidModelSource (120) naming the closest built-in names.
 */
export function modelFromString(nameOrSource: string): ModelSpec & { readonly modelSource: string } {
  const model = native.modelFromString(nameOrSource);
  if (model.builtin) return builtinModel(model.name);
  return Object.freeze({ modelSource: model.modelSource, normalization: null });
}
