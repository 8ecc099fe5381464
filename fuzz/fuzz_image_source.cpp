// Fuzz target: an ImageSource *string* resolved and decoded the way every
// task does it (loadRgbImage -> readImageBytes -> decodeRgbImage), for the
// inputs that resolve without I/O: data URIs, raw base64, unsupported
// schemes ("ftp://...", "x:..." ...), empty strings and strings with NULs.
//
// Hermetic by construction: inputs that readImageBytes would send to the
// network (http://, https://) or to an arbitrary file (file://, an absolute
// path, a relative path containing "..") are skipped before the call, using
// the same uriScheme() the library uses. What remains is raw base64 or a
// relative path, and the target runs in a fresh, empty working directory
// (created in LLVMFuzzerInitialize), so the "existing file" branch can only
// ever see that empty directory. Run with -artifact_prefix=<absolute dir> so
// crash files do not land in it (scripts/fuzz.sh does).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <opencv2/core.hpp>

#include "etvision/image_source.h"
#include "fetch/uri.h"
#include "fuzz_common.h"
#include "image/base64.h"
#include "image/image_loader.h"

namespace {

using namespace etvision;
using namespace etvision::detail;

bool resolvesWithoutIo(std::string_view text) {
  // readImageBytes refuses both before looking at anything else.
  if (text.empty() || text.find('\0') != std::string_view::npos) return true;
  if (const auto scheme = uriScheme(text)) {
    return *scheme != "http" && *scheme != "https" && *scheme != "file";
  }
  // Scheme-less: raw base64 or a path. Only relative paths that cannot
  // leave our empty working directory are let through.
  return text.front() != '/' && text.find("..") == std::string_view::npos;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  std::string dir = (std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp");
  dir += "/etvision-fuzz-cwd-XXXXXX";
  if (::mkdtemp(dir.data()) == nullptr || ::chdir(dir.c_str()) != 0) {
    std::perror("fuzz_image_source: cannot make an empty working directory");
    std::abort();
  }
  // Left behind on exit (libFuzzer may _exit); it stays empty.
  cv::setNumThreads(0);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  bool skip = true;
  FUZZ_EXPECT_ONLY_ETVISION_ERRORS(skip = !resolvesWithoutIo(text));
  if (skip) return 0;

  ImageReadLimits limits;
  limits.maxEncodedBytes = std::size_t{1} << 20;
  limits.maxPixels = 4'000'000;
  limits.httpTimeout = std::chrono::milliseconds(1);  // never used; belt and braces

  FUZZ_EXPECT_ONLY_ETVISION_ERRORS({
    const cv::Mat image = loadRgbImage(ImageSource(text), limits);
    FUZZ_CHECK(!image.empty());
    FUZZ_CHECK(image.type() == CV_8UC3);
    FUZZ_CHECK(static_cast<std::uint64_t>(image.cols) * image.rows <= limits.maxPixels);
  });
  return 0;
}
