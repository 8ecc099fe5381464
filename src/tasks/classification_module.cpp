#include "etvision/classification.h"

#include <opencv2/core.hpp>

#include <algorithm>
#include <numeric>
#include <thread>

#include "etvision/error.h"
#include "image/image_loader.h"
#include "image/preprocess.h"
#include "labels/label_sets.h"
#include "runtime/model_slot.h"
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
  Classification result = infer(image, options.imageLimits, labels);
  result.categories = rankCategories(result.probabilities, *labels, options);
  return result;
}

Classification ClassificationModule::infer(
    const ImageSource& image, const ImageReadLimits& limits,
    std::shared_ptr<const std::vector<std::string>>& labels) {
  // Reading and decoding run before taking the model lock, so they overlap
  // with another thread's inference.
  const cv::Mat rgb = detail::loadRgbImage(image, limits);

  Classification result;
  result.imageWidth = rgb.cols;
  result.imageHeight = rgb.rows;
  state_->slot.use([&](detail::ExecutorchModel& model, const ClassifierConfig& config) {
    detail::preprocessToNchw(rgb, model.inputHeight(), model.inputWidth(), config.normalization,
                             model.input().data());
    const auto outputs = model.run();
    const auto& logits = outputs.front().values;
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
  const Classification result = infer(image, {}, labels);
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
