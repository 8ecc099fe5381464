#include "etvision/classification.h"

#include <algorithm>
#include <numeric>

#include "etvision/error.h"
#include "labels/label_sets.h"
#include "tasks/softmax.h"
#include "tasks/task_core.h"

namespace etvision {

namespace {

using detail::TaskConfig;

std::size_t elementCount(const std::vector<std::int64_t>& shape) {
  return std::accumulate(
      shape.begin(), shape.end(), std::size_t{1},
      [](std::size_t a, std::int64_t b) { return a * static_cast<std::size_t>(b); });
}

std::vector<Category> rankCategories(const std::vector<float>& probabilities,
                                     const std::vector<std::string>& labels,
                                     const ClassifyOptions& options) {
  std::vector<int> order(probabilities.size());
  std::iota(order.begin(), order.end(), 0);
  const std::size_t keep =
      options.maxResults == 0 ? order.size() : std::min(options.maxResults, order.size());
  // Ties go to the lower index, so rankings are deterministic.
  auto higher = [&](int a, int b) {
    return probabilities[a] != probabilities[b] ? probabilities[a] > probabilities[b] : a < b;
  };
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(keep), order.end(),
                    higher);
  std::vector<Category> categories;
  categories.reserve(keep);
  for (std::size_t i = 0; i < keep; ++i) {
    const int index = order[i];
    if (probabilities[index] < options.scoreThreshold) break;
    categories.push_back(Category{index, labels[index], probabilities[index]});
  }
  return categories;
}

// Refuses, at load, a model whose output count differs from its labels.
void checkOutputs(const detail::ExecutorchModel& model, const TaskConfig& config) {
  const std::size_t outputs = elementCount(model.outputShapes().front());
  if (outputs != config.labels->size()) {
    throw Error(ErrorCode::InvalidModelOutput,
                "Unexpected classification output size: model '" + config.source + "' outputs " +
                    std::to_string(outputs) + " values but " +
                    std::to_string(config.labels->size()) +
                    " labels are known. Give the model's own labels in ModelDescriptor::labels.");
  }
}

// Runs the model on the input `fill` writes and softmaxes its logits;
// `labels` receives the model's labels.
Classification inferWith(const detail::TaskCore& core, int imageWidth, int imageHeight,
                         const detail::FillInput& fill,
                         std::shared_ptr<const std::vector<std::string>>& labels) {
  Classification result;
  result.imageWidth = imageWidth;
  result.imageHeight = imageHeight;
  core.use([&](detail::ExecutorchModel& model, const TaskConfig& config) {
    fill(model, config);
    // The logits live in the runtime's memory only until the next run.
    const auto outputs = model.run();
    const std::span<const float> logits = outputs.front().values;
    if (logits.size() != config.labels->size()) {
      throw Error(ErrorCode::InvalidModelOutput,
                  "Unexpected classification output size: got " + std::to_string(logits.size()) +
                      " values for " + std::to_string(config.labels->size()) + " labels.");
    }
    result.logits.assign(logits.begin(), logits.end());
    labels = config.labels;
  });
  result.probabilities = result.logits;
  detail::softmaxInPlace(result.probabilities);
  return result;
}

}  // namespace

struct ClassificationModule::State {
  detail::TaskCore core{detail::Task::Classification, detail::imagenetLabels()};
};

ClassificationModule::ClassificationModule() : state_(std::make_unique<State>()) {}

ClassificationModule::~ClassificationModule() {
  unload();
}

void ClassificationModule::load(const ModelDescriptor& model, ProgressCallback onProgress) {
  LoadOptions options;
  options.fetch.onProgress = std::move(onProgress);
  load(model, options);
}

void ClassificationModule::load(const ModelDescriptor& model, const LoadOptions& options) {
  state_->core.load(model, options, checkOutputs);
}

std::future<void> ClassificationModule::loadAsync(ModelDescriptor model,
                                                  ProgressCallback onProgress) {
  return detail::runAsync([this, model = std::move(model), onProgress = std::move(onProgress)] {
    load(model, onProgress);
  });
}

Classification ClassificationModule::classify(const ImageSource& image,
                                              const ClassifyOptions& options) {
  std::shared_ptr<const std::vector<std::string>> labels;
  Classification result = infer(image, options.imageLimits, options.fastDecode, labels);
  result.categories = rankCategories(result.probabilities, *labels, options);
  return result;
}

Classification ClassificationModule::infer(
    const ImageSource& image, const ImageReadLimits& limits, bool fastDecode,
    std::shared_ptr<const std::vector<std::string>>& labels) {
  const detail::TaskCore& core = state_->core;
  return core.single(image, limits, fastDecode,
                     [&](int width, int height, const detail::FillInput& fill) {
                       return inferWith(core, width, height, fill, labels);
                     });
}

void ClassificationModule::classifyEach(
    std::span<const ImageSource> images, const ClassifyOptions& options,
    const std::function<void(BatchItem<Classification>&&)>& onItem) {
  const detail::TaskCore& core = state_->core;
  auto run = [&](int width, int height, const detail::FillInput& fill) {
    std::shared_ptr<const std::vector<std::string>> labels;
    Classification result = inferWith(core, width, height, fill, labels);
    result.categories = rankCategories(result.probabilities, *labels, options);
    return result;
  };
  core.each<Classification>(images, options.imageLimits, options.fastDecode, run, onItem);
}

std::vector<BatchItem<Classification>> ClassificationModule::classifyBatch(
    std::span<const ImageSource> images, const ClassifyOptions& options) {
  return detail::collectBatch<Classification>(
      images.size(), [&](const auto& onItem) { classifyEach(images, options, onItem); });
}

std::future<Classification> ClassificationModule::classifyAsync(ImageSource image,
                                                                ClassifyOptions options) {
  return detail::runAsync([this, image = std::move(image), options = std::move(options)] {
    return classify(image, options);
  });
}

std::unordered_map<std::string, float> ClassificationModule::forward(const ImageSource& image) {
  // The seed's result is unsorted, so no ranking: label -> probability.
  std::shared_ptr<const std::vector<std::string>> labels;
  const Classification result = infer(image, {}, false, labels);
  std::unordered_map<std::string, float> byLabel;
  byLabel.reserve(result.probabilities.size());
  for (std::size_t i = 0; i < result.probabilities.size(); ++i) {
    byLabel.emplace((*labels)[i], result.probabilities[i]);
  }
  return byLabel;
}

void ClassificationModule::unload() noexcept {
  state_->core.unload();
}

bool ClassificationModule::isLoaded() const noexcept {
  return state_->core.loaded();
}

ClassifierInfo ClassificationModule::info() const {
  return state_->core.use([](detail::ExecutorchModel& model, const TaskConfig& config) {
    return ClassifierInfo{config.name,           model.inputWidth(),   model.inputHeight(),
                          config.labels->size(), config.normalization, config.metadataFromModel};
  });
}

}  // namespace etvision
