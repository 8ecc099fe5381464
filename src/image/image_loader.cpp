#include "image/image_loader.h"

#include <string>
#include <type_traits>
#include <variant>

#include "etvision/error.h"
#include "image/decode.h"
#include "image/image_bytes.h"
#include "image/pixels.h"
#include "image/source_text.h"

namespace etvision::detail {

cv::Mat loadRgbImage(const ImageSource& source, const ImageReadLimits& limits) {
  return std::visit(
      [&](const auto& value) -> cv::Mat {
        using T = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<T, std::string>) {
          const std::vector<std::uint8_t> bytes = readImageBytes(value, limits);
          return decodeRgbImage(bytes, limits, describeSourceText(value));
        } else if constexpr (std::is_same_v<T, ImageSource::Encoded>) {
          if (!value.bytes) {
            throw Error(ErrorCode::InvalidUserInput, "the encoded image holds no bytes");
          }
          if (value.bytes->size() > limits.maxEncodedBytes) {
            throw Error(ErrorCode::InvalidUserInput,
                        source.describe() + " is more than the limit of " +
                            std::to_string(limits.maxEncodedBytes) +
                            " bytes; raise ImageReadLimits::maxEncodedBytes to accept it");
          }
          return decodeRgbImage(*value.bytes, limits, source.describe());
        } else {
          static_assert(std::is_same_v<T, PixelBuffer>);
          return pixelBufferToRgb(value, limits);
        }
      },
      source.value());
}

}  // namespace etvision::detail
