// The CLI's IMAGE... arguments: a directory stands for the image files in it.
#pragma once

#include <string>
#include <vector>

namespace etvision::cli {

struct ImageArguments {
  /// Every image to process, in order: each file argument as given, each
  /// directory's image files (by extension: jpg, jpeg, png, bmp, webp, tif,
  /// ...) sorted by name, not recursing.
  std::vector<std::string> images;
  /// Whether any argument was a directory (then --overlay / --mask name
  /// output directories).
  bool fromDirectory = false;
  /// Directories holding no image file, to report as failures.
  std::vector<std::string> emptyDirectories;
};

/// Expands `arguments`; files in a directory whose names are not images are
/// skipped with one note each on stderr. URLs, data URIs and base64 pass
/// through untouched (only existing directories are expanded).
ImageArguments expandImageArguments(const std::vector<std::string>& arguments);

}  // namespace etvision::cli
