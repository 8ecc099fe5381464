#include "tasks/model_metadata.h"

#include <nlohmann/json.hpp>

#include <cmath>

#include "etvision/error.h"
#include "labels/label_sets.h"
#include "runtime/executorch_model.h"

namespace etvision::detail {
namespace {

using nlohmann::json;

[[noreturn]] void malformed(const std::string& where, const std::string& what) {
  throw Error(ErrorCode::InvalidConfig, where + " carries malformed etvision metadata (" + what +
                                            "); re-export it with python/ or remove the '" +
                                            kModelMetadataMethod + "' method.");
}

std::array<float, 3> readTriple(const json& object, const char* key, bool positive,
                                const std::string& where) {
  const auto found = object.find(key);
  if (found == object.end() || !found->is_array() || found->size() != 3) {
    malformed(where, std::string("normalization.") + key + " must be 3 numbers");
  }
  std::array<float, 3> values{};
  for (std::size_t i = 0; i < 3; ++i) {
    const json& value = (*found)[i];
    if (!value.is_number() || !std::isfinite(value.get<double>()) ||
        (positive && value.get<double>() <= 0.0)) {
      malformed(where, std::string("normalization.") + key + " must be 3 finite numbers" +
                           (positive ? " above 0" : ""));
    }
    values[i] = value.get<float>();
  }
  return values;
}

}  // namespace

std::string_view taskName(Task task) noexcept {
  return task == Task::Classification ? "classification" : "segmentation";
}

ModelMetadata parseModelMetadata(std::string_view text, const std::string& where) {
  const json root = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded() || !root.is_object()) malformed(where, "not a JSON object");

  const auto version = root.find("etvision_model_metadata");
  if (version == root.end() || !version->is_number_integer()) {
    malformed(where, "no etvision_model_metadata version");
  }
  if (version->get<int>() != kModelMetadataVersion) {
    throw Error(ErrorCode::InvalidConfig,
                where + " carries etvision metadata version " +
                    std::to_string(version->get<int>()) + "; this etvision reads version " +
                    std::to_string(kModelMetadataVersion) + ". Use the etvision that exported it.");
  }

  ModelMetadata metadata;
  const auto task = root.find("task");
  if (task == root.end() || !task->is_string()) malformed(where, "no task");
  if (*task == taskName(Task::Classification)) {
    metadata.task = Task::Classification;
  } else if (*task == taskName(Task::Segmentation)) {
    metadata.task = Task::Segmentation;
  } else {
    malformed(where, "unknown task '" + task->get<std::string>() + "'");
  }

  if (const auto name = root.find("name"); name != root.end()) {
    if (!name->is_string()) malformed(where, "name must be a string");
    metadata.name = name->get<std::string>();
  }

  const auto normalization = root.find("normalization");
  if (normalization == root.end()) malformed(where, "no normalization (null for none)");
  if (!normalization->is_null()) {
    if (!normalization->is_object()) malformed(where, "normalization must be an object or null");
    metadata.normalization = Normalization{readTriple(*normalization, "mean", false, where),
                                           readTriple(*normalization, "std", true, where)};
  }

  if (const auto labels = root.find("labels"); labels != root.end()) {
    if (labels->is_string()) {
      const std::string set = labels->get<std::string>();
      if (set == "imagenet1k") {
        metadata.labels = imagenetLabels();
      } else if (set == "voc21") {
        metadata.labels = vocLabels();
      } else {
        malformed(where, "unknown label set '" + set + "' (known: imagenet1k, voc21)");
      }
    } else if (labels->is_array()) {
      std::vector<std::string> list;
      list.reserve(labels->size());
      for (const json& label : *labels) {
        if (!label.is_string()) malformed(where, "labels must be a set name or a list of strings");
        list.push_back(label.get<std::string>());
      }
      metadata.labels = std::make_shared<const std::vector<std::string>>(std::move(list));
    } else {
      malformed(where, "labels must be a set name or a list of strings");
    }
  }
  return metadata;
}

std::optional<ModelMetadata> readModelMetadata(ExecutorchModel& model, const std::string& where) {
  const std::optional<std::string> text = model.constantString(kModelMetadataMethod);
  if (!text) return std::nullopt;
  return parseModelMetadata(*text, where);
}

}  // namespace etvision::detail
