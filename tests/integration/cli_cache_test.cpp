// The CLI's view of the model cache, run as real child processes on a scratch
// cache directory: `etvision models` marks what is cached, `etvision cache`
// lists it, `etvision cache clear [MODEL]` removes it.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "etvision/fetch.h"
#include "etvision/models.h"
#include "support/child_process.h"
#include "support/test_files.h"
#include "support/test_paths.h"

namespace etvision {
namespace {

namespace fs = std::filesystem;

class CliCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
#ifndef ETVISION_TEST_CLI
    GTEST_SKIP() << "the etvision command-line tool is not built (ETVISION_BUILD_TOOLS=OFF)";
#endif
  }

  /// Runs the CLI with this test's cache; returns stdout, expects exit 0.
  std::string run(std::vector<std::string> arguments) {
#ifdef ETVISION_TEST_CLI
    arguments.insert(arguments.begin(), ETVISION_TEST_CLI);
#endif
    const fs::path outputDir = logs_.path() / std::to_string(runs_++);
    fs::create_directories(outputDir);
    test::ChildProcess child({.argv = arguments,
                              .environment = {{"ETVISION_CACHE_DIR", cache_.path().string()}},
                              .outputDir = outputDir});
    const test::ChildExit exit = child.wait();
    EXPECT_EQ(exit.code, 0) << child.stderrText();
    return child.stdoutText();
  }

  /// A stand-in for a downloaded model: the file the fetcher would write.
  fs::path cache(const ModelDescriptor& model, std::size_t bytes) {
    const fs::path file = cache_.path() / cacheFileName(model.modelSource);
    test::writeFileBytes(file, std::vector<std::uint8_t>(bytes, 7));
    return file;
  }

  test::TempDir cache_;
  test::TempDir logs_;
  int runs_ = 0;
};

TEST_F(CliCacheTest, ModelsShowWhatIsCachedBundledOrNotDownloaded) {
  cache(EFFICIENTNET_V2_S, 1000);
  const std::string listing = run({"models"});
  EXPECT_NE(listing.find("[cached] " + EFFICIENTNET_V2_S.modelSource), std::string::npos)
      << listing;
  EXPECT_NE(listing.find("[not downloaded] " + DEEPLAB_V3_RESNET50.modelSource), std::string::npos);
  EXPECT_NE(listing.find("[bundled] " + MOBILENET_V2.modelSource), std::string::npos);
}

TEST_F(CliCacheTest, CacheListsThenClearsOneModelThenEverything) {
  const fs::path efficientNet = cache(EFFICIENTNET_V2_S, 2'000'000);
  const fs::path deepLab = cache(DEEPLAB_V3_RESNET50, 3'000'000);
  test::writeFileBytes(cache_.path() / "someone_elses.pte", std::vector<std::uint8_t>(10, 1));

  const std::string listing = run({"cache"});
  EXPECT_NE(listing.find("2.0 MB       efficientnet_v2_s  " + efficientNet.filename().string()),
            std::string::npos)
      << listing;
  EXPECT_NE(listing.find("deeplab_v3_resnet50"), std::string::npos);
  EXPECT_NE(listing.find(": 3 files, 5.0 MB"), std::string::npos) << listing;

  const std::string one = run({"cache", "clear", "efficientnet_v2_s"});
  EXPECT_NE(one.find("removed " + efficientNet.filename().string()), std::string::npos) << one;
  EXPECT_FALSE(fs::exists(efficientNet));
  EXPECT_TRUE(fs::exists(deepLab));

  const std::string all = run({"cache", "clear"});
  EXPECT_NE(all.find(": 2 files removed, 3.0 MB freed"), std::string::npos) << all;
  EXPECT_TRUE(fs::is_empty(cache_.path()));
}

}  // namespace
}  // namespace etvision
