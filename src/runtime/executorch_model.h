// One loaded .pte program, as etvision's vision tasks use it: a single
// float32 [1, 3, H, W] input and float32 outputs.
//
// Not thread-safe on its own: callers serialise access (see model_slot.h).
// The ExecuTorch types stay inside src/runtime; nothing here leaks them.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
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

class ExecutorchModel {
 public:
  /// Opens the program with mmap, loads its "forward" method and validates
  /// the input signature. Throws Error: FileReadFailed (cannot open),
  /// InvalidProgram and the other forwarded runtime codes (not a valid .pte,
  /// missing operator, delegate failure), WrongDimensions (input is not one
  /// float32 [1, 3, H, W] tensor), InvalidModelOutput (no float32 output).
  explicit ExecutorchModel(const std::filesystem::path& path);
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

  /// Runs "forward" on input(). Throws Error with the runtime's code on
  /// failure, InvalidModelOutput when an output is not a float32 tensor.
  std::vector<OutputView> run();

 private:
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
                                           const FetchOptions& options);

}  // namespace etvision::detail
