#include "etvision/classification.h"

#include <opencv2/core.hpp>

#include <algorithm>
#include <numeric>
#include <thread>

#include "etvision/error.h"
#include "labels/label_sets.h"
#include "runtime/model_slot.h"
#include "tasks/batch_runner.h"
#include "tasks/input_preparation.h"
#include "tasks/softmax.h"

namespace etvision {

namespace {

/// What a loaded classifier needs besides the program itself.
struct ClassifierConfig {
  std::string name;
  std::optional<Normalization> normalization;
  std::shared_ptr<const std::vector<std::string>> labels;
};

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

detail::InputSpec inputSpecOf(const detail::ExecutorchModel& model,
                              const ClassifierConfig& config) {
  return {model.inputHeight(), model.inputWidth(), config.normalization};
}

// Copies the logits out of the runtime's memory (valid only until the next
// run), checking their count against the labels.
void takeLogits(const std::vector<detail::OutputView>& outputs, const ClassifierConfig& config,
                Classification& result) {
  const auto& logits = outputs.front().values;
  if (logits.size() != config.labels->size()) {
    throw Error(ErrorCode::InvalidModelOutput,
                "Unexpected classification output size: got " + std::to_string(logits.size()) +
                    " values for " + std::to_string(config.labels->size()) + " labels.");
  }
  result.logits.assign(logits.begin(), logits.end());
}

}  // namespace

struct ClassificationModule::State {
  detail::ModelSlot<ClassifierConfig> slot;
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
  auto program = detail::openModel(model, options.fetch);

  ClassifierConfig config{model.name, model.normalization,
                          model.labels.empty()
                              ? detail::imagenetLabels()
                              : std::make_shared<const std::vector<std::string>>(model.labels)};
  const std::size_t outputs = elementCount(program->outputShapes().front());
  if (outputs != config.labels->size()) {
    throw Error(ErrorCode::InvalidModelOutput,
                "Unexpected classification output size: model '" + model.modelSource +
                    "' outputs " + std::to_string(outputs) + " values but " +
                    std::to_string(config.labels->size()) +
                    " labels are known. Give the model's own labels in ModelDescriptor::labels.");
  }
  state_->slot.replace(std::move(program), std::move(config));
}

std::future<void> ClassificationModule::loadAsync(ModelDescriptor model,
                                                  ProgressCallback onProgress) {
  return std::async(std::launch::async,
                    [this, model = std::move(model), onProgress = std::move(onProgress)] {
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
  // Reading and decoding run before taking the model lock, so they overlap
  // with another thread's inference. Only the reduced decode needs the
  // model's input size first.
  detail::InputSpec spec;
  if (fastDecode) spec = state_->slot.use(inputSpecOf);
  const detail::DecodedImage decoded = detail::decodeForModel(image, limits, fastDecode, spec);

  Classification result;
  result.imageWidth = decoded.width;
  result.imageHeight = decoded.height;
  state_->slot.use([&](detail::ExecutorchModel& model, const ClassifierConfig& config) {
    detail::fillInput(decoded, inputSpecOf(model, config), model.input().data());
    takeLogits(model.run(), config, result);
    labels = config.labels;
  });

  result.probabilities = result.logits;
  detail::softmaxInPlace(result.probabilities);
  return result;
}

void ClassificationModule::classifyEach(
    std::span<const ImageSource> images, const ClassifyOptions& options,
    const std::function<void(BatchItem<Classification>&&)>& onItem) {
  const detail::InputSpec spec = state_->slot.use(inputSpecOf);
  const ImageReadLimits& limits = options.imageLimits;
  auto infer = [&](const ImageSource& image, const detail::PreparedInput& prepared) {
    Classification result;
    result.imageWidth = prepared.imageWidth;
    result.imageHeight = prepared.imageHeight;
    std::shared_ptr<const std::vector<std::string>> labels;
    state_->slot.use([&](detail::ExecutorchModel& model, const ClassifierConfig& config) {
      detail::loadPreparedInput(image, limits, options.fastDecode, prepared,
                                inputSpecOf(model, config), model.input());
      takeLogits(model.run(), config, result);
      labels = config.labels;
    });
    result.probabilities = result.logits;
    detail::softmaxInPlace(result.probabilities);
    result.categories = rankCategories(result.probabilities, *labels, options);
    return result;
  };
  detail::runBatch<Classification>(images, limits, options.fastDecode, spec, infer, onItem);
}

std::vector<BatchItem<Classification>> ClassificationModule::classifyBatch(
    std::span<const ImageSource> images, const ClassifyOptions& options) {
  std::vector<BatchItem<Classification>> items;
  items.reserve(images.size());
  classifyEach(images, options,
               [&](BatchItem<Classification>&& item) { items.push_back(std::move(item)); });
  return items;
}

std::future<Classification> ClassificationModule::classifyAsync(ImageSource image,
                                                                ClassifyOptions options) {
  return std::async(std::launch::async,
                    [this, image = std::move(image), options = std::move(options)] {
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
  state_->slot.reset();
}

bool ClassificationModule::isLoaded() const noexcept {
  return state_->slot.loaded();
}

ClassifierInfo ClassificationModule::info() const {
  return state_->slot.use([](detail::ExecutorchModel& model, const ClassifierConfig& config) {
    return ClassifierInfo{config.name, model.inputWidth(), model.inputHeight(),
                          config.labels->size()};
  });
}

}  // namespace etvision
