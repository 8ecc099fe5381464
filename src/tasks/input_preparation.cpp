#include "tasks/input_preparation.h"

#include "image/image_loader.h"
#include "image/preprocess.h"

namespace etvision::detail {

bool InputSpec::operator==(const InputSpec& other) const noexcept {
  if (height != other.height || width != other.width) return false;
  if (normalization.has_value() != other.normalization.has_value()) return false;
  return !normalization || (normalization->mean == other.normalization->mean &&
                            normalization->stddev == other.normalization->stddev);
}

DecodedImage decodeForModel(const ImageSource& image, const ImageReadLimits& limits,
                            bool fastDecode, const InputSpec& spec) {
  DecodeOptions options;
  options.acceptEitherOrder = true;  // preprocessing reads either
  // Preprocessing reads the pixels before the call that gave them returns.
  options.borrowPixels = true;
  if (fastDecode) options.reduceToward = cv::Size(spec.width, spec.height);
  return loadImage(image, limits, options);
}

void fillInput(const DecodedImage& image, const InputSpec& spec, float* out) {
  preprocessToNchw(image.pixels, image.order, spec.height, spec.width, spec.normalization, out);
}

PreparedInput prepareInput(const ImageSource& image, const ImageReadLimits& limits, bool fastDecode,
                           const InputSpec& spec) {
  PreparedInput prepared;
  prepared.spec = spec;
  try {
    const DecodedImage decoded = decodeForModel(image, limits, fastDecode, spec);
    prepared.imageWidth = decoded.width;
    prepared.imageHeight = decoded.height;
    prepared.tensor.resize(static_cast<std::size_t>(3) * spec.height * spec.width);
    fillInput(decoded, spec, prepared.tensor.data());
  } catch (const Error& error) {
    prepared.tensor = {};
    prepared.error = error;
  }
  return prepared;
}

}  // namespace etvision::detail
