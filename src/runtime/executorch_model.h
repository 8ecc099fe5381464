// One loaded .pte program, as etvision's vision tasks use it: a single
// float32 [1, 3, H, W] input and float32 outputs.
//
// Not thread-safe on its own: callers serialise access (see model_slot.h).
// The ExecuTorch types stay inside src/runtime; nothing here leaks them.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "etvision/fetch.h"
#include "etvision/model.h"

namespace etvision::detail {

/// A view of one output tensor, valid until the next run() or until the
/// model is destroyed.
struct OutputView {
  std::span<const float> values;
  std::vector<std::int64_t> shape;
};

class PoolUse;

/// XNNPACK delegate options applied when this model's method loads
/// (per-load, so other models are unaffected); nullopt keeps the backend's
/// default. See bench/micro/README.md for what each measured.
struct XnnpackOptions {
  /// "weight_cache_enabled": packed weights shared between delegate
  /// instances (models) loading the same weights.
  std::optional<bool> weightCache;
  /// "workspace_sharing_mode": 0 disabled, 1 per model, 2 global.
  std::optional<int> workspaceSharing;
};

/// What etvision loads models with: the weight cache on. Measured on the
/// bundled MobileNetV2 (bench/micro/README.md): four copies of one model
/// add 32 MiB of resident memory instead of 72 MiB and load about 20%
/// faster, with unchanged forward latency and bit-identical outputs (the
/// cache is keyed by the SHA-256 of each weight tensor, so different models
/// never share entries). Workspace sharing measured no better (per-model
/// mode: more memory, slower loads), so it keeps the backend default.
inline constexpr XnnpackOptions kDefaultXnnpackOptions{.weightCache = true};

class ExecutorchModel {
 public:
  /// Opens the program with mmap, loads its "forward" method and validates
  /// the input signature. Throws Error: FileReadFailed (cannot open),
  /// InvalidProgram and the other forwarded runtime codes (not a valid .pte,
  /// missing operator, delegate failure), WrongDimensions (input is not one
  /// float32 [1, 3, H, W] tensor), InvalidModelOutput (no float32 output).
  explicit ExecutorchModel(const std::filesystem::path& path, const XnnpackOptions& xnnpack = {});
  ~ExecutorchModel();
  ExecutorchModel(const ExecutorchModel&) = delete;
  ExecutorchModel& operator=(const ExecutorchModel&) = delete;

  int inputHeight() const noexcept { return inputHeight_; }
  int inputWidth() const noexcept { return inputWidth_; }

  /// The planar RGB input, 3 * H * W floats. Fill it, then run(); the
  /// runtime reads it in place (no copy).
  std::span<float> input() noexcept { return input_; }

  /// Declared output shapes, from the program's metadata.
  const std::vector<std::vector<std::int64_t>>& outputShapes() const noexcept {
    return outputShapes_;
  }

  /// The value of a constant method that returns one string (how the
  /// models etvision exports carry their metadata), or nullopt when the
  /// program has no method of that name. Throws InvalidConfig when the
  /// method exists but does not return exactly one string. Call before the
  /// model is shared (not thread-safe with run()).
  std::optional<std::string> constantString(const std::string& method);

  /// Runs "forward" on input(). Throws Error with the runtime's code on
  /// failure, InvalidModelOutput when an output is not a float32 tensor.
  /// Holds the thread pool shared while running (thread_pool_control.h);
  /// after a thread-count change, first reloads the method for the new pool.
  std::vector<OutputView> run();

 private:
  // Loads "forward" with the XNNPACK options; the caller holds `use`.
  void loadForward(const PoolUse& use);

  struct Runtime;
  std::unique_ptr<Runtime> runtime_;
  int inputHeight_ = 0;
  int inputWidth_ = 0;
  std::vector<float> input_;
  std::vector<std::vector<std::int64_t>> outputShapes_;
};

/// Fetches the descriptor's .pte (see fetch.h) and opens it: the first half
/// of every task module's load(). Throws like fetchResource and the
/// ExecutorchModel constructor.
std::unique_ptr<ExecutorchModel> openModel(const ModelDescriptor& model,
                                           const FetchOptions& options,
                                           const XnnpackOptions& xnnpack = kDefaultXnnpackOptions);

}  // namespace etvision::detail
