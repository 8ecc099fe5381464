#include "etvision/models.h"

#include <algorithm>
#include <string>

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

std::size_t editDistance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// Built-in names within a third of the typed name's length in edits, or that
// contain it, closest first.
std::string suggestionsFor(std::string_view typed) {
  std::vector<std::pair<std::size_t, std::string_view>> close;
  for (const auto* list : {&classificationModels(), &segmentationModels()}) {
    for (const ModelDescriptor* model : *list) {
      const std::size_t distance = editDistance(typed, model->name);
      const bool contains = typed.size() >= 3 && model->name.find(typed) != std::string::npos;
      if (distance <= std::max<std::size_t>(2, typed.size() / 3) || contains) {
        close.emplace_back(contains ? 0 : distance, model->name);
      }
    }
  }
  std::stable_sort(close.begin(), close.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string text;
  for (std::size_t i = 0; i < close.size() && i < 3; ++i) {
    text += (i == 0 ? "" : ", ") + std::string(close[i].second);
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
