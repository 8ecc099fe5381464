// Pictures of a segmentation: a colour overlay with a legend, and a plain
// class-index mask, as PNG bytes.
#pragma once

#include <cstdint>
#include <vector>

#include "etvision/export.h"
#include "etvision/image_source.h"
#include "etvision/segmentation.h"

namespace etvision {

struct OverlayOptions {
  /// Opacity of the class colours over the photo, in [0, 1].
  float opacity = 0.5f;
  /// Draw a legend naming the classes present and their share of the image.
  bool legend = true;
  /// Outline each region in its colour.
  bool outlines = true;
};

/// The photo with every non-background class tinted in its own colour, at the
/// photo's size, encoded as PNG. When `segmentation` carries the probability
/// maps of every class (SegmentOptions::allClasses), region edges are drawn
/// from the bilinearly upsampled probabilities, so they are smooth rather than
/// blocky; otherwise the argmax map is scaled with nearest neighbour. Throws
/// like ImageSource reading, and InvalidUserInput for an empty segmentation.
ETVISION_API std::vector<std::uint8_t> renderOverlayPng(const ImageSource& image,
                                                        const Segmentation& segmentation,
                                                        const OverlayOptions& options = {});

/// The argmax map as an 8-bit palette PNG at the segmentation's size: each
/// pixel's value is its class index (0 = background), exactly, as in Pascal
/// VOC's own masks, and the palette holds renderOverlayPng's class colours,
/// so viewers show a coloured map. Read the indices with a reader that keeps
/// the palette (PIL's mode "P", libpng without expansion); OpenCV's imread
/// expands it to colours.
ETVISION_API std::vector<std::uint8_t> encodeMaskPng(const Segmentation& segmentation);

}  // namespace etvision
