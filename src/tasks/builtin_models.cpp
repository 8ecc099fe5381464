#include "etvision/models.h"

namespace etvision {

const std::vector<const ModelDescriptor*>& classificationModels() {
  static const std::vector<const ModelDescriptor*> models{
      &EFFICIENTNET_V2_S, &EFFICIENTNET_V2_S_QUANTIZED, &MOBILENET_V2, &MOBILENET_V2_QUANTIZED};
  return models;
}

const ModelDescriptor* findModel(std::string_view name) {
  for (const ModelDescriptor* model : classificationModels()) {
    if (model->name == name) return model;
  }
  return nullptr;
}

}  // namespace etvision
