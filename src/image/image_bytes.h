// An ImageSource string -> the encoded image bytes it names.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string_view>
#include <vector>

#include "etvision/image_source.h"

namespace etvision::detail {

/// Resolves `text` in the order image_source.h documents: data URI,
/// http(s) URL (downloaded into memory), file:// URI, other schemes
/// (refused), an existing path, raw base64 of an image, and otherwise "no
/// such file". Applies limits.maxEncodedBytes and limits.httpTimeout.
/// Throws Error(FileReadFailed) for missing/unreadable/empty files and HTTP
/// failures, Error(InvalidUserInput) for malformed or unsupported URIs and
/// oversized input. Returns the bytes undecoded (never empty).
std::vector<std::uint8_t> readImageBytes(std::string_view text, const ImageReadLimits& limits);

/// Reads a whole regular file of at most `maxBytes` bytes. Throws
/// Error(FileReadFailed) when it is missing, a directory, not a regular file,
/// unreadable or empty, and Error(InvalidUserInput) when it is too large.
std::vector<std::uint8_t> readImageFile(const std::filesystem::path& path, std::size_t maxBytes);

/// ImageSource::fromUrl: an http(s) URL, fetched; other schemes (or none)
/// are InvalidUserInput.
std::vector<std::uint8_t> readImageUrl(std::string_view url, const ImageReadLimits& limits);

/// ImageSource::fromBase64: a data URI or raw base64 text; text that is not
/// base64 is InvalidUserInput, decoded bytes that are no image FileReadFailed.
std::vector<std::uint8_t> readImageBase64(std::string_view text, const ImageReadLimits& limits);

}  // namespace etvision::detail
