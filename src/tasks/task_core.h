// The lifecycle both task modules share, written once: load (fetch, open,
// settle preprocessing and labels from the model's own metadata, the
// descriptor or the task's defaults), the thread-safe model slot, decoding
// outside the model lock, the batch loop and the async wrappers. The
// modules add only what differs: how a model's output is checked at load
// and turned into a result.
#pragma once

#include <functional>
#include <future>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "etvision/batch.h"
#include "etvision/classification.h"
#include "etvision/image_source.h"
#include "etvision/model.h"
#include "runtime/model_slot.h"
#include "tasks/batch_runner.h"
#include "tasks/input_preparation.h"
#include "tasks/model_metadata.h"

namespace etvision::detail {

/// What a loaded model needs besides its program.
struct TaskConfig {
  std::string name;
  /// ModelDescriptor::modelSource, for messages.
  std::string source;
  std::optional<Normalization> normalization;
  std::shared_ptr<const std::vector<std::string>> labels;
  /// Preprocessing and labels came from the model's own metadata.
  bool metadataFromModel = false;
};

InputSpec inputSpecOf(const ExecutorchModel& model, const TaskConfig& config);

/// Writes the model's input for one image; called under the model lock.
using FillInput = std::function<void(ExecutorchModel&, const TaskConfig&)>;

class TaskCore {
 public:
  /// `defaultLabels`: the task's label set for models that name none.
  TaskCore(Task task, std::shared_ptr<const std::vector<std::string>> defaultLabels);

  /// Fetches and opens `model`, settles its TaskConfig, lets `check` refuse
  /// a program whose outputs do not fit it (by throwing), then installs it,
  /// replacing any previous model. Nothing changes when anything throws.
  void load(const ModelDescriptor& model, const LoadOptions& options,
            const std::function<void(const ExecutorchModel&, const TaskConfig&)>& check);
  void unload() noexcept { slot_.reset(); }
  bool loaded() const noexcept { return slot_.loaded(); }

  /// f(ExecutorchModel&, const TaskConfig&) under the model lock; throws
  /// ModuleNotLoaded when nothing is loaded.
  template <typename F>
  decltype(auto) use(F&& f) const {
    return slot_.use(std::forward<F>(f));
  }

  /// One image: read and decode it outside the model lock (so it overlaps
  /// another thread's inference), then `run(imageWidth, imageHeight, fill)`.
  template <typename Run>
  auto single(const ImageSource& image, const ImageReadLimits& limits, bool fastDecode,
              Run&& run) const {
    // Only the reduced decode needs the model's input size first.
    InputSpec spec;
    if (fastDecode) spec = use(inputSpecOf);
    const DecodedImage decoded = decodeForModel(image, limits, fastDecode, spec);
    return run(decoded.width, decoded.height,
               FillInput([&](ExecutorchModel& model, const TaskConfig& config) {
                 fillInput(decoded, inputSpecOf(model, config), model.input().data());
               }));
  }

  /// Many images through runBatch (batch_runner.h): the next ones prepared
  /// on a worker while `run(imageWidth, imageHeight, fill)` infers the
  /// current one; outcomes to `onItem` in order.
  template <typename Result, typename Run>
  void each(std::span<const ImageSource> images, const ImageReadLimits& limits, bool fastDecode,
            Run&& run, const std::function<void(BatchItem<Result>&&)>& onItem) const {
    const InputSpec spec = use(inputSpecOf);
    auto infer = [&](const ImageSource& image, const PreparedInput& prepared) {
      return run(prepared.imageWidth, prepared.imageHeight,
                 FillInput([&](ExecutorchModel& model, const TaskConfig& config) {
                   loadPreparedInput(image, limits, fastDecode, prepared,
                                     inputSpecOf(model, config), model.input());
                 }));
    };
    runBatch<Result>(images, limits, fastDecode, spec, infer, onItem);
  }

 private:
  TaskConfig settleConfig(const ModelDescriptor& model, std::optional<ModelMetadata> embedded,
                          const std::string& where) const;

  Task task_;
  std::shared_ptr<const std::vector<std::string>> defaultLabels_;
  ModelSlot<TaskConfig> slot_;
};

/// `each` collecting its items: result[i] is images[i]'s outcome.
template <typename Result, typename Each>
std::vector<BatchItem<Result>> collectBatch(std::size_t count, Each&& each) {
  std::vector<BatchItem<Result>> items;
  items.reserve(count);
  each([&](BatchItem<Result>&& item) { items.push_back(std::move(item)); });
  return items;
}

/// The *Async variants: `call` on a new thread (the module must outlive the
/// future).
template <typename Call>
auto runAsync(Call&& call) {
  return std::async(std::launch::async, std::forward<Call>(call));
}

}  // namespace etvision::detail
