#include "image/source_text.h"

#include "fetch/uri.h"
#include "image/base64.h"

namespace etvision::detail {
namespace {

// Text this long that is all base64 is almost certainly an encoded image,
// not a file name; shorter strings are shown as they are.
constexpr std::size_t kBase64DescriptionThreshold = 256;

std::string printable(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    const auto byte = static_cast<unsigned char>(c);
    // Bytes >= 0x80 stay: they are usually UTF-8 file names.
    if (byte < 0x20 || byte == 0x7F) c = '?';
  }
  return out;
}

}  // namespace

std::string shortenForMessage(std::string_view text, std::size_t maxChars) {
  if (text.size() <= maxChars) return printable(text);
  const std::size_t tail = maxChars / 4;
  const std::size_t head = maxChars - tail;
  return printable(text.substr(0, head)) + "..." + printable(text.substr(text.size() - tail)) +
         " (" + std::to_string(text.size()) + " chars)";
}

std::string describeSourceText(std::string_view text) {
  if (text.empty()) return "empty string";
  if (uriScheme(text) == "data") {
    return "data URI (" + std::to_string(text.size()) + " bytes)";
  }
  if (text.size() >= kBase64DescriptionThreshold && looksLikeBase64(text)) {
    return "base64 string (" + std::to_string(text.size()) + " bytes)";
  }
  return shortenForMessage(text);
}

}  // namespace etvision::detail
