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

/// Every built-in classification model, in the order `etvision models`
/// lists them.
ETVISION_API const std::vector<const ModelDescriptor*>& classificationModels();

/// The built-in model with this name, or nullptr.
ETVISION_API const ModelDescriptor* findModel(std::string_view name);

}  // namespace etvision
