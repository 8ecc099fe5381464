// Fuzz target: the base64 decoder (src/image/base64.h).
//
// Invariants checked for every input, read both as text and as bytes:
//   - decodeBase64(text), when it succeeds, writes at most
//     base64DecodedSizeBound(text) bytes, and is canonical: re-encoding the
//     result gives the input back once whitespace is removed, the URL-safe
//     alphabet is mapped to the standard one and padding is completed
//     (RFC 4648 section 3.5 - non-zero unused bits are refused);
//   - a text that decodes to a non-empty result passes looksLikeBase64;
//   - encodeBase64(bytes) round-trips through decodeBase64, passes
//     looksLikeBase64 (unless empty), and its size bound holds.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "fuzz_common.h"
#include "image/base64.h"

namespace {

using namespace etvision::detail;

// `text` as the canonical standard-alphabet, padded base64 it should be.
std::string canonical(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case ' ': case '\t': case '\n': case '\r': case '\f': case '\v': case '=': break;
      case '-': out += '+'; break;
      case '_': out += '/'; break;
      default: out += c;
    }
  }
  while (out.size() % 4 != 0) out += '=';
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  // Decoder is documented as non-throwing in practice (optional result), but
  // an etvision::Error would still be acceptable; std::bad_alloc would not.
  FUZZ_EXPECT_ONLY_ETVISION_ERRORS({
    const bool looks = looksLikeBase64(text);
    const std::size_t bound = base64DecodedSizeBound(text);
    if (const auto decoded = decodeBase64(text)) {
      FUZZ_CHECK(decoded->size() <= bound);
      if (!decoded->empty()) FUZZ_CHECK(looks);
      const std::string again = encodeBase64(*decoded);
      FUZZ_CHECK(again == canonical(text));
    }

    const std::span<const std::uint8_t> bytes(data, size);
    const std::string encoded = encodeBase64(bytes);
    FUZZ_CHECK(encoded.size() == (size + 2) / 3 * 4);
    FUZZ_CHECK(looksLikeBase64(encoded) == (size != 0));
    FUZZ_CHECK(base64DecodedSizeBound(encoded) >= size);
    const auto roundTrip = decodeBase64(encoded);
    FUZZ_CHECK(roundTrip.has_value());
    FUZZ_CHECK(roundTrip->size() == size);
    FUZZ_CHECK(size == 0 || std::equal(bytes.begin(), bytes.end(), roundTrip->begin()));
  });
  return 0;
}
