#include "image/base64.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace etvision::detail {
namespace {

std::vector<std::uint8_t> bytesOf(std::string_view text) {
  return {text.begin(), text.end()};
}

std::optional<std::string> decodeToString(std::string_view text) {
  const auto bytes = decodeBase64(text);
  if (!bytes) return std::nullopt;
  return std::string(bytes->begin(), bytes->end());
}

// RFC 4648 section 10.
struct Vector {
  const char* plain;
  const char* encoded;
};
constexpr Vector kRfcVectors[] = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
};

TEST(Base64, DecodesRfc4648Vectors) {
  for (const auto& v : kRfcVectors) {
    EXPECT_EQ(decodeToString(v.encoded), std::string(v.plain)) << v.encoded;
  }
}

TEST(Base64, EncodesRfc4648Vectors) {
  for (const auto& v : kRfcVectors) {
    EXPECT_EQ(encodeBase64(bytesOf(v.plain)), v.encoded) << v.plain;
  }
}

TEST(Base64, PaddingIsOptional) {
  EXPECT_EQ(decodeToString("Zg"), "f");
  EXPECT_EQ(decodeToString("Zm8"), "fo");
  EXPECT_EQ(decodeToString("Zm9vYmE"), "fooba");
}

TEST(Base64, SkipsWhitespaceAsInMimeWrappedText) {
  EXPECT_EQ(decodeToString("Zm9v\r\nYmFy"), "foobar");
  EXPECT_EQ(decodeToString("  Zm 9v\tYm\nE=\n"), "fooba");
  EXPECT_EQ(decodeToString("Zg\n=\n=\n"), "f");
  EXPECT_EQ(decodeToString(" \n\t"), "");
}

TEST(Base64, AcceptsUrlSafeAlphabet) {
  // 0xFB 0xFF 0xBF encodes to "+/+/" (standard) or "-_-_" (URL-safe).
  const std::vector<std::uint8_t> expected{0xFB, 0xFF, 0xBF};
  EXPECT_EQ(decodeBase64("+/+/"), expected);
  EXPECT_EQ(decodeBase64("-_-_"), expected);
  EXPECT_EQ(encodeBase64(expected), "+/+/");
}

TEST(Base64, RejectsWrongPadding) {
  EXPECT_EQ(decodeBase64("Zg="), std::nullopt);    // one '=' short
  EXPECT_EQ(decodeBase64("Zg==="), std::nullopt);  // one '=' too many
  EXPECT_EQ(decodeBase64("Zm8=="), std::nullopt);  // quantum already full
  EXPECT_EQ(decodeBase64("Zm9v===="), std::nullopt);
  EXPECT_EQ(decodeBase64("Z==="), std::nullopt);  // a lone sextet
  EXPECT_EQ(decodeBase64("=="), std::nullopt);
  EXPECT_EQ(decodeBase64("Zg==Zg=="), std::nullopt);  // data after padding
  EXPECT_EQ(decodeBase64("Zm=8"), std::nullopt);
}

TEST(Base64, RejectsTruncatedQuantum) {
  EXPECT_EQ(decodeBase64("Z"), std::nullopt);
  EXPECT_EQ(decodeBase64("Zm9vY"), std::nullopt);
}

TEST(Base64, RejectsNonZeroUnusedBits) {
  // "Zh" would carry bits beyond the single byte 'f' encodes.
  EXPECT_EQ(decodeBase64("Zh=="), std::nullopt);
  EXPECT_EQ(decodeBase64("Zm9="), std::nullopt);
}

TEST(Base64, RejectsGarbage) {
  for (const char* text : {"Zm9v!", "Zm9v.YmFy", "hello world!", "photo.jpg",
                           "Zm\x01"
                           "9v",
                           "\xC3\xA9t\xC3\xA9"}) {
    EXPECT_EQ(decodeBase64(text), std::nullopt) << text;
  }
  EXPECT_EQ(decodeBase64(std::string_view("Zm9v\0YmFy", 9)), std::nullopt);
}

TEST(Base64, RoundTripsEveryLengthAndByte) {
  std::mt19937 random(42);
  for (std::size_t length = 0; length < 300; ++length) {
    std::vector<std::uint8_t> data(length);
    for (auto& b : data) b = static_cast<std::uint8_t>(random());
    const std::string encoded = encodeBase64(data);
    EXPECT_EQ(decodeBase64(encoded), data) << "length " << length;
    EXPECT_LE(data.size(), base64DecodedSizeBound(encoded));
    if (length > 0) {
      EXPECT_TRUE(looksLikeBase64(encoded)) << encoded;
    }
  }
}

TEST(Base64, RoundTripsWithLineBreaksEverywhere) {
  std::vector<std::uint8_t> data(1000);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i * 7);
  const std::string encoded = encodeBase64(data);
  for (std::size_t width : {1, 3, 4, 76}) {
    std::string wrapped;
    for (std::size_t i = 0; i < encoded.size(); i += width) {
      wrapped += encoded.substr(i, width);
      wrapped += "\r\n";
    }
    EXPECT_EQ(decodeBase64(wrapped), data) << "line width " << width;
  }
}

TEST(Base64, LooksLikeBase64IsACheapFilter) {
  EXPECT_TRUE(looksLikeBase64("Zm9vYmFy"));
  EXPECT_TRUE(looksLikeBase64("Zm9vYg=="));
  EXPECT_TRUE(looksLikeBase64("Zm9v\nYg"));
  EXPECT_TRUE(looksLikeBase64("/9j/4AAQ"));
  EXPECT_FALSE(looksLikeBase64(""));
  EXPECT_FALSE(looksLikeBase64("  \n"));
  EXPECT_FALSE(looksLikeBase64("=="));
  EXPECT_FALSE(looksLikeBase64("Z"));
  EXPECT_FALSE(looksLikeBase64("photo.jpg"));
  EXPECT_FALSE(looksLikeBase64("Zg==Zg"));
  EXPECT_FALSE(looksLikeBase64("data:image/png;base64,Zg=="));
}

TEST(Base64, SizeBoundCountsOnlyAlphabet) {
  EXPECT_EQ(base64DecodedSizeBound(""), 2u);
  EXPECT_EQ(base64DecodedSizeBound("Zm9v\n\n\n\n\nYmFy"), 8u);
  EXPECT_EQ(base64DecodedSizeBound("Zm9vYg=="), 5u);
}

}  // namespace
}  // namespace etvision::detail
