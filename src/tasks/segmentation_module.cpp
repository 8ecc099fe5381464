#include "etvision/segmentation.h"

#include <algorithm>

#include "etvision/error.h"
#include "labels/label_sets.h"
#include "tasks/pixel_classes.h"
#include "tasks/task_core.h"

namespace etvision {

namespace {

using detail::TaskConfig;

/// Channels, height and width of a [1, C, H, W] (or [C, H, W]) output, or
/// InvalidModelOutput naming what is wrong.
struct OutputGeometry {
  int channels = 0;
  int height = 0;
  int width = 0;
};

OutputGeometry readGeometry(const std::vector<std::int64_t>& shape, std::size_t numLabels,
                            const std::string& where) {
  auto describe = [&] {
    std::string text = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) {
      text += (i ? ", " : "") + std::to_string(shape[i]);
    }
    return text + "]";
  };
  const bool rankOk = (shape.size() == 4 && shape[0] == 1) || shape.size() == 3;
  if (!rankOk) {
    throw Error(ErrorCode::InvalidModelOutput,
                where + " outputs " + describe() +
                    "; a segmentation model must output [1, C, H, W] class scores.");
  }
  const std::size_t offset = shape.size() - 3;
  OutputGeometry geometry{static_cast<int>(shape[offset]), static_cast<int>(shape[offset + 1]),
                          static_cast<int>(shape[offset + 2])};
  if (geometry.channels <= 0 || geometry.height <= 0 || geometry.width <= 0) {
    throw Error(ErrorCode::InvalidModelOutput, where + " outputs an empty map " + describe() + ".");
  }
  const std::size_t classes = geometry.channels == 1 ? 2 : geometry.channels;
  if (classes != numLabels) {
    throw Error(ErrorCode::InvalidModelOutput,
                where + " outputs " + describe() + ", i.e. " + std::to_string(classes) +
                    " classes, but " + std::to_string(numLabels) +
                    " labels are known. Give the model's own labels in ModelDescriptor::labels.");
  }
  return geometry;
}

std::vector<int> wantedClasses(const SegmentOptions& options,
                               const std::vector<std::string>& labels) {
  std::vector<int> wanted;
  if (options.allClasses) {
    for (std::size_t i = 0; i < labels.size(); ++i) wanted.push_back(static_cast<int>(i));
    return wanted;
  }
  return detail::labelIndices(options.classesOfInterest, labels, "classesOfInterest");
}

void checkOutputSize(const SegmentOptions& options) {
  if (options.outputSize &&
      (options.outputSize->first <= 0 || options.outputSize->second <= 0 ||
       static_cast<std::uint64_t>(options.outputSize->first) * options.outputSize->second >
           options.imageLimits.maxPixels)) {
    throw Error(
        ErrorCode::InvalidUserInput,
        "SegmentOptions::outputSize must be positive and within ImageReadLimits::maxPixels.");
  }
}

// Runs the model on the input `fill` writes, then turns its scores into the
// maps `options` ask for, for an image of the given size.
Segmentation segmentWith(const detail::TaskCore& core, const SegmentOptions& options,
                         int imageWidth, int imageHeight, const detail::FillInput& fill) {
  Segmentation result;
  result.imageWidth = imageWidth;
  result.imageHeight = imageHeight;
  std::vector<int> wanted;
  detail::PixelClasses classes;
  core.use([&](detail::ExecutorchModel& model, const TaskConfig& config) {
    // Validated before inference so a bad request costs nothing.
    wanted = wantedClasses(options, *config.labels);
    result.labels = config.labels;
    fill(model, config);
    const auto outputs = model.run();
    const auto geometry = readGeometry(outputs.front().shape, config.labels->size(), "The model");
    const std::size_t expected =
        static_cast<std::size_t>(geometry.channels) * geometry.height * geometry.width;
    if (outputs.front().values.size() != expected) {
      throw Error(ErrorCode::InvalidModelOutput,
                  "The model's output holds " + std::to_string(outputs.front().values.size()) +
                      " values, not the " + std::to_string(expected) + " its shape declares.");
    }
    // Per-pixel work happens under the lock because it reads the runtime's
    // output memory, which the next inference overwrites.
    classes = detail::classifyPixels(
        {outputs.front().values, geometry.channels, geometry.height, geometry.width}, wanted);
    result.width = geometry.width;
    result.height = geometry.height;
  });

  int targetWidth = result.width;
  int targetHeight = result.height;
  if (options.outputSize) {
    std::tie(targetWidth, targetHeight) = *options.outputSize;
  } else if (options.resize) {
    targetWidth = result.imageWidth;
    targetHeight = result.imageHeight;
  }
  const bool resample = targetWidth != result.width || targetHeight != result.height;
  result.argmax = resample ? detail::resizeClassMap(classes.argmax, result.width, result.height,
                                                    targetWidth, targetHeight)
                           : std::move(classes.argmax);
  for (std::size_t i = 0; i < wanted.size(); ++i) {
    auto& map = classes.probabilities[i];
    result.probabilities[(*result.labels)[wanted[i]]] =
        resample ? detail::resizeProbabilityMap(map, result.width, result.height, targetWidth,
                                                targetHeight)
                 : std::move(map);
  }
  result.width = targetWidth;
  result.height = targetHeight;
  return result;
}

}  // namespace

const char* deeplabLabelName(DeeplabLabel label) noexcept {
  const int value = static_cast<int>(label);
  if (label == DeeplabLabel::ARGMAX) return "ARGMAX";
  const auto labels = detail::vocLabels();
  if (value < 0 || value >= static_cast<int>(labels->size())) return nullptr;
  return (*labels)[static_cast<std::size_t>(value)].c_str();
}

std::vector<std::uint8_t> Segmentation::categoryMask() const {
  if (labels && labels->size() > 256) {
    throw Error(ErrorCode::InvalidModelOutput,
                "categoryMask() needs at most 256 classes; this model has " +
                    std::to_string(labels->size()) + ". Use argmax instead.");
  }
  std::vector<std::uint8_t> mask(argmax.size());
  std::transform(argmax.begin(), argmax.end(), mask.begin(),
                 [](std::int32_t c) { return static_cast<std::uint8_t>(c); });
  return mask;
}

std::vector<double> Segmentation::classShares() const {
  std::vector<double> shares(labels ? labels->size() : 0, 0.0);
  for (const std::int32_t c : argmax) {
    if (c >= 0 && static_cast<std::size_t>(c) < shares.size()) shares[c] += 1.0;
  }
  if (!argmax.empty()) {
    for (double& share : shares) share /= static_cast<double>(argmax.size());
  }
  return shares;
}

struct ImageSegmentationModule::State {
  detail::TaskCore core{detail::Task::Segmentation, detail::vocLabels()};
};

ImageSegmentationModule::ImageSegmentationModule() : state_(std::make_unique<State>()) {}

ImageSegmentationModule::~ImageSegmentationModule() {
  unload();
}

void ImageSegmentationModule::load(const ModelDescriptor& model, ProgressCallback onProgress) {
  LoadOptions options;
  options.fetch.onProgress = std::move(onProgress);
  load(model, options);
}

void ImageSegmentationModule::load(const ModelDescriptor& model, const LoadOptions& options) {
  state_->core.load(model, options,
                    [](const detail::ExecutorchModel& program, const TaskConfig& config) {
                      readGeometry(program.outputShapes().front(), config.labels->size(),
                                   "Model '" + config.source + "'");
                    });
}

std::future<void> ImageSegmentationModule::loadAsync(ModelDescriptor model,
                                                     ProgressCallback onProgress) {
  return detail::runAsync([this, model = std::move(model), onProgress = std::move(onProgress)] {
    load(model, onProgress);
  });
}

Segmentation ImageSegmentationModule::segment(const ImageSource& image,
                                              const SegmentOptions& options) {
  checkOutputSize(options);
  const detail::TaskCore& core = state_->core;
  return core.single(image, options.imageLimits, options.fastDecode,
                     [&](int width, int height, const detail::FillInput& fill) {
                       return segmentWith(core, options, width, height, fill);
                     });
}

void ImageSegmentationModule::segmentEach(
    std::span<const ImageSource> images, const SegmentOptions& options,
    const std::function<void(BatchItem<Segmentation>&&)>& onItem) {
  const detail::TaskCore& core = state_->core;
  auto run = [&](int width, int height, const detail::FillInput& fill) {
    checkOutputSize(options);
    return segmentWith(core, options, width, height, fill);
  };
  core.each<Segmentation>(images, options.imageLimits, options.fastDecode, run, onItem);
}

std::vector<BatchItem<Segmentation>> ImageSegmentationModule::segmentBatch(
    std::span<const ImageSource> images, const SegmentOptions& options) {
  return detail::collectBatch<Segmentation>(
      images.size(), [&](const auto& onItem) { segmentEach(images, options, onItem); });
}

Segmentation ImageSegmentationModule::forward(const ImageSource& image,
                                              const std::vector<DeeplabLabel>& classesOfInterest,
                                              bool resize) {
  SegmentOptions options;
  options.resize = resize;
  for (const DeeplabLabel label : classesOfInterest) {
    const char* name = label == DeeplabLabel::ARGMAX ? nullptr : deeplabLabelName(label);
    if (name == nullptr) {
      if (label == DeeplabLabel::ARGMAX) continue;  // always returned
      throw Error(ErrorCode::InvalidUserInput,
                  "Unknown DeeplabLabel value " + std::to_string(static_cast<int>(label)) +
                      " in classesOfInterest; valid values are 0 (BACKGROUND) to 20 (TVMONITOR).");
    }
    options.classesOfInterest.emplace_back(name);
  }
  return segment(image, options);
}

std::future<Segmentation> ImageSegmentationModule::segmentAsync(ImageSource image,
                                                                SegmentOptions options) {
  return detail::runAsync([this, image = std::move(image), options = std::move(options)] {
    return segment(image, options);
  });
}

void ImageSegmentationModule::unload() noexcept {
  state_->core.unload();
}

bool ImageSegmentationModule::isLoaded() const noexcept {
  return state_->core.loaded();
}

SegmenterInfo ImageSegmentationModule::info() const {
  return state_->core.use([](detail::ExecutorchModel& model, const TaskConfig& config) {
    const auto geometry =
        readGeometry(model.outputShapes().front(), config.labels->size(), "The model");
    return SegmenterInfo{config.name,          model.inputWidth(),      model.inputHeight(),
                         geometry.width,       geometry.height,         config.labels,
                         config.normalization, config.metadataFromModel};
  });
}

}  // namespace etvision
