// The label lists models are trained on, compiled in from data/labels/.
#pragma once

#include <memory>
#include <string>
#include <string_view>
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

/// The indices of `names` among `labels`, in the order given, repeats
/// dropped: an exact match first, then a case-insensitive one ("person"
/// finds "PERSON"). Throws Error(InvalidUserInput) for an unknown name,
/// naming `option`, the closest labels and every label the model knows.
std::vector<int> labelIndices(const std::vector<std::string>& names,
                              const std::vector<std::string>& labels, std::string_view option);

}  // namespace etvision::detail
