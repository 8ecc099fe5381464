// Semantic segmentation: react-native-executorch's ImageSegmentationModule.
//
//   etvision::ImageSegmentationModule segmenter;
//   segmenter.load(etvision::DEEPLAB_V3_RESNET50);
//   auto result = segmenter.forward("photo.jpg", {etvision::DeeplabLabel::PERSON}, true);
//   // result.argmax: class index per pixel; result.probabilities.at("PERSON")
//
// Lifecycle, threading and errors are those of ClassificationModule (see
// classification.h): every method is thread-safe, inferences are serialised,
// unload() waits for a running inference, forward before load / after unload
// throws ModuleNotLoaded.
//
// The model takes one float32 [1, 3, H, W] RGB input (preprocessed like a
// classifier's) and returns [1, C, H', W'] scores: C raw logits per pixel
// (softmax over C is applied here), or C = 1, a foreground probability (the
// selfie model), whose background is its complement. H' x W' is read from the
// output tensor, never assumed. The labels come from the descriptor, else the
// model's own metadata (model.h), else Pascal VOC's 21; their count must
// match C (2 for C = 1), else InvalidModelOutput.
#pragma once

#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "etvision/batch.h"
#include "etvision/classification.h"
#include "etvision/export.h"
#include "etvision/image_source.h"
#include "etvision/model.h"

namespace etvision {

/// Pascal VOC classes in DeepLabV3 / FCN / LRASPP output order, with the
/// reference's values; ARGMAX is the result key of the argmax map.
enum class DeeplabLabel : int {
  BACKGROUND = 0,
  AEROPLANE,
  BICYCLE,
  BIRD,
  BOAT,
  BOTTLE,
  BUS,
  CAR,
  CAT,
  CHAIR,
  COW,
  DININGTABLE,
  DOG,
  HORSE,
  MOTORBIKE,
  PERSON,
  POTTEDPLANT,
  SHEEP,
  SOFA,
  TRAIN,
  TVMONITOR,
  ARGMAX = 21,
};

/// "BACKGROUND", ..., "TVMONITOR", "ARGMAX"; nullptr for other values.
ETVISION_API const char* deeplabLabelName(DeeplabLabel label) noexcept;

struct SegmentOptions {
  /// Labels whose probability maps to return; empty returns the argmax map
  /// only. Unknown labels throw InvalidUserInput.
  std::vector<std::string> classesOfInterest;
  /// Return every class's probability map (overrides classesOfInterest).
  bool allClasses = false;
  /// Maps at the original image size (argmax: nearest neighbour;
  /// probabilities: bilinear) instead of the model's output size.
  bool resize = false;
  /// Maps at this exact size (width, height); overrides `resize`.
  std::optional<std::pair<int, int>> outputSize;
  ImageReadLimits imageLimits;
  /// Opt-in reduced JPEG decode for photos much larger than the model input;
  /// see ClassifyOptions::fastDecode for its effect. `resize` still gives
  /// maps at the full image size.
  bool fastDecode = false;
};

struct ETVISION_API Segmentation {
  /// Size of the maps below.
  int width = 0;
  int height = 0;
  /// Class index per pixel, row-major, width * height; ties between classes
  /// go to the lower index.
  std::vector<std::int32_t> argmax;
  /// Softmax probability per pixel for each requested class, by label.
  std::map<std::string, std::vector<float>> probabilities;
  /// The model's labels; argmax values index this list.
  std::shared_ptr<const std::vector<std::string>> labels;
  /// Size of the decoded input image.
  int imageWidth = 0;
  int imageHeight = 0;

  /// The argmax map as one byte per pixel (the class index); throws
  /// InvalidModelOutput for models with more than 256 classes.
  std::vector<std::uint8_t> categoryMask() const;
  /// Share of pixels per class index (sums to 1), from the argmax map.
  std::vector<double> classShares() const;
};

struct SegmenterInfo {
  std::string name;
  int inputWidth = 0;
  int inputHeight = 0;
  int outputWidth = 0;
  int outputHeight = 0;
  std::shared_ptr<const std::vector<std::string>> labels;
  /// See ClassifierInfo::normalization and metadataFromModel.
  std::optional<Normalization> normalization;
  bool metadataFromModel = false;
};

class ETVISION_API ImageSegmentationModule {
 public:
  ImageSegmentationModule();
  ~ImageSegmentationModule();
  ImageSegmentationModule(const ImageSegmentationModule&) = delete;
  ImageSegmentationModule& operator=(const ImageSegmentationModule&) = delete;

  void load(const ModelDescriptor& model, ProgressCallback onProgress = {});
  void load(const ModelDescriptor& model, const LoadOptions& options);
  std::future<void> loadAsync(ModelDescriptor model, ProgressCallback onProgress = {});

  /// The seed API: the argmax map plus the probability maps of
  /// `classesOfInterest`, at the model's output size or, with `resize`, the
  /// image's size.
  Segmentation forward(const ImageSource& image,
                       const std::vector<DeeplabLabel>& classesOfInterest = {},
                       bool resize = false);

  /// Everything, per SegmentOptions.
  Segmentation segment(const ImageSource& image, const SegmentOptions& options = {});
  std::future<Segmentation> segmentAsync(ImageSource image, SegmentOptions options = {});

  /// Segments `images` in order, preparing the next images on a worker
  /// thread (at most two ahead) while the current one is inferred; results
  /// identical to segment(). The contract (in-order delivery on the calling
  /// thread, per-image errors, lifetimes, ModuleNotLoaded) is that of
  /// ClassificationModule::classifyEach. SegmentOptions is validated per
  /// image, so an unknown class yields InvalidUserInput for every image.
  void segmentEach(std::span<const ImageSource> images, const SegmentOptions& options,
                   const std::function<void(BatchItem<Segmentation>&&)>& onItem);

  /// segmentEach collecting the items: result[i] is images[i]'s outcome.
  std::vector<BatchItem<Segmentation>> segmentBatch(std::span<const ImageSource> images,
                                                    const SegmentOptions& options = {});

  /// Releases the model (waits for a running inference). The seed's delete().
  void unload() noexcept;
  bool isLoaded() const noexcept;
  /// Throws ModuleNotLoaded when nothing is loaded.
  SegmenterInfo info() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace etvision
