#include "tasks/task_core.h"

#include <cstdio>

#include "etvision/error.h"

namespace etvision::detail {
namespace {

std::string describe(const std::optional<Normalization>& normalization) {
  if (!normalization) return "none ([0, 1] input)";
  char text[160];
  const auto& m = normalization->mean;
  const auto& s = normalization->stddev;
  std::snprintf(text, sizeof text, "mean [%g, %g, %g], std [%g, %g, %g]", m[0], m[1], m[2], s[0],
                s[1], s[2]);
  return text;
}

bool same(const Normalization& a, const Normalization& b) {
  return a.mean == b.mean && a.stddev == b.stddev;
}

}  // namespace

InputSpec inputSpecOf(const ExecutorchModel& model, const TaskConfig& config) {
  return {model.inputHeight(), model.inputWidth(), config.normalization};
}

TaskCore::TaskCore(Task task, std::shared_ptr<const std::vector<std::string>> defaultLabels)
    : task_(task), defaultLabels_(std::move(defaultLabels)) {}

void TaskCore::load(const ModelDescriptor& model, const LoadOptions& options,
                    const std::function<void(const ExecutorchModel&, const TaskConfig&)>& check) {
  auto program = openModel(model, options.fetch);
  const std::string where = "Model '" + model.modelSource + "'";
  TaskConfig config = settleConfig(model, readModelMetadata(*program, where), where);
  check(*program, config);
  slot_.replace(std::move(program), std::move(config));
}

TaskConfig TaskCore::settleConfig(const ModelDescriptor& model,
                                  std::optional<ModelMetadata> embedded,
                                  const std::string& where) const {
  TaskConfig config;
  config.name = model.name.empty() ? model.modelSource : model.name;
  config.source = model.modelSource;
  config.normalization = model.normalization;
  if (embedded) {
    // A model given by path (modelFromString names it by its source) goes by
    // the name it carries.
    if (!embedded->name.empty() && (model.name.empty() || model.name == model.modelSource)) {
      config.name = embedded->name;
    }
    if (embedded->task != task_) {
      const bool segmenter = embedded->task == Task::Segmentation;
      throw Error(ErrorCode::InvalidUserInput,
                  where + " is a " + std::string(taskName(embedded->task)) +
                      " model (its metadata says so); load it with " +
                      (segmenter ? "ImageSegmentationModule ('etvision segment')"
                                 : "ClassificationModule ('etvision classify')") +
                      ".");
    }
    // The model's own preprocessing is the truth about its program; a
    // descriptor may repeat it but not contradict it.
    if (model.normalization &&
        (!embedded->normalization || !same(*model.normalization, *embedded->normalization))) {
      throw Error(ErrorCode::InvalidUserInput,
                  "The descriptor's normalisation (" + describe(model.normalization) +
                      ") differs from the one " + where + " carries (" +
                      describe(embedded->normalization) +
                      "); leave ModelDescriptor::normalization unset (CLI: drop --normalize) to "
                      "use the model's.");
    }
    config.normalization = embedded->normalization;
    config.metadataFromModel = true;
  }

  if (!model.labels.empty()) {
    config.labels = std::make_shared<const std::vector<std::string>>(model.labels);
  } else if (embedded && embedded->labels) {
    config.labels = std::move(embedded->labels);
  } else {
    config.labels = defaultLabels_;
  }
  return config;
}

}  // namespace etvision::detail
