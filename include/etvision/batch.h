// One image's outcome in a batch call (ClassificationModule::classifyBatch,
// ImageSegmentationModule::segmentBatch and their *Each forms).
//
// A batch never fails as a whole because one image is bad: each item holds
// either the result or the coded error that the single-image call would
// have thrown for that image.
#pragma once

#include <cstddef>
#include <optional>

#include "etvision/error.h"

namespace etvision {

template <typename Result>
struct BatchItem {
  /// Position of the image in the input sequence.
  std::size_t index = 0;
  /// Set when the image succeeded.
  std::optional<Result> result;
  /// Set when it failed: FileReadFailed, InvalidUserInput, ... as for one image.
  std::optional<Error> error;

  bool ok() const noexcept { return result.has_value(); }
};

}  // namespace etvision
