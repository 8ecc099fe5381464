#include "render/palette_png.h"

#include <zlib.h>

#include <string>

#include "etvision/error.h"

namespace etvision::detail {
namespace {

void putBigEndian32(std::vector<std::uint8_t>& out, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<std::uint8_t>(value >> shift));
}

// length, type, data, CRC-32 of type and data (PNG spec, section 5.3).
void putChunk(std::vector<std::uint8_t>& out, const char (&type)[5],
              std::span<const std::uint8_t> data) {
  putBigEndian32(out, static_cast<std::uint32_t>(data.size()));
  const std::size_t typeAt = out.size();
  out.insert(out.end(), type, type + 4);
  out.insert(out.end(), data.begin(), data.end());
  const uLong crc = crc32(0L, out.data() + typeAt, static_cast<uInt>(4 + data.size()));
  putBigEndian32(out, static_cast<std::uint32_t>(crc));
}

}  // namespace

std::vector<std::uint8_t> encodePalettePng(std::span<const std::uint8_t> indices, int width,
                                           int height, std::span<const Rgb> palette) {
  if (width <= 0 || height <= 0 ||
      indices.size() != static_cast<std::size_t>(width) * static_cast<std::size_t>(height) ||
      palette.empty() || palette.size() > 256) {
    throw Error(ErrorCode::InvalidUserInput,
                "a palette PNG needs width x height indices and 1 to 256 colours");
  }
  // Scanlines, each after a filter-type byte (0: none); indices are class
  // numbers, long runs of equal bytes that deflate compresses well as is.
  std::vector<std::uint8_t> raw;
  raw.reserve(indices.size() + static_cast<std::size_t>(height));
  for (int y = 0; y < height; ++y) {
    raw.push_back(0);
    const auto row = indices.subspan(static_cast<std::size_t>(y) * width, width);
    for (const std::uint8_t index : row) {
      if (index >= palette.size()) {
        throw Error(ErrorCode::InvalidModelOutput,
                    "class index " + std::to_string(index) + " has no colour in the mask palette");
      }
    }
    raw.insert(raw.end(), row.begin(), row.end());
  }
  uLongf packedSize = compressBound(static_cast<uLong>(raw.size()));
  std::vector<std::uint8_t> packed(packedSize);
  if (compress2(packed.data(), &packedSize, raw.data(), static_cast<uLong>(raw.size()), 6) !=
      Z_OK) {
    throw Error(ErrorCode::Internal, "zlib could not compress the mask");
  }
  packed.resize(packedSize);

  std::vector<std::uint8_t> header;
  putBigEndian32(header, static_cast<std::uint32_t>(width));
  putBigEndian32(header, static_cast<std::uint32_t>(height));
  header.insert(header.end(), {8, 3, 0, 0, 0});  // 8 bits, palette, deflate, filter 0, no interlace
  std::vector<std::uint8_t> colours;
  for (const Rgb& rgb : palette) colours.insert(colours.end(), rgb.begin(), rgb.end());

  std::vector<std::uint8_t> png{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  putChunk(png, "IHDR", header);
  putChunk(png, "PLTE", colours);
  putChunk(png, "IDAT", packed);
  putChunk(png, "IEND", {});
  return png;
}

}  // namespace etvision::detail
