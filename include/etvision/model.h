// What a model is: where its .pte lives and how its input is prepared.
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace etvision {

/// Per-channel normalisation applied outside the model, on RGB values
/// already scaled to [0, 1]: x' = (x - mean[c]) / stddev[c].
struct Normalization {
  std::array<float, 3> mean{};
  std::array<float, 3> stddev{};
};

/// ImageNet statistics, used by torchvision models.
inline constexpr Normalization kImageNetNormalization{{0.485f, 0.456f, 0.406f},
                                                      {0.229f, 0.224f, 0.225f}};

/// A model and its preprocessing contract. The built-in descriptors are in
/// models.h; build your own for a custom .pte, or use modelFromString().
///
/// The model's input must be one float32 tensor [1, 3, H, W] holding RGB
/// planes; H and W are read from the model at load time. Every image is
/// stretched (bilinear, aspect ratio not kept) to H x W, scaled to [0, 1] and,
/// when a normalisation applies, normalised.
///
/// Self-describing models: a .pte exported by etvision's python/ tools (the
/// bundled ones included) carries its task, normalisation and labels, so a
/// descriptor holding only its path loads it correctly. Its normalisation
/// wins: `normalization` may repeat it but not contradict it (load() throws
/// InvalidUserInput); `labels`, when given, replace the model's. A .pte
/// without that metadata (the reference's downloads, foreign exports) takes
/// what the descriptor says, and with nothing said, [0, 1] input and the
/// task's default labels, as the reference does.
struct ModelDescriptor {
  /// Short identifier, e.g. "efficientnet_v2_s" (used by the CLI).
  std::string name;
  /// URL, file:// URI, path or "bundled:<file>" (see fetch.h).
  std::string modelSource;
  /// Optional lowercase hex SHA-256 of the .pte, checked after download.
  std::string sha256;
  /// Normalisation applied outside the model; nullopt: the model's own when
  /// it carries metadata, else none (it normalises internally or expects
  /// plain [0, 1] input).
  std::optional<Normalization> normalization;
  /// Output labels in model order. Empty means the model's own (when it
  /// carries metadata), else the task's default set (ImageNet-1k for
  /// classification, Pascal VOC for segmentation); the count must equal the
  /// model's number of outputs.
  std::vector<std::string> labels;
  /// One line for `etvision models`.
  std::string description;
};

}  // namespace etvision
