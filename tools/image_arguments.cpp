#include "image_arguments.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>
#include <iostream>
#include <string_view>

namespace etvision::cli {

namespace {

// The formats the decoder reads (OpenCV's imgcodecs as Debian builds it).
constexpr std::array<std::string_view, 16> kImageExtensions{
    ".jpg",  ".jpeg", ".jpe", ".png", ".bmp", ".dib", ".webp", ".tif",
    ".tiff", ".pbm",  ".pgm", ".ppm", ".pnm", ".pxm", ".sr",   ".ras"};

bool hasImageExtension(const std::filesystem::path& path) {
  std::string extension = path.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return std::find(kImageExtensions.begin(), kImageExtensions.end(), extension) !=
         kImageExtensions.end();
}

}  // namespace

ImageArguments expandImageArguments(const std::vector<std::string>& arguments) {
  ImageArguments expanded;
  for (const std::string& argument : arguments) {
    std::error_code ec;
    if (!std::filesystem::is_directory(argument, ec)) {
      expanded.images.push_back(argument);
      continue;
    }
    expanded.fromDirectory = true;
    std::vector<std::filesystem::path> files;
    std::vector<std::filesystem::path> skipped;
    for (const auto& entry : std::filesystem::directory_iterator(argument, ec)) {
      std::error_code typeError;
      if (!entry.is_regular_file(typeError)) continue;
      if (hasImageExtension(entry.path())) {
        files.push_back(entry.path());
      } else {
        skipped.push_back(entry.path());
      }
    }
    if (ec) {
      std::cerr << "etvision: cannot list " << argument << ": " << ec.message() << "\n";
    }
    std::sort(skipped.begin(), skipped.end());
    for (const auto& file : skipped) {
      std::cerr << "etvision: skipping " << file.string() << " (not an image file name)\n";
    }
    std::sort(files.begin(), files.end());
    if (files.empty()) expanded.emptyDirectories.push_back(argument);
    for (const auto& file : files) expanded.images.push_back(file.string());
  }
  return expanded;
}

}  // namespace etvision::cli
