#include "fetch/cache_naming.h"

#include <gtest/gtest.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <set>
#include <string>

#include "etvision/fetch.h"

namespace etvision {
namespace {

TEST(CacheFileName, MatchesReferenceNaming) {
  EXPECT_EQ(cacheFileName("https://huggingface.co/a/b/resolve/v0.9.0/x.pte"),
            "huggingface.co_a_b_resolve_v0.9.0_x.pte");
  EXPECT_EQ(cacheFileName("http://127.0.0.1:8080/model.pte"), "127.0.0.1_8080_model.pte");
  EXPECT_EQ(cacheFileName("https://h/My-Model_v1.pte"), "h_My-Model_v1.pte");
}

TEST(CacheFileName, DropsSchemeAndFragmentKeepsQuery) {
  EXPECT_EQ(cacheFileName("https://h/x.pte#section"), "h_x.pte");
  EXPECT_EQ(cacheFileName("http://h/x.pte#a#b"), "h_x.pte");
  EXPECT_EQ(cacheFileName("https://h/x.pte?download=true&v=2"), "h_x.pte_download_true_v_2");
  EXPECT_EQ(cacheFileName("https://h/x.pte?a=1#frag"), "h_x.pte_a_1");
  // http and https name the same file, as in the reference.
  EXPECT_EQ(cacheFileName("http://h/x"), cacheFileName("https://h/x"));
}

TEST(CacheFileName, ReplacesEverythingOutsideThePortableSet) {
  EXPECT_EQ(cacheFileName("https://h/a b/%20/\xC3\xA9~!$&'()*+,;=:@"),
            "h_a_b__20_" + std::string(16, '_'));  // é is two bytes
}

TEST(CacheFileName, NeverSlashOrDotNames) {
  EXPECT_EQ(cacheFileName("https://"), "_");
  EXPECT_EQ(cacheFileName(""), "_");
  EXPECT_EQ(cacheFileName("https://."), "_.");
  EXPECT_EQ(cacheFileName("https://.."), "_..");
  EXPECT_EQ(cacheFileName("https://#x"), "_");
  EXPECT_EQ(cacheFileName("https://../.."), ".._..");
  for (const char* url : {"https://a/b/c", "https:///", "//", "https://../"}) {
    const std::string name = cacheFileName(url);
    EXPECT_EQ(name.find('/'), std::string::npos) << url;
    EXPECT_FALSE(name.empty() || name == "." || name == "..") << url;
  }
}

TEST(CacheFileName, NeverCollidesWithSidecarFiles) {
  // "h/x" downloads through "h_x.part"; the URL "h/x.part" must not be
  // given that name.
  EXPECT_EQ(cacheFileName("https://h/x.part"), "h_x.part_");
  EXPECT_EQ(cacheFileName("https://h/x.lock"), "h_x.lock_");
  EXPECT_EQ(cacheFileName("https://h/x.part.meta"), "h_x.part.meta_");
  EXPECT_EQ(cacheFileName("https://h/x.meta"), "h_x.meta");
}

TEST(CacheFileName, LongNamesAreShortenedAndStayDistinct) {
  const std::string base = "https://example.com/" + std::string(400, 'a');
  std::set<std::string> names;
  for (const char* tail : {"/one.pte", "/two.pte", "/one.pte?x=1", ""}) {
    const std::string name = cacheFileName(base + tail);
    EXPECT_LE(name.size(), 255u);
    EXPECT_LE(name.size(), detail::kMaxCacheFileName);
    EXPECT_EQ(name.find('/'), std::string::npos);
    EXPECT_TRUE(name.starts_with("example.com_aaaa")) << name;
    names.insert(name);
  }
  EXPECT_EQ(names.size(), 4u);
  // The extension survives so the file still looks like what it is.
  EXPECT_TRUE(cacheFileName(base + "/one.pte").ends_with(".pte"));
  // Deterministic.
  EXPECT_EQ(cacheFileName(base + "/one.pte"), cacheFileName(base + "/one.pte"));
  // Sidecars of the longest name are still valid file names.
  const std::string longest = cacheFileName(base + "/one.pte");
  EXPECT_LE((longest + ".part.meta").size(), 255u);
}

TEST(CacheFileName, NamesAtTheLimitAreKept) {
  const std::string host(detail::kMaxCacheFileName, 'b');
  EXPECT_EQ(cacheFileName("https://" + host), host);
  EXPECT_NE(cacheFileName("https://" + host + "b"), host + "b");
}

TEST(CacheFileName, HostileUrlsStayInsideTheCacheDirectory) {
  const std::string nul(1, '\0');
  const std::string climb = [] {
    std::string text;
    for (int i = 0; i < 200; ++i) text += "../";
    return text;
  }();
  for (const std::string& url :
       {std::string("https://h/../../etc/passwd"), std::string("https://h/%2e%2e/%2e%2e/x"),
        std::string("https://h/%2E%2E%2F%2E%2E%2Fx"), std::string("https://h/..%2f..%2fx"),
        std::string("https://h/..\\..\\x"), "https://h/a" + nul + "/../b", "https://" + nul,
        "https://h/" + climb, std::string("https://h/x\r\n/.."), std::string("https://%2e%2e"),
        std::string("https://h/~/.ssh/id_rsa")}) {
    const std::string name = cacheFileName(url);
    EXPECT_FALSE(name.empty() || name == "." || name == "..") << url;
    EXPECT_LE(name.size(), detail::kMaxCacheFileName) << url;
    for (char c : name) {
      EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-')
          << "byte " << static_cast<int>(static_cast<unsigned char>(c)) << " in " << name;
    }
    const std::filesystem::path inCache = std::filesystem::path("/cache") / name;
    EXPECT_EQ(inCache.lexically_normal().parent_path(), "/cache") << url;
  }
  EXPECT_EQ(cacheFileName("https://h/%2e%2e/x"), "h__2e_2e_x");
}

TEST(CacheFileName, EntryPathsShareTheDirectory) {
  const auto paths = detail::cacheEntryPaths("/cache", "https://h/x.pte");
  EXPECT_EQ(paths.file, "/cache/h_x.pte");
  EXPECT_EQ(paths.partial, "/cache/h_x.pte.part");
  EXPECT_EQ(paths.partialMeta, "/cache/h_x.pte.part.meta");
  EXPECT_EQ(paths.lock, "/cache/h_x.pte.lock");
}

/// Sets or unsets an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) previous_ = old;
    if (value != nullptr) {
      ::setenv(name, value, 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (previous_) {
      ::setenv(name_, previous_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> previous_;
};

TEST(CacheDir, EtvisionCacheDirWins) {
  ScopedEnv cache("ETVISION_CACHE_DIR", "/custom/cache");
  ScopedEnv xdg("XDG_CACHE_HOME", "/xdg");
  ScopedEnv home("HOME", "/home/someone");
  EXPECT_EQ(defaultCacheDir(), "/custom/cache");
}

TEST(CacheDir, XdgCacheHomeIsNext) {
  ScopedEnv cache("ETVISION_CACHE_DIR", nullptr);
  ScopedEnv xdg("XDG_CACHE_HOME", "/xdg");
  ScopedEnv home("HOME", "/home/someone");
  EXPECT_EQ(defaultCacheDir(), "/xdg/etvision");
}

TEST(CacheDir, HomeDotCacheIsTheFallback) {
  ScopedEnv cache("ETVISION_CACHE_DIR", nullptr);
  ScopedEnv xdg("XDG_CACHE_HOME", nullptr);
  ScopedEnv home("HOME", "/home/someone");
  EXPECT_EQ(defaultCacheDir(), "/home/someone/.cache/etvision");
}

TEST(CacheDir, EmptyAndRelativeValuesAreIgnored) {
  ScopedEnv cache("ETVISION_CACHE_DIR", "");
  ScopedEnv xdg("XDG_CACHE_HOME", "relative/dir");  // invalid per XDG spec
  ScopedEnv home("HOME", "/home/someone");
  EXPECT_EQ(defaultCacheDir(), "/home/someone/.cache/etvision");
}

}  // namespace
}  // namespace etvision
