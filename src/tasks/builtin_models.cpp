#include "etvision/models.h"

#include <algorithm>
#include <string>

#include "common/closest_names.h"
#include "etvision/error.h"

namespace etvision {

const std::vector<const ModelDescriptor*>& classificationModels() {
  static const std::vector<const ModelDescriptor*> models{
      &EFFICIENTNET_V2_S, &EFFICIENTNET_V2_S_QUANTIZED, &MOBILENET_V2, &MOBILENET_V2_QUANTIZED};
  return models;
}

const std::vector<const ModelDescriptor*>& segmentationModels() {
  static const std::vector<const ModelDescriptor*> models{&DEEPLAB_V3_RESNET50,
                                                          &DEEPLAB_V3_RESNET50_QUANTIZED,
                                                          &DEEPLAB_V3_RESNET101,
                                                          &DEEPLAB_V3_RESNET101_QUANTIZED,
                                                          &DEEPLAB_V3_MOBILENET_V3_LARGE,
                                                          &DEEPLAB_V3_MOBILENET_V3_LARGE_QUANTIZED,
                                                          &LRASPP_MOBILENET_V3_LARGE,
                                                          &LRASPP_MOBILENET_V3_LARGE_QUANTIZED,
                                                          &FCN_RESNET50,
                                                          &FCN_RESNET50_QUANTIZED,
                                                          &FCN_RESNET101,
                                                          &FCN_RESNET101_QUANTIZED,
                                                          &SELFIE_SEGMENTATION,
                                                          &MEDIAPIPE_SELFIE};
  return models;
}

const ModelDescriptor* findModel(std::string_view name) {
  for (const auto* list : {&classificationModels(), &segmentationModels()}) {
    for (const ModelDescriptor* model : *list) {
      if (model->name == name) return model;
    }
  }
  return nullptr;
}

namespace {

bool looksLikeModelSource(std::string_view text) {
  return text.find("://") != std::string_view::npos || text.find('/') != std::string_view::npos ||
         text.ends_with(".pte");
}

// Up to three built-in names close to the typed one, closest first.
std::string suggestionsFor(std::string_view typed) {
  std::vector<std::string_view> names;
  for (const auto* list : {&classificationModels(), &segmentationModels()}) {
    for (const ModelDescriptor* model : *list) names.push_back(model->name);
  }
  std::string text;
  for (const std::string& name : detail::closestNames(typed, names)) {
    text += (text.empty() ? "" : ", ") + name;
  }
  return text;
}

}  // namespace

ModelDescriptor modelFromString(std::string_view nameOrSource) {
  if (const ModelDescriptor* builtin = findModel(nameOrSource)) return *builtin;
  if (looksLikeModelSource(nameOrSource)) {
    ModelDescriptor custom;
    custom.name = std::string(nameOrSource);
    custom.modelSource = std::string(nameOrSource);
    return custom;
  }
  const std::string suggestions = suggestionsFor(nameOrSource);
  throw Error(ErrorCode::InvalidModelSource,
              "Unknown model '" + std::string(nameOrSource) + "'." +
                  (suggestions.empty() ? "" : " Did you mean: " + suggestions + "?") +
                  " Use a name from 'etvision models', a URL, a file:// URI or a .pte path.");
}

}  // namespace etvision
