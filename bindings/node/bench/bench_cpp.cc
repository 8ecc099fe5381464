// The C++ baseline for bench/bench.js: the same forwards through
// etvision::ClassificationModule::forward (the map the Node call converts).
// Build: g++ -std=c++20 -O2 -I../.etvision-prefix/include bench_cpp.cc \
//          -L../.etvision-prefix/lib -letvision -Wl,-rpath,$PWD/../.etvision-prefix/lib
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "etvision/classification.h"
#include "etvision/models.h"

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::stoi(argv[1]) : 50;
  const std::string image = argc > 2 ? argv[2] : "../../../data/photos/skimage_chelsea.png";
  etvision::ClassificationModule module;
  module.load(etvision::MOBILENET_V2);
  for (int i = 0; i < 5; ++i) module.forward(image);
  std::vector<double> times;
  for (int i = 0; i < n; ++i) {
    const auto t = std::chrono::steady_clock::now();
    auto result = module.forward(image);
    times.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count());
  }
  std::sort(times.begin(), times.end());
  double sum = 0;
  for (double t : times) sum += t;
  std::printf("c++:  %d forwards, mean %.2f ms, median %.2f ms, min %.2f ms\n", n, sum / n,
              times[n / 2], times[0]);
}
