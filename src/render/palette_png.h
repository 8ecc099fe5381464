// Writing an indexed-colour (palette) PNG: what encodeMaskPng returns.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "render/palette.h"

namespace etvision::detail {

/// A PNG of colour type 3 (palette), 8 bits per pixel: `indices` (width x
/// height, row-major) are stored as they are, `palette` gives each index its
/// colour. Every index must be below palette.size() (at most 256 entries).
/// Pixel values read back exactly (e.g. PIL's mode "P", libpng without
/// expansion) while viewers show the colours.
std::vector<std::uint8_t> encodePalettePng(std::span<const std::uint8_t> indices, int width,
                                           int height, std::span<const Rgb> palette);

}  // namespace etvision::detail
