#include "image/png_chunks.h"

#include <algorithm>
#include <cstring>

namespace etvision::detail {

namespace {

constexpr std::uint8_t kPngSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
// Length, type, CRC around each chunk's data.
constexpr std::size_t kChunkOverhead = 12;

std::uint32_t readBigEndian32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

}  // namespace

std::optional<std::vector<std::uint8_t>> withoutPngColourProfile(
    std::span<const std::uint8_t> bytes) {
  if (bytes.size() < sizeof kPngSignature ||
      !std::equal(std::begin(kPngSignature), std::end(kPngSignature), bytes.begin())) {
    return std::nullopt;
  }
  // First pass: find the chunks to drop, bailing out on anything malformed.
  struct Span {
    std::size_t begin;
    std::size_t end;
  };
  std::vector<Span> dropped;
  std::size_t offset = sizeof kPngSignature;
  while (offset + kChunkOverhead <= bytes.size()) {
    const std::uint64_t length = readBigEndian32(&bytes[offset]);
    const std::uint64_t end = offset + kChunkOverhead + length;
    if (end > bytes.size()) return std::nullopt;
    const char* type = reinterpret_cast<const char*>(&bytes[offset + 4]);
    if (std::memcmp(type, "iCCP", 4) == 0)
      dropped.push_back({offset, static_cast<std::size_t>(end)});
    if (std::memcmp(type, "IEND", 4) == 0) break;
    offset = static_cast<std::size_t>(end);
  }
  if (dropped.empty()) return std::nullopt;

  std::vector<std::uint8_t> kept;
  kept.reserve(bytes.size());
  std::size_t from = 0;
  for (const Span& chunk : dropped) {
    kept.insert(kept.end(), bytes.begin() + from, bytes.begin() + chunk.begin);
    from = chunk.end;
  }
  kept.insert(kept.end(), bytes.begin() + from, bytes.end());
  return kept;
}

}  // namespace etvision::detail
