// Image -> model input, as both task modules (single and batch calls) do it:
// decode (BGR, optionally reduced), then resize + normalise into a tensor.
#pragma once

#include <optional>
#include <vector>

#include "etvision/error.h"
#include "etvision/image_source.h"
#include "etvision/model.h"
#include "image/decode.h"

namespace etvision::detail {

/// What a model's input needs: its size and normalisation.
struct InputSpec {
  int height = 0;
  int width = 0;
  std::optional<Normalization> normalization;

  bool operator==(const InputSpec& other) const noexcept;
};

/// Reads and decodes `image` for a model taking `spec`: BGR (preprocessing
/// reads either order, so the conversion pass is skipped), and, with
/// `fastDecode`, reduced toward the input size (DecodeOptions::reduceToward).
/// Throws like loadRgbImage.
DecodedImage decodeForModel(const ImageSource& image, const ImageReadLimits& limits,
                            bool fastDecode, const InputSpec& spec);

/// Resizes and normalises `image` into `out` (3 * spec.height * spec.width).
void fillInput(const DecodedImage& image, const InputSpec& spec, float* out);

/// One image made ready ahead of inference (the batch calls' worker output).
struct PreparedInput {
  /// Planar [3, H, W] for `spec`; empty when `error` is set.
  std::vector<float> tensor;
  InputSpec spec;
  int imageWidth = 0;
  int imageHeight = 0;
  std::optional<Error> error;
};

/// decodeForModel + fillInput into a new tensor; an etvision::Error is
/// captured in the result rather than thrown.
PreparedInput prepareInput(const ImageSource& image, const ImageReadLimits& limits, bool fastDecode,
                           const InputSpec& spec);

}  // namespace etvision::detail
