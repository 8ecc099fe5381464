// Built-in model descriptors: the reference's model constants plus the models
// bundled with etvision for offline use.
//
// The EfficientNetV2-S files are react-native-executorch's own .pte files
// (downloaded on first load, then cached). Their normalisation is inside the
// model, so the descriptor applies none.
#pragma once

#include <string_view>
#include <vector>

#include "etvision/export.h"
#include "etvision/model.h"

namespace etvision {

namespace detail {
inline constexpr std::string_view kReferenceModelBase =
    "https://huggingface.co/software-mansion/react-native-executorch-";
}

/// EfficientNetV2-S, ImageNet-1k, fp32 (85.7 MB). The reference's default.
inline const ModelDescriptor EFFICIENTNET_V2_S{
    .name = "efficientnet_v2_s",
    .modelSource = std::string(detail::kReferenceModelBase) +
                   "efficientnet-v2-s/resolve/v0.9.0/xnnpack/"
                   "efficientnet_v2_s_xnnpack_fp32.pte",
    .sha256 = "",
    .normalization = std::nullopt,
    .labels = {},
    .description = "EfficientNetV2-S, ImageNet-1k, fp32, 85.7 MB download"};

/// EfficientNetV2-S, int8 (22.9 MB).
inline const ModelDescriptor EFFICIENTNET_V2_S_QUANTIZED{
    .name = "efficientnet_v2_s_quantized",
    .modelSource = std::string(detail::kReferenceModelBase) +
                   "efficientnet-v2-s/resolve/v0.9.0/xnnpack/"
                   "efficientnet_v2_s_xnnpack_int8.pte",
    .sha256 = "",
    .normalization = std::nullopt,
    .labels = {},
    .description = "EfficientNetV2-S, ImageNet-1k, int8, 22.9 MB download"};

/// MobileNetV2, ImageNet-1k, fp32, bundled (works offline). Real torchvision
/// weights; see models/mobilenet_v2/PROVENANCE.md.
inline const ModelDescriptor MOBILENET_V2{
    .name = "mobilenet_v2",
    .modelSource = "bundled:mobilenet_v2/mobilenet_v2_xnnpack_fp32.pte",
    .sha256 = "",
    .normalization = kImageNetNormalization,
    .labels = {},
    .description = "MobileNetV2, ImageNet-1k, fp32, bundled (offline)"};

/// MobileNetV2, int8, bundled.
inline const ModelDescriptor MOBILENET_V2_QUANTIZED{
    .name = "mobilenet_v2_quantized",
    .modelSource = "bundled:mobilenet_v2/mobilenet_v2_xnnpack_int8.pte",
    .sha256 = "",
    .normalization = kImageNetNormalization,
    .labels = {},
    .description = "MobileNetV2, ImageNet-1k, int8, bundled (offline)"};

/// Pascal VOC segmentation models (21 classes, see DeeplabLabel in
/// segmentation.h) as the reference ships them: torchvision architectures,
/// ImageNet mean/std applied outside the model, downloaded on first use.
inline const ModelDescriptor DEEPLAB_V3_RESNET50{
    .name = "deeplab_v3_resnet50",
    .modelSource = std::string(detail::kReferenceModelBase) +
                   "deeplab-v3/resolve/v0.9.0/xnnpack/deeplab_v3_resnet50_xnnpack_fp32.pte",
    .sha256 = "",
    .normalization = kImageNetNormalization,
    .labels = {},
    .description =
        "DeepLabV3-ResNet50, Pascal VOC, fp32, 168 MB download (the reference's default)"};
inline const ModelDescriptor DEEPLAB_V3_RESNET50_QUANTIZED{
    .name = "deeplab_v3_resnet50_quantized",
    .modelSource = std::string(detail::kReferenceModelBase) +
                   "deeplab-v3/resolve/v0.9.0/xnnpack/deeplab_v3_resnet50_xnnpack_int8.pte",
    .sha256 = "",
    .normalization = kImageNetNormalization,
    .labels = {},
    .description = "DeepLabV3-ResNet50, Pascal VOC, int8, 42.4 MB download"};
inline const ModelDescriptor DEEPLAB_V3_RESNET101{
    .name = "deeplab_v3_resnet101",
    .modelSource = std::string(detail::kReferenceModelBase) +
                   "deeplab-v3/resolve/v0.9.0/xnnpack/deeplab_v3_resnet101_xnnpack_fp32.pte",
    .sha256 = "",
    .normalization = kImageNetNormalization,
    .labels = {},
    .description = "DeepLabV3-ResNet101, Pascal VOC, fp32, 244 MB download"};
inline const ModelDescriptor DEEPLAB_V3_RESNET101_QUANTIZED{
    .name = "deeplab_v3_resnet101_quantized",
    .modelSource = std::string(detail::kReferenceModelBase) +
                   "deeplab-v3/resolve/v0.9.0/xnnpack/deeplab_v3_resnet101_xnnpack_int8.pte",
    .sha256 = "",
    .normalization = kImageNetNormalization,
    .labels = {},
    .description = "DeepLabV3-ResNet101, Pascal VOC, int8, 61.7 MB download"};
inline const ModelDescriptor DEEPLAB_V3_MOBILENET_V3_LARGE{
    .name = "deeplab_v3_mobilenet_v3_large",
    .modelSource =
        std::string(detail::kReferenceModelBase) +
        "deeplab-v3/resolve/v0.9.0/xnnpack/deeplab_v3_mobilenet_v3_large_xnnpack_fp32.pte",
    .sha256 = "",
    .normalization = kImageNetNormalization,
    .labels = {},
    .description = "DeepLabV3-MobileNetV3-Large, Pascal VOC, fp32, 44.1 MB download"};
inline const ModelDescriptor DEEPLAB_V3_MOBILENET_V3_LARGE_QUANTIZED{
    .name = "deeplab_v3_mobilenet_v3_large_quantized",
    .modelSource =
        std::string(detail::kReferenceModelBase) +
        "deeplab-v3/resolve/v0.9.0/xnnpack/deeplab_v3_mobilenet_v3_large_xnnpack_int8.pte",
    .sha256 = "",
    .normalization = kImageNetNormalization,
    .labels = {},
    .description = "DeepLabV3-MobileNetV3-Large, Pascal VOC, int8, 11.4 MB download"};
inline const ModelDescriptor LRASPP_MOBILENET_V3_LARGE{
    .name = "lraspp_mobilenet_v3_large",
    .modelSource = std::string(detail::kReferenceModelBase) +
                   "lraspp/resolve/v0.9.0/xnnpack/lraspp_mobilenet_v3_large_xnnpack_fp32.pte",
    .sha256 = "",
    .normalization = kImageNetNormalization,
    .labels = {},
    .description = "LRASPP-MobileNetV3-Large, Pascal VOC, fp32, 12.9 MB download"};
inline const ModelDescriptor LRASPP_MOBILENET_V3_LARGE_QUANTIZED{
    .name = "lraspp_mobilenet_v3_large_quantized",
    .modelSource = std::string(detail::kReferenceModelBase) +
                   "lraspp/resolve/v0.9.0/xnnpack/lraspp_mobilenet_v3_large_xnnpack_int8.pte",
    .sha256 = "",
    .normalization = kImageNetNormalization,
    .labels = {},
    .description = "LRASPP-MobileNetV3-Large, Pascal VOC, int8, 3.5 MB download"};
inline const ModelDescriptor FCN_RESNET50{
    .name = "fcn_resnet50",
    .modelSource = std::string(detail::kReferenceModelBase) +
                   "fcn/resolve/v0.9.0/xnnpack/fcn_resnet50_xnnpack_fp32.pte",
    .sha256 = "",
    .normalization = kImageNetNormalization,
    .labels = {},
    .description = "FCN-ResNet50, Pascal VOC, fp32, 141 MB download"};
inline const ModelDescriptor FCN_RESNET50_QUANTIZED{
    .name = "fcn_resnet50_quantized",
    .modelSource = std::string(detail::kReferenceModelBase) +
                   "fcn/resolve/v0.9.0/xnnpack/fcn_resnet50_xnnpack_int8.pte",
    .sha256 = "",
    .normalization = kImageNetNormalization,
    .labels = {},
    .description = "FCN-ResNet50, Pascal VOC, int8"};
inline const ModelDescriptor FCN_RESNET101{
    .name = "fcn_resnet101",
    .modelSource = std::string(detail::kReferenceModelBase) +
                   "fcn/resolve/v0.9.0/xnnpack/fcn_resnet101_xnnpack_fp32.pte",
    .sha256 = "",
    .normalization = kImageNetNormalization,
    .labels = {},
    .description = "FCN-ResNet101, Pascal VOC, fp32, 217 MB download"};
inline const ModelDescriptor FCN_RESNET101_QUANTIZED{
    .name = "fcn_resnet101_quantized",
    .modelSource = std::string(detail::kReferenceModelBase) +
                   "fcn/resolve/v0.9.0/xnnpack/fcn_resnet101_xnnpack_int8.pte",
    .sha256 = "",
    .normalization = kImageNetNormalization,
    .labels = {},
    .description = "FCN-ResNet101, Pascal VOC, int8"};

/// Person vs background, the reference's 2-class selfie model (input [0, 1],
/// no normalisation; one sigmoid output channel).
inline const ModelDescriptor SELFIE_SEGMENTATION{
    .name = "selfie_segmentation",
    .modelSource = std::string(detail::kReferenceModelBase) +
                   "selfie-segmentation/resolve/v0.9.0/xnnpack/selfie-segmentation.pte",
    .sha256 = "",
    .normalization = std::nullopt,
    .labels = {"BACKGROUND", "PERSON"},
    .description = "Selfie segmentation (person vs background), download"};

/// Google MediaPipe's selfie segmentation (general, 256x256), converted from
/// its TFLite original and bundled (works offline). Apache-2.0; see
/// models/selfie_segmentation/PROVENANCE.md.
inline const ModelDescriptor MEDIAPIPE_SELFIE{
    .name = "mediapipe_selfie",
    .modelSource = "bundled:selfie_segmentation/selfie_segmentation_xnnpack_fp32.pte",
    .sha256 = "",
    .normalization = std::nullopt,
    .labels = {"BACKGROUND", "PERSON"},
    .description = "MediaPipe selfie segmentation (person vs background), bundled (offline)"};

/// Every built-in classification model, in the order `etvision models`
/// lists them.
ETVISION_API const std::vector<const ModelDescriptor*>& classificationModels();

/// Every built-in segmentation model, in the order `etvision models` lists
/// them.
ETVISION_API const std::vector<const ModelDescriptor*>& segmentationModels();

/// The built-in model (classification or segmentation) with this name, or
/// nullptr.
ETVISION_API const ModelDescriptor* findModel(std::string_view name);

/// What a user typed as a model (the CLI's --model, the bindings' load()):
/// a built-in name (findModel), else a model source, i.e. an http(s) URL, a
/// file:// URI or a path (text containing "://" or '/', or ending in .pte),
/// which gives a custom descriptor named after it with no normalisation and
/// the task's default labels. Throws Error(InvalidModelSource) for anything
/// else, suggesting the closest built-in names.
ETVISION_API ModelDescriptor modelFromString(std::string_view nameOrSource);

}  // namespace etvision
