// Model constants: the reference's, plus etvision's bundled offline models.
// Their sources come from the C++ library's built-in descriptors (models.h).
import { native, type NativeNormalization } from './native';

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

/** An exported model constant. */
export interface BuiltinModel {
  readonly modelSource: string;
  readonly name: string;
}

const builtins = native.builtinModels();

function builtin(name: string): BuiltinModel {
  const entry = builtins[name];
  if (!entry) throw new Error(`etvision: the native library has no built-in model '${name}'`);
  return Object.freeze({ modelSource: entry.modelSource, name });
}

// Classification (ImageNet-1k).
export const EFFICIENTNET_V2_S = builtin('efficientnet_v2_s');
export const EFFICIENTNET_V2_S_QUANTIZED = builtin('efficientnet_v2_s_quantized');
/** Bundled with etvision: works offline. */
export const MOBILENET_V2 = builtin('mobilenet_v2');
/** Bundled with etvision: works offline. */
export const MOBILENET_V2_QUANTIZED = builtin('mobilenet_v2_quantized');

// Segmentation (Pascal VOC, 21 classes).
export const DEEPLAB_V3_RESNET50 = builtin('deeplab_v3_resnet50');
export const DEEPLAB_V3_RESNET50_QUANTIZED = builtin('deeplab_v3_resnet50_quantized');
export const DEEPLAB_V3_RESNET101 = builtin('deeplab_v3_resnet101');
export const DEEPLAB_V3_RESNET101_QUANTIZED = builtin('deeplab_v3_resnet101_quantized');
export const DEEPLAB_V3_MOBILENET_V3_LARGE = builtin('deeplab_v3_mobilenet_v3_large');
export const DEEPLAB_V3_MOBILENET_V3_LARGE_QUANTIZED = builtin('deeplab_v3_mobilenet_v3_large_quantized');
export const LRASPP_MOBILENET_V3_LARGE = builtin('lraspp_mobilenet_v3_large');
export const LRASPP_MOBILENET_V3_LARGE_QUANTIZED = builtin('lraspp_mobilenet_v3_large_quantized');
export const FCN_RESNET50 = builtin('fcn_resnet50');
export const FCN_RESNET50_QUANTIZED = builtin('fcn_resnet50_quantized');
export const FCN_RESNET101 = builtin('fcn_resnet101');
export const FCN_RESNET101_QUANTIZED = builtin('fcn_resnet101_quantized');

// Person vs background (labels BACKGROUND, PERSON).
export const SELFIE_SEGMENTATION = builtin('selfie_segmentation');
/** Bundled with etvision: works offline. */
export const MEDIAPIPE_SELFIE = builtin('mediapipe_selfie');
