#include "etvision/image_source.h"

#include <type_traits>
#include <utility>

#include "image/pixels.h"
#include "image/source_text.h"

namespace etvision {

ImageSource::ImageSource(std::string uriPathOrBase64) : value_(std::move(uriPathOrBase64)) {}

ImageSource::ImageSource(const char* uriPathOrBase64)
    : value_(std::string(uriPathOrBase64 == nullptr ? "" : uriPathOrBase64)) {}

ImageSource::ImageSource(Variant value) : value_(std::move(value)) {}

ImageSource ImageSource::fromPath(std::filesystem::path path) {
  return ImageSource(Variant(Path{std::move(path)}));
}

ImageSource ImageSource::fromUrl(std::string url) {
  return ImageSource(Variant(Url{std::move(url)}));
}

ImageSource ImageSource::fromBase64(std::string text) {
  return ImageSource(Variant(Base64{std::move(text)}));
}

ImageSource ImageSource::fromBytes(std::vector<std::uint8_t> bytes) {
  return ImageSource(
      Variant(Encoded{std::make_shared<const std::vector<std::uint8_t>>(std::move(bytes))}));
}

ImageSource ImageSource::fromEncoded(std::vector<std::uint8_t> bytes) {
  return fromBytes(std::move(bytes));
}

ImageSource ImageSource::fromPixels(const PixelBuffer& pixels) {
  return ImageSource(Variant(pixels));
}

std::string ImageSource::describe() const {
  return std::visit(
      [](const auto& value) -> std::string {
        using T = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<T, std::string>) {
          return detail::describeSourceText(value);
        } else if constexpr (std::is_same_v<T, Encoded>) {
          const std::size_t size = value.bytes ? value.bytes->size() : 0;
          return "encoded image (" + std::to_string(size) + " bytes)";
        } else if constexpr (std::is_same_v<T, Path>) {
          return "image file '" + detail::shortenForMessage(value.path.native()) + "'";
        } else if constexpr (std::is_same_v<T, Url>) {
          return detail::shortenForMessage(value.url);
        } else if constexpr (std::is_same_v<T, Base64>) {
          return detail::describeSourceText(value.text);
        } else {
          return "pixel buffer " + std::to_string(value.width) + "x" +
                 std::to_string(value.height) + " " + detail::pixelFormatName(value.format);
        }
      },
      value_);
}

}  // namespace etvision
