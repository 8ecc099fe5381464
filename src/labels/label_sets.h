// The label lists models are trained on, compiled in from data/labels/.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace etvision::detail {

/// ImageNet-1k in torchvision order, with the reference's long synonym
/// strings ("tench, Tinca tinca", ...). The two "crane" entries become
/// "crane(bird)" (134) and "crane(machine)" (517), as in the reference since
/// 0.7, so all 1000 keys are distinct.
std::shared_ptr<const std::vector<std::string>> imagenetLabels();

/// Pascal VOC's 21 classes in DeepLabV3 / FCN / LRASPP order, upper case as
/// in the reference's DeeplabLabel ("BACKGROUND", "AEROPLANE", ...).
std::shared_ptr<const std::vector<std::string>> vocLabels();

}  // namespace etvision::detail
