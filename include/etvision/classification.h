// Image classification: react-native-executorch's ClassificationModule.
//
//   etvision::ClassificationModule classifier;
//   classifier.load(etvision::EFFICIENTNET_V2_S, [](double p) { ... });
//   auto probabilities = classifier.forward("photo.jpg");   // label -> p
//   auto result = classifier.classify("photo.jpg", {.maxResults = 5});
//   classifier.unload();
//
// Lifecycle: a module starts unloaded. load() fetches the model (see fetch.h)
// and opens it; forward()/classify() before load() or after unload() throw
// Error(ModuleNotLoaded). load() again replaces the model; unload() twice is
// harmless. The destructor unloads.
//
// Threading: every method may be called from any thread, concurrently.
// Inference calls on one module are serialised (one runs at a time; the
// others wait); image reading and decoding run in parallel outside that lock.
// unload() and load() wait for a running inference to finish, so a caller
// never sees a model vanish mid-call: a forward racing an unload either
// completes or throws ModuleNotLoaded. The *Async variants run on a new
// thread; the module must outlive their futures.
//
// Errors: etvision::Error (see error.h). Image problems: FileReadFailed or
// InvalidUserInput; model problems: InvalidModelSource, DownloadFailed,
// InvalidProgram (not a .pte), WrongDimensions (input is not [1,3,H,W]
// float32), InvalidModelOutput (output count differs from the labels),
// InvalidConfig (the model's etvision metadata is malformed), InvalidUserInput
// (the model's metadata says it is a segmentation model, or contradicts the
// descriptor's normalisation; see model.h).
//
// Trust: images may come from anyone. A .pte file is a program: etvision
// verifies its structure and refuses absurd memory plans, but ExecuTorch
// 1.5.1's XNNPACK delegate does not validate everything it parses, and a
// crafted .pte can crash the process (fuzz/README.md). Load models from
// sources you trust, or in a separate process.
#pragma once

#include <cstddef>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "etvision/batch.h"
#include "etvision/export.h"
#include "etvision/fetch.h"
#include "etvision/image_source.h"
#include "etvision/model.h"

namespace etvision {

struct LoadOptions {
  /// Download progress and cancellation, cache location, network limits.
  FetchOptions fetch;
};

struct ClassifyOptions {
  /// Keep at most this many categories in Classification::categories;
  /// 0 keeps every label.
  std::size_t maxResults = 0;
  /// Drop categories whose probability is below this.
  float scoreThreshold = 0.0f;
  /// Bounds on the image read (size, pixels, HTTP timeout).
  ImageReadLimits imageLimits;
  /// Opt-in speed-up for photos much larger than the model input: a JPEG at
  /// least twice the input size in both dimensions is decoded at 1/2, 1/4 or
  /// 1/8 scale (libjpeg's DCT scaling), never below the input size, before
  /// the usual resize. The input pixels are then no longer the reference
  /// pipeline's (the scaled decode averages where the bilinear resize
  /// samples), so probabilities move and a close top-1 can flip. Measured
  /// (bench/fast_decode_effect.py: 4000x3000 JPEGs, MobileNetV2, 2 cores):
  /// 3.4-4.9x faster end to end, same top-1 on 10/10 photos, top-1
  /// probability moved by up to 0.17. Other formats
  /// and smaller JPEGs are decoded in full. Classification::imageWidth /
  /// imageHeight still give the full image size.
  bool fastDecode = false;
};

struct Category {
  int index = 0;  ///< Position in the model's output.
  std::string label;
  float probability = 0.0f;
};

struct Classification {
  /// Sorted by probability, highest first (ties: lower index first), after
  /// ClassifyOptions' maxResults and scoreThreshold.
  std::vector<Category> categories;
  /// Softmax of the model output, in model order (every label).
  std::vector<float> probabilities;
  /// The model's raw output, in model order.
  std::vector<float> logits;
  /// Size of the decoded input image.
  int imageWidth = 0;
  int imageHeight = 0;
};

/// What the loaded model looks like.
struct ClassifierInfo {
  std::string name;
  int inputWidth = 0;
  int inputHeight = 0;
  std::size_t numLabels = 0;
  /// The normalisation applied to its input (nullopt: [0, 1] RGB).
  std::optional<Normalization> normalization;
  /// True when the preprocessing and labels came from the model file itself
  /// (models exported by etvision's python/ tools carry them); false when
  /// they came from the descriptor or the task's defaults (foreign .pte
  /// files and the reference's downloads carry none).
  bool metadataFromModel = false;
};

class ETVISION_API ClassificationModule {
 public:
  ClassificationModule();
  ~ClassificationModule();
  ClassificationModule(const ClassificationModule&) = delete;
  ClassificationModule& operator=(const ClassificationModule&) = delete;

  /// Fetches (downloading with progress if needed) and opens the model.
  void load(const ModelDescriptor& model, ProgressCallback onProgress = {});
  void load(const ModelDescriptor& model, const LoadOptions& options);
  std::future<void> loadAsync(ModelDescriptor model, ProgressCallback onProgress = {});

  /// The seed API: every label with its softmax probability, unsorted.
  std::unordered_map<std::string, float> forward(const ImageSource& image);

  /// Sorted, filtered categories plus the full probability and logit vectors.
  Classification classify(const ImageSource& image, const ClassifyOptions& options = {});
  std::future<Classification> classifyAsync(ImageSource image, ClassifyOptions options = {});

  /// Classifies `images` in order with `options`, reading, decoding and
  /// preprocessing the next images on a worker thread (at most two ahead)
  /// while the current one is inferred: higher throughput than calling
  /// classify() in a loop, identical results. Each image's outcome is a
  /// BatchItem holding the Classification or that image's coded error; one
  /// bad image never stops the others.
  ///
  /// `onItem` is called on the calling thread, once per image, in input
  /// order, as soon as that image is done; it receives the item by rvalue
  /// (move from it). An exception thrown by `onItem` stops the batch and
  /// propagates (the worker is stopped first). `images` (and any
  /// PixelBuffer memory they borrow) must stay valid until the call returns.
  /// Throws Error(ModuleNotLoaded) before doing anything when no model is
  /// loaded; a model unloaded or replaced mid-batch affects only the images
  /// after it (ModuleNotLoaded per image, or the new model's results).
  /// Other threads may use the module concurrently, as with classify().
  void classifyEach(std::span<const ImageSource> images, const ClassifyOptions& options,
                    const std::function<void(BatchItem<Classification>&&)>& onItem);

  /// classifyEach collecting the items: result[i] is images[i]'s outcome.
  std::vector<BatchItem<Classification>> classifyBatch(std::span<const ImageSource> images,
                                                       const ClassifyOptions& options = {});

  /// Releases the model (waits for a running inference). The seed's delete().
  void unload() noexcept;
  bool isLoaded() const noexcept;
  /// Throws ModuleNotLoaded when nothing is loaded.
  ClassifierInfo info() const;

 private:
  // Decode, preprocess, run and softmax; `labels` receives the model's labels.
  Classification infer(const ImageSource& image, const ImageReadLimits& limits, bool fastDecode,
                       std::shared_ptr<const std::vector<std::string>>& labels);

  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace etvision
