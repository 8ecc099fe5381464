// Video effects (EffectOptions in etvision/video.h) drawn on RGB frames from
// a foreground probability map: background blur, replacement, a tinted
// overlay, or the mask itself. One renderer per run: it holds the prepared
// background and, with temporal smoothing, the previous frame's map.
//
// The map arrives at the model's output size (e.g. 256x256); smoothing and
// feathering happen there (cheap), then the alpha is resized bilinearly to
// the frame, so edges follow the probabilities rather than a blocky argmax.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "etvision/segmentation.h"
#include "etvision/video.h"

namespace etvision::detail {

/// The class indices `options.foreground` names among `labels` (every index
/// but 0 when it names none). Throws InvalidUserInput for an unknown label,
/// listing the known ones.
std::vector<int> foregroundClasses(const EffectOptions& options,
                                   const std::vector<std::string>& labels);

/// Foreground probability per pixel of `segmentation` (at its size): the sum
/// of the probability maps of `classes`, clamped to [0, 1]. The maps must be
/// present (SegmentOptions::classesOfInterest or allClasses); when every
/// class but 0 is foreground and only map 0 is present, 1 - p(0) is used.
std::vector<float> foregroundProbability(const Segmentation& segmentation,
                                         const std::vector<int>& classes);

class EffectRenderer {
 public:
  /// Prepares `options` for frames of `width` x `height` (reads and
  /// stretches the replacement background). Throws InvalidUserInput for bad
  /// options (an unreadable background, a value out of range).
  EffectRenderer(const EffectOptions& options, int width, int height);
  ~EffectRenderer();
  EffectRenderer(const EffectRenderer&) = delete;
  EffectRenderer& operator=(const EffectRenderer&) = delete;

  /// Draws the effect on `rgb` (width * height * 3 bytes, packed, in place)
  /// from `probability` (mapWidth * mapHeight foreground probabilities).
  /// Applies temporal smoothing against the previous call's map when
  /// enabled (a map of another size restarts it).
  void render(std::span<std::uint8_t> rgb, std::span<const float> probability, int mapWidth,
              int mapHeight);

  /// The last foreground alpha at frame size, in [0, 1] (for tests and the
  /// mask effect).
  std::span<const float> alpha() const noexcept;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace etvision::detail
