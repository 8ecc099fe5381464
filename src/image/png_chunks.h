// PNG chunk surgery done before decoding.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace etvision::detail {

/// A copy of a PNG without its iCCP (embedded colour profile) chunks, or
/// nullopt when `bytes` is not a PNG, has no iCCP chunk or is malformed (then
/// the decoder sees it unchanged and reports it).
///
/// Why: OpenCV does no colour management, so the profile never affects the
/// pixels, but libpng prints a warning to stderr for the common "known
/// incorrect sRGB profile", which would break the CLI's promise of one line
/// per error. Dropping the chunk keeps decoding pixel-identical and quiet.
std::optional<std::vector<std::uint8_t>> withoutPngColourProfile(
    std::span<const std::uint8_t> bytes);

}  // namespace etvision::detail
