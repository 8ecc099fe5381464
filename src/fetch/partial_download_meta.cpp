#include "fetch/partial_download_meta.h"

#include <fstream>
#include <nlohmann/json.hpp>

#include "etvision/error.h"

namespace etvision::detail {

std::string PartialDownloadMeta::ifRangeValidator() const {
  if (!etag.empty() && !etag.starts_with("W/")) return etag;
  return lastModified;
}

std::optional<PartialDownloadMeta> readPartialDownloadMeta(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  // A sidecar cut short by a killed process fails to parse: that only costs
  // a restart, so every problem maps to "no usable metadata".
  const nlohmann::json json = nlohmann::json::parse(in, nullptr,
                                                    /*allow_exceptions=*/false);
  if (!json.is_object()) return std::nullopt;
  const auto text = [&](const char* key) -> std::optional<std::string> {
    const auto found = json.find(key);
    if (found == json.end() || !found->is_string()) return std::nullopt;
    return found->get<std::string>();
  };
  auto url = text("url");
  auto etag = text("etag");
  auto lastModified = text("last_modified");
  if (!url || !etag || !lastModified) return std::nullopt;
  return PartialDownloadMeta{std::move(*url), std::move(*etag), std::move(*lastModified)};
}

void writePartialDownloadMeta(const std::filesystem::path& path, const PartialDownloadMeta& meta) {
  const nlohmann::json json = {
      {"url", meta.url}, {"etag", meta.etag}, {"last_modified", meta.lastModified}};
  std::ofstream out(path, std::ios::trunc);
  out << json.dump() << '\n';
  out.close();
  if (!out) {
    throw Error(ErrorCode::FileWriteFailed,
                "Cannot write " + path.string() +
                    ". Make sure the cache directory is writable and the disk "
                    "is not full.");
  }
}

}  // namespace etvision::detail
