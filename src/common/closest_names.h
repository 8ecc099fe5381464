// "Did you mean ...?": the names closest to a mistyped one. Header-only, so
// that both the library (model names) and the CLI (subcommands, options),
// which links only the shared library's public API, use this one copy.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace etvision::detail {

/// Levenshtein distance: the fewest single-character insertions, deletions
/// and substitutions turning `a` into `b`.
inline std::size_t editDistance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

/// The candidates within max(2, a third of the typed name's length) edits of
/// `typed`, or containing it (when it has 3 characters or more), closest
/// first (ties in the candidates' order), at most `limit` of them.
inline std::vector<std::string> closestNames(std::string_view typed,
                                             const std::vector<std::string_view>& candidates,
                                             std::size_t limit = 3) {
  std::vector<std::pair<std::size_t, std::string_view>> close;
  for (const std::string_view candidate : candidates) {
    const std::size_t distance = editDistance(typed, candidate);
    const bool contains = typed.size() >= 3 && candidate.find(typed) != std::string_view::npos;
    if (distance <= std::max<std::size_t>(2, typed.size() / 3) || contains) {
      close.emplace_back(contains ? 0 : distance, candidate);
    }
  }
  std::stable_sort(close.begin(), close.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> names;
  for (std::size_t i = 0; i < close.size() && i < limit; ++i) {
    names.emplace_back(close[i].second);
  }
  return names;
}

}  // namespace etvision::detail
