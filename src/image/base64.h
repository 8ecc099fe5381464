// Base64 (RFC 4648) for images passed as text: raw base64 strings and the
// payload of data URIs.
//
// The decoder is strict about what matters and lenient about what is common:
//   - both alphabets are accepted, the standard one ("+/") and the URL-safe
//     one ("-_"), since both turn up in the wild;
//   - ASCII whitespace anywhere is skipped (MIME wraps lines at 76 chars);
//   - padding is optional, but when present it must complete the last
//     quantum exactly ("QQ==", "QUI=") and be followed only by whitespace;
//   - a lone final character (length % 4 == 1) and non-zero unused bits in
//     the last character (RFC 4648 section 3.5) are rejected, so arbitrary
//     words are not silently "decoded".
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace etvision::detail {

/// The decoded bytes, or nullopt when `text` is not well-formed base64.
/// An empty (or all-whitespace) text decodes to an empty vector.
std::optional<std::vector<std::uint8_t>> decodeBase64(std::string_view text);

/// Cheap pre-check without allocating: at least one base64 character, only
/// alphabet characters, whitespace and trailing '=', and a length that can
/// be decoded. decodeBase64 may still refuse a text that passes.
bool looksLikeBase64(std::string_view text) noexcept;

/// An upper bound of decodeBase64(text)->size(), from the number of alphabet
/// characters; lets callers refuse oversized input before allocating.
std::size_t base64DecodedSizeBound(std::string_view text) noexcept;

/// Standard alphabet, with padding.
std::string encodeBase64(std::span<const std::uint8_t> bytes);

}  // namespace etvision::detail
