// What a self-describing model carries: the models etvision's export tools
// write (python/) hold their task, preprocessing and labels in a constant
// method, so a .pte given by path runs exactly as it does by name.
//
// The method is kModelMetadataMethod, returning one JSON string:
//   {"etvision_model_metadata": 1, "task": "classification" | "segmentation",
//    "name": "...", "normalization": {"mean": [r, g, b], "std": [r, g, b]} | null,
//    "labels": "imagenet1k" | "voc21" | ["...", ...]}
// A label set named by string is one the library compiles in (the same
// strings its built-in models return); a list gives the labels themselves.
// python/etv_common.py writes it (model_metadata()); this file reads it.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "etvision/model.h"

namespace etvision::detail {

class ExecutorchModel;

inline constexpr const char* kModelMetadataMethod = "etvision_metadata";
inline constexpr int kModelMetadataVersion = 1;

enum class Task { Classification, Segmentation };

/// "classification" / "segmentation", as in the metadata.
std::string_view taskName(Task task) noexcept;

struct ModelMetadata {
  Task task = Task::Classification;
  std::string name;
  /// nullopt: the model takes [0, 1] RGB (it normalises inside, or not at all).
  std::optional<Normalization> normalization;
  /// In model output order; null when the metadata names none.
  std::shared_ptr<const std::vector<std::string>> labels;
};

/// Parses the metadata JSON; throws Error(InvalidConfig) naming what is wrong
/// (`where` names the model).
ModelMetadata parseModelMetadata(std::string_view json, const std::string& where);

/// The model's own metadata, or nullopt for a .pte without any (foreign
/// models, the reference's downloads). Throws InvalidConfig when present but
/// malformed.
std::optional<ModelMetadata> readModelMetadata(ExecutorchModel& model, const std::string& where);

}  // namespace etvision::detail
