// Decoding encoded photos into 8-bit pixels (src/image/decode.h).
#include <benchmark/benchmark.h>

#include "bench_photos.h"
#include "image/decode.h"

namespace etvision::bench {
namespace {

void decode(benchmark::State& state, const std::vector<std::uint8_t>& bytes,
            const detail::DecodeOptions& options) {
  for (auto _ : state) {
    detail::DecodedImage image = detail::decodeImage(bytes, {}, "photo", options);
    benchmark::DoNotOptimize(image.pixels.data);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(bytes.size()));
}

const detail::DecodeOptions kRgb{};
const detail::DecodeOptions kBgr{.order = detail::ChannelOrder::BGR};

void BM_DecodeJpeg_Rocket640x427_Rgb(benchmark::State& state) {
  decode(state, photoBytes("skimage_rocket.jpg"), kRgb);
}
void BM_DecodeJpeg_Rocket640x427_Bgr(benchmark::State& state) {
  decode(state, photoBytes("skimage_rocket.jpg"), kBgr);
}
void BM_DecodePng_Astronaut512x512_Rgb(benchmark::State& state) {
  decode(state, photoBytes("skimage_astronaut.png"), kRgb);
}
void BM_DecodePng_Astronaut512x512_Bgr(benchmark::State& state) {
  decode(state, photoBytes("skimage_astronaut.png"), kBgr);
}
void BM_DecodeJpeg_Large4032x3024_Rgb(benchmark::State& state) {
  decode(state, largeJpegBytes(), kRgb);
}
void BM_DecodeJpeg_Large4032x3024_Bgr(benchmark::State& state) {
  decode(state, largeJpegBytes(), kBgr);
}
/// The opt-in reduced decode toward a model input of state.range(0) square.
void BM_DecodeJpeg_Large4032x3024_ReducedToward(benchmark::State& state) {
  const int side = static_cast<int>(state.range(0));
  decode(state, largeJpegBytes(),
         {.order = detail::ChannelOrder::BGR, .reduceToward = cv::Size(side, side)});
}

BENCHMARK(BM_DecodeJpeg_Rocket640x427_Rgb)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DecodeJpeg_Rocket640x427_Bgr)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DecodePng_Astronaut512x512_Rgb)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DecodePng_Astronaut512x512_Bgr)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DecodeJpeg_Large4032x3024_Rgb)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DecodeJpeg_Large4032x3024_Bgr)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DecodeJpeg_Large4032x3024_ReducedToward)
    ->Arg(224)
    ->Arg(520)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace etvision::bench
