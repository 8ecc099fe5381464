#include "progress_bar.h"

#include <unistd.h>

#include <cstdio>
#include <memory>

namespace etvision::cli {

ProgressCallback makeProgressBar(std::string label) {
  if (isatty(STDERR_FILENO) == 0) return {};
  auto lastPercent = std::make_shared<int>(-1);
  return [label = std::move(label), lastPercent](double progress) {
    const int percent = static_cast<int>(progress * 100.0);
    if (percent == *lastPercent) return;
    *lastPercent = percent;
    constexpr int kWidth = 30;
    const int filled = percent * kWidth / 100;
    std::fprintf(stderr, "\r%s [%.*s%*s] %3d%%", label.c_str(), filled,
                 "##############################", kWidth - filled, "", percent);
    if (percent >= 100) std::fputc('\n', stderr);
    std::fflush(stderr);
  };
}

}  // namespace etvision::cli
