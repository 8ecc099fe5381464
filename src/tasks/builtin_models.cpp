#include "etvision/models.h"

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

}  // namespace etvision
