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
// float32), InvalidModelOutput (output count differs from the labels).
//
// Trust: images may come from anyone. A .pte file is a program: etvision
// verifies its structure and refuses absurd memory plans, but ExecuTorch
// 1.5.1's XNNPACK delegate does not validate everything it parses, and a
// crafted .pte can crash the process (fuzz/README.md). Load models from
// sources you trust, or in a separate process.
#pragma once

#include <cstddef>
#include <future>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

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

  /// Releases the model (waits for a running inference). The seed's delete().
  void unload() noexcept;
  bool isLoaded() const noexcept;
  /// Throws ModuleNotLoaded when nothing is loaded.
  ClassifierInfo info() const;

 private:
  // Decode, preprocess, run and softmax; `labels` receives the model's labels.
  Classification infer(const ImageSource& image, const ImageReadLimits& limits,
                       std::shared_ptr<const std::vector<std::string>>& labels);

  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace etvision
