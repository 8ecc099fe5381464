#include "image/png_fast.h"

#include <libdeflate.h>

#if defined(__SSE2__)
#include <immintrin.h>
#endif

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "image/scratch_bytes.h"

namespace etvision::detail {
namespace {

constexpr std::uint8_t kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
constexpr std::size_t kChunkOverhead = 12;  // length, type, CRC
constexpr std::uint32_t kMaxChunkLength = 0x7FFFFFFF;

std::uint32_t bigEndian32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

bool isType(const std::uint8_t* type, const char (&name)[5]) {
  return std::memcmp(type, name, 4) == 0;
}

// PNG colour types this path reads (bit depth 8 only).
enum ColourType : std::uint8_t { Grey = 0, Rgb = 2, GreyAlpha = 4, Rgba = 6 };

int channelsOf(std::uint8_t colourType) {
  switch (colourType) {
    case Grey: return 1;
    case Rgb: return 3;
    case GreyAlpha: return 2;
    case Rgba: return 4;
    default: return 0;
  }
}

struct Header {
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  int channels = 0;
};

struct Chunks {
  Header header;
  // The zlib stream, in one or more IDAT chunks' data.
  std::vector<std::span<const std::uint8_t>> imageParts;
};

bool crcMatches(std::span<const std::uint8_t> chunk) {
  // The CRC covers the type and the data, not the length.
  const std::size_t covered = chunk.size() - 8;
  const std::uint32_t stored = bigEndian32(chunk.data() + 4 + covered);
  return libdeflate_crc32(0, chunk.data() + 4, covered) == stored;
}

// Walks the chunks; nullopt for anything outside the fast subset.
std::optional<Chunks> readChunks(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < sizeof kSignature + 2 * kChunkOverhead + 13 ||
      !std::equal(std::begin(kSignature), std::end(kSignature), bytes.begin())) {
    return std::nullopt;
  }
  Chunks chunks;
  std::vector<std::span<const std::uint8_t>>& imageParts = chunks.imageParts;
  bool sawHeader = false;
  bool imageDataEnded = false;
  std::size_t offset = sizeof kSignature;
  while (true) {
    if (bytes.size() - offset < kChunkOverhead) return std::nullopt;  // no IEND
    const std::uint32_t length = bigEndian32(&bytes[offset]);
    if (length > kMaxChunkLength || bytes.size() - offset - kChunkOverhead < length) {
      return std::nullopt;
    }
    const std::span<const std::uint8_t> chunk = bytes.subspan(offset, kChunkOverhead + length);
    const std::uint8_t* type = chunk.data() + 4;
    const std::uint8_t* data = chunk.data() + 8;
    offset += chunk.size();

    if (!sawHeader) {
      if (!isType(type, "IHDR") || length != 13 || !crcMatches(chunk)) return std::nullopt;
      const std::uint8_t depth = data[8];
      const std::uint8_t colourType = data[9];
      const bool plain = data[10] == 0 && data[11] == 0 && data[12] == 0;  // deflate, filter 0,
                                                                           // not interlaced
      chunks.header = {bigEndian32(data), bigEndian32(data + 4), channelsOf(colourType)};
      if (depth != 8 || chunks.header.channels == 0 || !plain || chunks.header.width == 0 ||
          chunks.header.height == 0 || chunks.header.width > kMaxChunkLength ||
          chunks.header.height > kMaxChunkLength) {
        return std::nullopt;
      }
      sawHeader = true;
      continue;
    }
    if (isType(type, "IDAT")) {
      // IDAT chunks must be consecutive; a CRC error in one is a broken file.
      if (imageDataEnded || !crcMatches(chunk)) return std::nullopt;
      imageParts.emplace_back(data, length);
    } else {
      if (!imageParts.empty()) imageDataEnded = true;
      if (isType(type, "IEND")) break;
      // Transparency and EXIF (orientation) change what OpenCV returns;
      // any other critical chunk (upper-case first letter) but a suggested
      // palette is one this path does not know.
      if (isType(type, "tRNS") || isType(type, "eXIf")) return std::nullopt;
      const bool critical = (type[0] & 0x20) == 0;
      if (critical && !isType(type, "PLTE")) return std::nullopt;
      if (isType(type, "PLTE") && (chunks.header.channels == 1 || chunks.header.channels == 2)) {
        return std::nullopt;  // a palette in a grey image is an error
      }
    }
  }
  if (imageParts.empty()) return std::nullopt;
  return chunks;
}

#if defined(__SSE2__)
// Pixels of 3 or 4 channels are reconstructed one pixel per step in 16-bit
// SSE2 lanes. Every channel of a pixel is one instruction, and left and
// upper-left stay in registers; the scalar loop, branchy and short of
// registers, took 3x as long on the Paeth rows photos are made of. Reads and
// writes are 4 bytes wide, so a 3-channel row needs one byte of slack after
// it (kRowSlack).
inline __m128i loadPixel(const std::uint8_t* p) {
  std::int32_t v;
  std::memcpy(&v, p, sizeof v);
  return _mm_unpacklo_epi8(_mm_cvtsi32_si128(v), _mm_setzero_si128());
}

inline void storePixel(std::uint8_t* p, __m128i pixel) {
  const std::int32_t v = _mm_cvtsi128_si32(_mm_packus_epi16(pixel, pixel));
  std::memcpy(p, &v, sizeof v);
}

// The two operations Paeth's dependency chain runs through, in SSE2 (any
// x86-64) and in SSE4.1 (one instruction each: pabsw, pblendvb), which
// shortens the chain from pixel to pixel: 26% less time on the Paeth-heavy
// photos (skimage_chelsea.png unfiltered in 0.51 -> 0.37 ms on the Xeon).
struct Sse2Ops {
  static __m128i abs16(__m128i x) {
    return _mm_max_epi16(x, _mm_sub_epi16(_mm_setzero_si128(), x));
  }
  // mask ? whenSet : otherwise, per lane.
  static __m128i select16(__m128i mask, __m128i whenSet, __m128i otherwise) {
    return _mm_or_si128(_mm_and_si128(mask, whenSet), _mm_andnot_si128(mask, otherwise));
  }
};

#if defined(__GNUC__) && defined(__x86_64__) && !defined(__SSE4_1__)
#define ETVISION_PNG_SSE41_DISPATCH 1
#define ETVISION_TARGET_SSE41 __attribute__((target("sse4.1")))
#else
#define ETVISION_TARGET_SSE41
#endif

#if defined(ETVISION_PNG_SSE41_DISPATCH) || defined(__SSE4_1__)
struct Sse41Ops {
  ETVISION_TARGET_SSE41 static __m128i abs16(__m128i x) { return _mm_abs_epi16(x); }
  ETVISION_TARGET_SSE41 static __m128i select16(__m128i mask, __m128i whenSet, __m128i otherwise) {
    return _mm_blendv_epi8(otherwise, whenSet, mask);
  }
};
#endif

// Inlined into each entry point below, so that it is compiled for that
// entry point's instruction set.
template <typename Ops>
[[gnu::always_inline]] inline void unfilterPixelsWith(std::uint8_t filter, const std::uint8_t* in,
                                                      const std::uint8_t* above, std::uint8_t* out,
                                                      std::size_t length, std::size_t bpp) {
  const __m128i lowByte = _mm_set1_epi16(0xFF);
  __m128i left = _mm_setzero_si128();
  __m128i upperLeft = _mm_setzero_si128();
  for (std::size_t i = 0; i < length; i += bpp) {
    const __m128i value = loadPixel(in + i);
    __m128i predicted = left;  // Sub
    if (filter == 3) {
      predicted = _mm_srli_epi16(_mm_add_epi16(left, loadPixel(above + i)), 1);
    } else if (filter == 4) {
      const __m128i up = loadPixel(above + i);
      const __m128i upMinusCorner = _mm_sub_epi16(up, upperLeft);
      const __m128i leftMinusCorner = _mm_sub_epi16(left, upperLeft);
      const __m128i toLeft = Ops::abs16(upMinusCorner);
      const __m128i toUp = Ops::abs16(leftMinusCorner);
      const __m128i toCorner = Ops::abs16(_mm_add_epi16(upMinusCorner, leftMinusCorner));
      const __m128i best = Ops::select16(_mm_cmplt_epi16(toUp, toLeft), up, left);
      const __m128i bestDistance = _mm_min_epi16(toLeft, toUp);
      predicted = Ops::select16(_mm_cmplt_epi16(toCorner, bestDistance), upperLeft, best);
      upperLeft = up;
    }
    left = _mm_and_si128(_mm_add_epi16(value, predicted), lowByte);
    storePixel(out + i, left);
  }
}

// Sub, average or Paeth on pixels of `bpp` (3 or 4) bytes.
void unfilterPixels(std::uint8_t filter, const std::uint8_t* in, const std::uint8_t* above,
                    std::uint8_t* out, std::size_t length, std::size_t bpp) {
#if defined(ETVISION_PNG_SSE41_DISPATCH)
  static const bool sse41 = png_unfilter::sse41Supported();
  (sse41 ? png_unfilter::sse41 : png_unfilter::sse2)(filter, in, above, out, length, bpp);
#elif defined(__SSE4_1__)
  unfilterPixelsWith<Sse41Ops>(filter, in, above, out, length, bpp);
#else
  unfilterPixelsWith<Sse2Ops>(filter, in, above, out, length, bpp);
#endif
}
constexpr std::size_t kRowSlack = 4;
#else
constexpr std::size_t kRowSlack = 0;
#endif

// The Paeth predictor of the PNG specification: whichever of left, above
// and upper-left is closest to left + above - upper-left, ties in that order.
inline std::uint8_t paeth(int left, int above, int upperLeft) {
  int best = left;
  int bestDistance = std::abs(above - upperLeft);
  const int aboveDistance = std::abs(left - upperLeft);
  const int upperLeftDistance = std::abs(left + above - 2 * upperLeft);
  if (aboveDistance < bestDistance) {
    best = above;
    bestDistance = aboveDistance;
  }
  return static_cast<std::uint8_t>(upperLeftDistance < bestDistance ? upperLeft : best);
}

// Reverses one row's filter: `in` is the filtered row, `above` the previous
// reconstructed row (zeros for the first), `out` receives this row.
template <int Bpp>
bool unfilterRow(std::uint8_t filter, const std::uint8_t* in, const std::uint8_t* above,
                 std::uint8_t* out, std::size_t length) {
  if (filter > 4) return false;
  if (filter == 0) {
    std::memcpy(out, in, length);
    return true;
  }
  if (filter == 2) {
    for (std::size_t i = 0; i < length; ++i) out[i] = static_cast<std::uint8_t>(in[i] + above[i]);
    return true;
  }
#if defined(__SSE2__)
  if constexpr (Bpp >= 3) {
    unfilterPixels(filter, in, above, out, length, Bpp);
    return true;
  }
#endif
  for (std::size_t i = 0; i < length; ++i) {
    const int left = i >= Bpp ? out[i - Bpp] : 0;
    const int upperLeft = i >= Bpp ? above[i - Bpp] : 0;
    const int predicted = filter == 1   ? left
                          : filter == 3 ? (left + above[i]) >> 1
                                        : paeth(left, above[i], upperLeft);
    out[i] = static_cast<std::uint8_t>(in[i] + predicted);
  }
  return true;
}

// One reconstructed row -> one row of 3-channel output in `order`, as
// IMREAD_COLOR has it: alpha dropped, grey replicated.
template <int Channels>
void emitRow(const std::uint8_t* row, std::uint8_t* out, std::uint32_t width, bool bgr) {
  if constexpr (Channels <= 2) {
    for (std::uint32_t x = 0; x < width; ++x, row += Channels, out += 3) {
      out[0] = out[1] = out[2] = row[0];
    }
  } else if (bgr) {
    for (std::uint32_t x = 0; x < width; ++x, row += Channels, out += 3) {
      out[0] = row[2];
      out[1] = row[1];
      out[2] = row[0];
    }
  } else if constexpr (Channels == 3) {
    std::memcpy(out, row, std::size_t{width} * 3);
  } else {
    for (std::uint32_t x = 0; x < width; ++x, row += Channels, out += 3) {
      out[0] = row[0];
      out[1] = row[1];
      out[2] = row[2];
    }
  }
}

template <int Channels>
bool unfilterImage(const std::uint8_t* filtered, const Header& header, cv::Mat& image, bool bgr) {
  const std::size_t rowLength = std::size_t{header.width} * Channels;
  // Two reconstructed rows, current and above, stay in L1.
  std::vector<std::uint8_t> rows(3 * (rowLength + kRowSlack), 0);
  std::uint8_t* above = rows.data();  // zeros: the row above the first
  std::uint8_t* current = rows.data() + rowLength + kRowSlack;
  std::uint8_t* spare = rows.data() + 2 * (rowLength + kRowSlack);
  for (std::uint32_t y = 0; y < header.height; ++y) {
    const std::uint8_t* in = filtered + std::size_t{y} * (rowLength + 1);
    if (!unfilterRow<Channels>(in[0], in + 1, above, current, rowLength)) return false;
    emitRow<Channels>(current, image.ptr<std::uint8_t>(static_cast<int>(y)), header.width, bgr);
    // The first "above" row is the zero row; afterwards rotate through
    // the two others.
    above = current;
    std::swap(current, spare);
  }
  return true;
}

struct DecompressorDeleter {
  void operator()(libdeflate_decompressor* d) const { libdeflate_free_decompressor(d); }
};

}  // namespace

#if defined(ETVISION_PNG_SSE41_DISPATCH)
namespace png_unfilter {
void sse2(std::uint8_t filter, const std::uint8_t* in, const std::uint8_t* above, std::uint8_t* out,
          std::size_t length, std::size_t bpp) {
  unfilterPixelsWith<Sse2Ops>(filter, in, above, out, length, bpp);
}
ETVISION_TARGET_SSE41 void sse41(std::uint8_t filter, const std::uint8_t* in,
                                 const std::uint8_t* above, std::uint8_t* out, std::size_t length,
                                 std::size_t bpp) {
  unfilterPixelsWith<Sse41Ops>(filter, in, above, out, length, bpp);
}
bool sse41Supported() {
  return __builtin_cpu_supports("sse4.1");
}
}  // namespace png_unfilter
#endif

std::optional<cv::Mat> decodePngFast(std::span<const std::uint8_t> bytes, ChannelOrder order) {
  std::optional<Chunks> chunks = readChunks(bytes);
  if (!chunks) return std::nullopt;
  const Header& header = chunks->header;
  const std::uint64_t rowLength = std::uint64_t{header.width} * header.channels;
  const std::uint64_t filteredSize = (rowLength + 1) * header.height;
  if (header.width > static_cast<std::uint32_t>(INT32_MAX / 3) ||
      filteredSize > (std::uint64_t{1} << 40)) {
    return std::nullopt;
  }

  // libdeflate inflates one contiguous stream: several IDATs are joined
  // (a copy of the compressed size, small next to the inflate).
  std::span<const std::uint8_t> imageData = chunks->imageParts.front();
  std::optional<ScratchBytes> joined;
  if (chunks->imageParts.size() > 1) {
    std::size_t total = 0;
    for (const auto& part : chunks->imageParts) total += part.size();
    joined.emplace(ScratchSlot::PngImageData, total);
    std::uint8_t* end = joined->data();
    for (const auto& part : chunks->imageParts) end = std::copy(part.begin(), part.end(), end);
    imageData = {joined->data(), total};
  }

  // Uninitialised (inflate writes all of it) and with slack after the last row.
  const ScratchBytes filtered(ScratchSlot::PngInflated,
                              static_cast<std::size_t>(filteredSize) + kRowSlack);
  std::memset(filtered.data() + filteredSize, 0, kRowSlack);
  const std::unique_ptr<libdeflate_decompressor, DecompressorDeleter> inflater(
      libdeflate_alloc_decompressor());
  if (!inflater) return std::nullopt;
  std::size_t consumed = 0;
  std::size_t produced = 0;
  // The whole stream must inflate to exactly the image, checksum included;
  // anything else (short, long, trailing bytes) is left to libpng's rules.
  if (libdeflate_zlib_decompress_ex(inflater.get(), imageData.data(), imageData.size(),
                                    filtered.data(), filteredSize, &consumed,
                                    &produced) != LIBDEFLATE_SUCCESS ||
      produced != filteredSize || consumed != imageData.size()) {
    return std::nullopt;
  }

  cv::Mat image(static_cast<int>(header.height), static_cast<int>(header.width), CV_8UC3);
  const bool bgr = order == ChannelOrder::BGR;
  bool ok = false;
  switch (header.channels) {
    case 1: ok = unfilterImage<1>(filtered.data(), header, image, bgr); break;
    case 2: ok = unfilterImage<2>(filtered.data(), header, image, bgr); break;
    case 3: ok = unfilterImage<3>(filtered.data(), header, image, bgr); break;
    case 4: ok = unfilterImage<4>(filtered.data(), header, image, bgr); break;
    default: break;
  }
  if (!ok) return std::nullopt;
  return image;
}

}  // namespace etvision::detail
