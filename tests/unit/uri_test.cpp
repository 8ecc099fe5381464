#include "fetch/uri.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "etvision/error.h"

namespace etvision::detail {
namespace {

ErrorCode codeOf(auto&& call) {
  try {
    call();
  } catch (const Error& error) {
    return error.code();
  }
  ADD_FAILURE() << "expected an etvision::Error";
  return ErrorCode::UnknownError;
}

TEST(UriScheme, RecognisesSchemesFollowedBySlashes) {
  EXPECT_EQ(uriScheme("https://example.com/x.pte"), "https");
  EXPECT_EQ(uriScheme("HTTP://EXAMPLE.COM/"), "http");
  EXPECT_EQ(uriScheme("file:///tmp/x"), "file");
  EXPECT_EQ(uriScheme("ftp://host/x"), "ftp");
  EXPECT_EQ(uriScheme("git+ssh://host/repo"), "git+ssh");
  EXPECT_EQ(uriScheme("a.b-c://x"), "a.b-c");
  EXPECT_EQ(uriScheme("s3://bucket/key"), "s3");
}

TEST(UriScheme, RecognisesDataUrisWithoutSlashes) {
  EXPECT_EQ(uriScheme("data:image/png;base64,AAAA"), "data");
  EXPECT_EQ(uriScheme("DATA:,hello"), "data");
}

TEST(UriScheme, RejectsPathsAndMalformedSchemes) {
  EXPECT_EQ(uriScheme(""), std::nullopt);
  EXPECT_EQ(uriScheme("/abs/path.pte"), std::nullopt);
  EXPECT_EQ(uriScheme("relative/path.pte"), std::nullopt);
  EXPECT_EQ(uriScheme("iVBORw0KGgo="), std::nullopt);  // raw base64
  EXPECT_EQ(uriScheme("C:\\models\\x.pte"), std::nullopt);
  EXPECT_EQ(uriScheme("http:/missing-slash"), std::nullopt);
  EXPECT_EQ(uriScheme("1http://x"), std::nullopt);  // must start with a letter
  EXPECT_EQ(uriScheme("ht tp://x"), std::nullopt);  // space is not allowed
  EXPECT_EQ(uriScheme("://x"), std::nullopt);
  EXPECT_EQ(uriScheme("dir/http://x"), std::nullopt);
}

TEST(UriScheme, IsHttpUrlAcceptsOnlyHttpAndHttps) {
  EXPECT_TRUE(isHttpUrl("http://a/b"));
  EXPECT_TRUE(isHttpUrl("HtTpS://a/b"));
  EXPECT_FALSE(isHttpUrl("ftp://a/b"));
  EXPECT_FALSE(isHttpUrl("file:///a"));
  EXPECT_FALSE(isHttpUrl("httpx://a"));
  EXPECT_FALSE(isHttpUrl("http:a"));
  EXPECT_FALSE(isHttpUrl("/http://a"));
}

TEST(UriPercentDecode, DecodesEscapes) {
  EXPECT_EQ(percentDecode(""), "");
  EXPECT_EQ(percentDecode("plain"), "plain");
  EXPECT_EQ(percentDecode("a%20b"), "a b");
  EXPECT_EQ(percentDecode("%41%62%7e"), "Ab~");
  EXPECT_EQ(percentDecode("%2F%2f"), "//");
  EXPECT_EQ(percentDecode("100%25"), "100%");
  EXPECT_EQ(percentDecode("a+b"), "a+b");  // '+' is not a space in paths
  EXPECT_EQ(percentDecode("%C3%A9"), "\xC3\xA9");
  EXPECT_EQ(percentDecode("%ff"), "\xff");
}

TEST(UriPercentDecode, RejectsMalformedEscapes) {
  for (const char* bad : {"%", "%2", "abc%", "%zz", "%2g", "%g2", "a%%20"}) {
    EXPECT_EQ(codeOf([&] { percentDecode(bad); }), ErrorCode::InvalidUserInput) << bad;
  }
}

TEST(UriPercentDecode, RejectsEncodedNul) {
  EXPECT_EQ(codeOf([] { percentDecode("a%00b"); }), ErrorCode::InvalidUserInput);
}

TEST(UriFileUri, ConvertsLocalUrisToPaths) {
  EXPECT_EQ(fileUriToPath("file:///tmp/model.pte"), "/tmp/model.pte");
  EXPECT_EQ(fileUriToPath("file://localhost/tmp/model.pte"), "/tmp/model.pte");
  EXPECT_EQ(fileUriToPath("FILE://LocalHost/tmp/x"), "/tmp/x");
  EXPECT_EQ(fileUriToPath("file:///tmp/my%20model%23v2.pte"), "/tmp/my model#v2.pte");
  EXPECT_EQ(fileUriToPath("file:///a/b/"), "/a/b/");
}

TEST(UriFileUri, IgnoresQueryAndFragment) {
  EXPECT_EQ(fileUriToPath("file:///tmp/x.pte#frag"), "/tmp/x.pte");
  EXPECT_EQ(fileUriToPath("file:///tmp/x.pte?v=1"), "/tmp/x.pte");
}

TEST(UriFileUri, RejectsRemoteHostsAndEmptyPaths) {
  for (const char* bad :
       {"file://server/share/x.pte", "file://example.com/x", "file://", "file:///",
        "file://localhost", "file://localhost/", "http://x/y", "file:///bad%zz"}) {
    EXPECT_EQ(codeOf([&] { fileUriToPath(bad); }), ErrorCode::InvalidUserInput) << bad;
  }
}

TEST(UriFileUri, RemoteHostMessageNamesTheHost) {
  try {
    fileUriToPath("file://nas.local/models/x.pte");
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("nas.local"), std::string::npos) << error.what();
  }
}

TEST(UriDisplay, HidesCredentials) {
  EXPECT_EQ(urlForDisplay("https://user:secret@host/x?a=b"), "https://***@host/x?a=b");
  EXPECT_EQ(urlForDisplay("https://host/x@y"), "https://host/x@y");
  EXPECT_EQ(urlForDisplay("https://host/x"), "https://host/x");
  EXPECT_EQ(urlForDisplay("not a url"), "not a url");
}

}  // namespace
}  // namespace etvision::detail
