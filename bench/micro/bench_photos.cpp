#include "bench_photos.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "image/decode.h"

namespace etvision::bench {

const std::vector<std::uint8_t>& photoBytes(const std::string& name) {
  // Benchmarks run on one thread at a time; the cache only grows.
  static std::map<std::string, std::vector<std::uint8_t>> cache;
  auto found = cache.find(name);
  if (found != cache.end()) return found->second;
  const std::string path = std::string(ETVISION_BENCH_PHOTOS_DIR) + "/" + name;
  std::ifstream in(path, std::ios::binary);
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                  std::istreambuf_iterator<char>());
  if (bytes.empty()) {
    std::fprintf(stderr, "cannot read %s\n", path.c_str());
    std::exit(1);
  }
  return cache.emplace(name, std::move(bytes)).first->second;
}

const std::vector<std::uint8_t>& largeJpegBytes() {
  static const std::vector<std::uint8_t> bytes = [] {
    const std::vector<std::uint8_t>& small = photoBytes("skimage_rocket.jpg");
    const cv::Mat decoded = cv::imdecode(small, cv::IMREAD_COLOR);
    cv::Mat large;
    cv::resize(decoded, large, cv::Size(4032, 3024), 0, 0, cv::INTER_LINEAR);
    std::vector<std::uint8_t> encoded;
    cv::imencode(".jpg", large, encoded, {cv::IMWRITE_JPEG_QUALITY, 90});
    return encoded;
  }();
  return bytes;
}

const cv::Mat& largeRgbImage() {
  static const cv::Mat image = detail::decodeRgbImage(largeJpegBytes(), {}, "large photo");
  return image;
}

}  // namespace etvision::bench
