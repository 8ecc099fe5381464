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
  return loadImage(source, limits, {}).pixels;
}

DecodedImage loadImage(const ImageSource& source, const ImageReadLimits& limits,
                       const DecodeOptions& options) {
  return std::visit(
      [&](const auto& value) -> DecodedImage {
        using T = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<T, std::string>) {
          const std::vector<std::uint8_t> bytes = readImageBytes(value, limits);
          return decodeImage(bytes, limits, describeSourceText(value), options);
        } else if constexpr (std::is_same_v<T, ImageSource::Path>) {
          const auto bytes = readImageFile(value.path, limits.maxEncodedBytes);
          return decodeImage(bytes, limits, source.describe(), options);
        } else if constexpr (std::is_same_v<T, ImageSource::Url>) {
          const auto bytes = readImageUrl(value.url, limits);
          return decodeImage(bytes, limits, source.describe(), options);
        } else if constexpr (std::is_same_v<T, ImageSource::Base64>) {
          const auto bytes = readImageBase64(value.text, limits);
          return decodeImage(bytes, limits, source.describe(), options);
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
          return decodeImage(*value.bytes, limits, source.describe(), options);
        } else {
          static_assert(std::is_same_v<T, PixelBuffer>);
          const bool packedColour =
              value.format == PixelFormat::RGB || value.format == PixelFormat::BGR;
          if (options.borrowPixels && packedColour) {
            cv::Mat view = pixelBufferView(value, limits);
            const int width = view.cols;
            const int height = view.rows;
            return DecodedImage{
                std::move(view),
                value.format == PixelFormat::RGB ? ChannelOrder::RGB : ChannelOrder::BGR, width,
                height};
          }
          cv::Mat rgb = pixelBufferToRgb(value, limits);
          const int width = rgb.cols;
          const int height = rgb.rows;
          return DecodedImage{std::move(rgb), ChannelOrder::RGB, width, height};
        }
      },
      source.value());
}

}  // namespace etvision::detail
