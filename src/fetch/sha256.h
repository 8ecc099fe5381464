// SHA-256 digests (OpenSSL EVP), as lowercase hex.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace etvision::detail {

/// Incremental SHA-256.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(const void* data, std::size_t size);
  /// The digest of everything fed so far, as 64 lowercase hex digits. Ends
  /// the computation: call it once.
  std::string finishHex();

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};

/// SHA-256 of `bytes`, lowercase hex.
std::string sha256Hex(std::string_view bytes);

/// SHA-256 of a file's contents, lowercase hex. Throws Error(FileReadFailed)
/// when the file cannot be read.
std::string sha256OfFile(const std::filesystem::path& path);

/// True for 64 hex digits (either case).
bool isSha256Hex(std::string_view text);

}  // namespace etvision::detail
