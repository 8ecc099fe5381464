#include "image/base64.h"

#include <array>

namespace etvision::detail {
namespace {

// Decode table entries: 0..63 are sextet values; the rest classify the byte.
constexpr std::uint8_t kInvalid = 0xFF;
constexpr std::uint8_t kSpace = 0xFE;
constexpr std::uint8_t kPad = 0xFD;

constexpr std::array<std::uint8_t, 256> makeDecodeTable() {
  std::array<std::uint8_t, 256> table{};
  table.fill(kInvalid);
  for (int i = 0; i < 26; ++i) {
    table[static_cast<std::size_t>('A' + i)] = static_cast<std::uint8_t>(i);
    table[static_cast<std::size_t>('a' + i)] = static_cast<std::uint8_t>(26 + i);
  }
  for (int i = 0; i < 10; ++i) {
    table[static_cast<std::size_t>('0' + i)] = static_cast<std::uint8_t>(52 + i);
  }
  table['+'] = 62;
  table['/'] = 63;
  table['-'] = 62;  // URL-safe alphabet
  table['_'] = 63;
  for (char c : {' ', '\t', '\n', '\r', '\f', '\v'}) {
    table[static_cast<unsigned char>(c)] = kSpace;
  }
  table['='] = kPad;
  return table;
}

constexpr std::array<std::uint8_t, 256> kDecode = makeDecodeTable();

constexpr char kEncode[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::uint8_t classify(char c) noexcept {
  return kDecode[static_cast<unsigned char>(c)];
}

}  // namespace

std::optional<std::vector<std::uint8_t>> decodeBase64(std::string_view text) {
  // Written through a raw cursor (no per-byte capacity checks), trimmed at
  // the end.
  std::vector<std::uint8_t> out(base64DecodedSizeBound(text));
  std::uint8_t* w = out.data();

  const char* p = text.data();
  const char* const end = p + text.size();
  // A partial quantum: `count` sextets accumulated in the low bits of `bits`.
  std::uint32_t bits = 0;
  int count = 0;

  while (p < end) {
    // Fast path: four alphabet characters in a row form one whole quantum.
    if (count == 0 && end - p >= 4) {
      const std::uint32_t a = classify(p[0]);
      const std::uint32_t b = classify(p[1]);
      const std::uint32_t c = classify(p[2]);
      const std::uint32_t d = classify(p[3]);
      if ((a | b | c | d) < 64) {
        const std::uint32_t q = (a << 18) | (b << 12) | (c << 6) | d;
        w[0] = static_cast<std::uint8_t>(q >> 16);
        w[1] = static_cast<std::uint8_t>(q >> 8);
        w[2] = static_cast<std::uint8_t>(q);
        w += 3;
        p += 4;
        continue;
      }
    }
    const std::uint8_t v = classify(*p);
    if (v < 64) {
      bits = (bits << 6) | v;
      if (++count == 4) {
        w[0] = static_cast<std::uint8_t>(bits >> 16);
        w[1] = static_cast<std::uint8_t>(bits >> 8);
        w[2] = static_cast<std::uint8_t>(bits);
        w += 3;
        bits = 0;
        count = 0;
      }
      ++p;
    } else if (v == kSpace) {
      ++p;
    } else if (v == kPad) {
      break;
    } else {
      return std::nullopt;
    }
  }

  // Padding, if any: it must fill the quantum exactly, then only whitespace.
  int pads = 0;
  for (; p < end; ++p) {
    const std::uint8_t v = classify(*p);
    if (v == kPad) {
      ++pads;
    } else if (v != kSpace) {
      return std::nullopt;
    }
  }
  if (pads != 0 && (count < 2 || pads != 4 - count)) return std::nullopt;

  switch (count) {
    case 0: break;
    case 2:  // 12 bits: one byte, 4 unused bits that must be zero
      if ((bits & 0xF) != 0) return std::nullopt;
      *w++ = static_cast<std::uint8_t>(bits >> 4);
      break;
    case 3:  // 18 bits: two bytes, 2 unused bits that must be zero
      if ((bits & 0x3) != 0) return std::nullopt;
      w[0] = static_cast<std::uint8_t>(bits >> 10);
      w[1] = static_cast<std::uint8_t>(bits >> 2);
      w += 2;
      break;
    default:  // a single sextet cannot encode a byte
      return std::nullopt;
  }
  out.resize(static_cast<std::size_t>(w - out.data()));
  return out;
}

bool looksLikeBase64(std::string_view text) noexcept {
  std::size_t sextets = 0;
  bool padding = false;
  for (char c : text) {
    const std::uint8_t v = classify(c);
    if (v < 64) {
      if (padding) return false;
      ++sextets;
    } else if (v == kPad) {
      padding = true;
    } else if (v != kSpace) {
      return false;
    }
  }
  return sextets > 0 && sextets % 4 != 1;
}

std::size_t base64DecodedSizeBound(std::string_view text) noexcept {
  std::size_t sextets = 0;
  for (char c : text) sextets += classify(c) < 64 ? 1 : 0;
  return sextets / 4 * 3 + 2;
}

std::string encodeBase64(std::span<const std::uint8_t> bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t q =
        (std::uint32_t{bytes[i]} << 16) | (std::uint32_t{bytes[i + 1]} << 8) | bytes[i + 2];
    out += kEncode[(q >> 18) & 63];
    out += kEncode[(q >> 12) & 63];
    out += kEncode[(q >> 6) & 63];
    out += kEncode[q & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    std::uint32_t q = std::uint32_t{bytes[i]} << 16;
    if (rest == 2) q |= std::uint32_t{bytes[i + 1]} << 8;
    out += kEncode[(q >> 18) & 63];
    out += kEncode[(q >> 12) & 63];
    out += rest == 2 ? kEncode[(q >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

}  // namespace etvision::detail
