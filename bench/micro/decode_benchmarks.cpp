// Decoding encoded photos into 8-bit pixels (src/image/decode.h).
#include <benchmark/benchmark.h>

#include <opencv2/imgcodecs.hpp>

#include "bench_photos.h"
#include "image/decode.h"
#include "image/png_chunks.h"

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

/// The same photo through cv::imdecode (what decodeImage called for every
/// PNG and JPEG before the fast paths, src/image/png_fast.h, jpeg_fast.h).
void decodeWithOpenCv(benchmark::State& state, const std::vector<std::uint8_t>& bytes) {
  for (auto _ : state) {
    cv::Mat image = cv::imdecode(bytes, cv::IMREAD_COLOR);
    benchmark::DoNotOptimize(image.data);
  }
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
void BM_DecodePng_Chelsea451x300_Bgr(benchmark::State& state) {
  decode(state, photoBytes("skimage_chelsea.png"), kBgr);
}
void BM_DecodePng_Chelsea451x300_OpenCv(benchmark::State& state) {
  // Without its colour profile, as decodeImage hands it to OpenCV.
  decodeWithOpenCv(state, *detail::withoutPngColourProfile(photoBytes("skimage_chelsea.png")));
}
void BM_DecodeJpeg_GraceHopper512x600_Bgr(benchmark::State& state) {
  decode(state, photoBytes("mpl_grace_hopper.jpg"), kBgr);
}
void BM_DecodeJpeg_GraceHopper512x600_OpenCv(benchmark::State& state) {
  decodeWithOpenCv(state, photoBytes("mpl_grace_hopper.jpg"));
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
BENCHMARK(BM_DecodePng_Chelsea451x300_Bgr)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DecodePng_Chelsea451x300_OpenCv)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DecodeJpeg_GraceHopper512x600_Bgr)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DecodeJpeg_GraceHopper512x600_OpenCv)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DecodeJpeg_Large4032x3024_Rgb)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DecodeJpeg_Large4032x3024_Bgr)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DecodeJpeg_Large4032x3024_ReducedToward)
    ->Arg(224)
    ->Arg(520)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace etvision::bench
