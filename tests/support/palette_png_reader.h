// Reads an 8-bit palette PNG back into its indices and palette, without
// expanding the palette (which OpenCV's decoder always does): how the tests
// check that a mask's pixel values are class indices. Handles what a
// conforming writer may use for such an image: any chunk order around the
// critical ones, several IDAT chunks, and the five scanline filters.
#pragma once

#include <zlib.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace etvision::test {

struct PaletteImage {
  int width = 0;
  int height = 0;
  std::vector<std::array<std::uint8_t, 3>> palette;
  std::vector<std::uint8_t> indices;  ///< width * height, row-major
};

inline PaletteImage readPalettePng(std::span<const std::uint8_t> png) {
  auto be32 = [&](std::size_t at) {
    return (std::uint32_t{png[at]} << 24) | (std::uint32_t{png[at + 1]} << 16) |
           (std::uint32_t{png[at + 2]} << 8) | std::uint32_t{png[at + 3]};
  };
  static constexpr std::uint8_t kSignature[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  if (png.size() < 8 || !std::equal(std::begin(kSignature), std::end(kSignature), png.begin())) {
    throw std::runtime_error("not a PNG");
  }
  PaletteImage image;
  std::vector<std::uint8_t> compressed;
  for (std::size_t at = 8; at + 12 <= png.size();) {
    const std::uint32_t length = be32(at);
    const std::string type(png.begin() + at + 4, png.begin() + at + 8);
    const auto data = png.subspan(at + 8, length);
    if (type == "IHDR") {
      image.width = static_cast<int>(be32(at + 8));
      image.height = static_cast<int>(be32(at + 12));
      if (data[8] != 8 || data[9] != 3 || data[12] != 0) {
        throw std::runtime_error("not an 8-bit, non-interlaced palette PNG");
      }
    } else if (type == "PLTE") {
      for (std::size_t i = 0; i + 2 < data.size(); i += 3) {
        image.palette.push_back({data[i], data[i + 1], data[i + 2]});
      }
    } else if (type == "IDAT") {
      compressed.insert(compressed.end(), data.begin(), data.end());
    }
    at += 12 + length;
  }
  const std::size_t stride = static_cast<std::size_t>(image.width);
  std::vector<std::uint8_t> raw((stride + 1) * static_cast<std::size_t>(image.height));
  uLongf rawSize = raw.size();
  if (uncompress(raw.data(), &rawSize, compressed.data(), compressed.size()) != Z_OK ||
      rawSize != raw.size()) {
    throw std::runtime_error("bad image data");
  }
  image.indices.resize(stride * static_cast<std::size_t>(image.height));
  for (int y = 0; y < image.height; ++y) {
    const std::uint8_t filter = raw[y * (stride + 1)];
    const std::uint8_t* in = raw.data() + y * (stride + 1) + 1;
    std::uint8_t* out = image.indices.data() + y * stride;
    const std::uint8_t* up = y > 0 ? out - stride : nullptr;
    for (std::size_t x = 0; x < stride; ++x) {
      const int a = x > 0 ? out[x - 1] : 0;
      const int b = up ? up[x] : 0;
      const int c = (up && x > 0) ? up[x - 1] : 0;
      int predictor = 0;
      switch (filter) {
        case 0: predictor = 0; break;
        case 1: predictor = a; break;
        case 2: predictor = b; break;
        case 3: predictor = (a + b) / 2; break;
        case 4: {
          const int p = a + b - c;
          const int pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
          predictor = (pa <= pb && pa <= pc) ? a : (pb <= pc ? b : c);
          break;
        }
        default: throw std::runtime_error("bad filter type");
      }
      out[x] = static_cast<std::uint8_t>(in[x] + predictor);
    }
  }
  return image;
}

}  // namespace etvision::test
