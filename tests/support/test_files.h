// File and image-bytes helpers shared by the unit and integration tests.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <vector>

namespace etvision::test {

/// The whole file; throws std::runtime_error when it cannot be opened.
inline std::vector<std::uint8_t> readFileBytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// Writes `bytes` to `path` (replacing it) and returns `path`; throws
/// std::runtime_error when the write fails.
inline std::filesystem::path writeFileBytes(const std::filesystem::path& path,
                                            const std::vector<std::uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
  return path;
}

/// A PNG signature and an IHDR chunk declaring width x height, nothing else:
/// the header check must refuse absurd sizes before allocating pixel memory.
inline std::vector<std::uint8_t> pngDeclaring(std::uint32_t width, std::uint32_t height) {
  std::vector<std::uint8_t> b{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n',
                              0,    0,   0,   13,  'I',  'H',  'D',  'R'};
  for (const std::uint32_t v : {width, height}) {
    for (int shift = 24; shift >= 0; shift -= 8) b.push_back(static_cast<std::uint8_t>(v >> shift));
  }
  b.insert(b.end(), {8, 2, 0, 0, 0, 0, 0, 0, 0});
  return b;
}

}  // namespace etvision::test
