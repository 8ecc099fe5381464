// Colours for segmentation classes.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace etvision::detail {

using Rgb = std::array<std::uint8_t, 3>;

/// A distinct, saturated colour for a class. Pascal VOC labels get fixed
/// colours chosen to read well over photos (people warm, animals cool, ...);
/// other labels fall back to a palette by index.
Rgb classColour(std::string_view label, int index) noexcept;

}  // namespace etvision::detail
