// Forward latency of one model through etvision, in three modes:
//
//   etvision_forward_latency MODEL IMAGE [--segment] [--resize]
//       end to end through the public API: encoded file -> decode ->
//       preprocess -> inference -> result (the default);
//   etvision_forward_latency MODEL --inference-only [--input-raw F] [--output-raw F]
//       only the ExecuTorch forward on an already filled input tensor
//       (src/runtime/executorch_model.h); --input-raw reads float32 NCHW
//       inputs (N images of the model's size, image 0 is timed, default
//       mid-grey) and --output-raw writes output 0 of every input image
//       (float32), for numerics checks by bench/peers;
//   etvision_forward_latency MODEL --folder DIR [--batch] [--segment]
//       throughput: every image in DIR through the public API, --warmup
//       calls on the first image, then --runs timed passes over the
//       folder; images per second from the median pass. A pass is a loop
//       of forward() calls, or with --batch one classifyBatch() /
//       segmentBatch() call (decoding overlapped with inference).
//
// Common options: --runs N (timed runs / passes, default 20), --warmup N
// (default 3), --json (one JSON object on stdout instead of a sentence).
// MODEL is a built-in name or a .pte path (custom classifier: no
// normalisation; custom segmenter: ImageNet mean/std, as the seeded
// DeepLabV3 fixtures expect). Reports load time, min / median / max
// latency and the process's peak resident set size (VmHWM).
#include <etvision/etvision.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "runtime/executorch_model.h"

namespace {

using Clock = std::chrono::steady_clock;
using Json = nlohmann::ordered_json;

double millisecondsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

enum class Mode { EndToEnd, InferenceOnly, Folder };

struct Options {
  std::string model;
  std::string image;
  std::string folder;
  std::string inputRaw;
  std::string outputRaw;
  Mode mode = Mode::EndToEnd;
  int runs = 20;
  int warmup = 3;
  bool segment = false;
  bool resize = false;
  bool json = false;
  bool batch = false;
};

constexpr const char* kUsage =
    "usage: %s MODEL IMAGE [--segment] [--resize] [--runs N] [--warmup N] [--json]\n"
    "       %s MODEL --inference-only [--input-raw F] [--output-raw F] [--runs N] [--warmup N] "
    "[--json]\n"
    "       %s MODEL --folder DIR [--batch] [--segment] [--runs N] [--warmup N] [--json]\n";

std::optional<Options> parseOptions(int argc, char** argv) {
  Options options;
  std::vector<std::string> positional;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool hasValue = i + 1 < argc;
    if (arg == "--runs" && hasValue) {
      options.runs = std::atoi(argv[++i]);
    } else if (arg == "--warmup" && hasValue) {
      options.warmup = std::atoi(argv[++i]);
    } else if (arg == "--segment") {
      options.segment = true;
    } else if (arg == "--resize") {
      options.resize = true;
    } else if (arg == "--json") {
      options.json = true;
    } else if (arg == "--batch") {
      options.batch = true;
    } else if (arg == "--inference-only") {
      options.mode = Mode::InferenceOnly;
    } else if (arg == "--folder" && hasValue) {
      options.mode = Mode::Folder;
      options.folder = argv[++i];
    } else if (arg == "--input-raw" && hasValue) {
      options.inputRaw = argv[++i];
    } else if (arg == "--output-raw" && hasValue) {
      options.outputRaw = argv[++i];
    } else if (arg.starts_with("--")) {
      std::fprintf(stderr, "unknown or incomplete option %s\n", arg.c_str());
      return std::nullopt;
    } else {
      positional.push_back(arg);
    }
  }
  if (positional.empty() || options.runs < 1 || options.warmup < 0) return std::nullopt;
  options.model = positional[0];
  if (options.mode == Mode::EndToEnd) {
    if (positional.size() != 2) return std::nullopt;
    options.image = positional[1];
  } else if (positional.size() != 1) {
    return std::nullopt;
  }
  return options;
}

etvision::ModelDescriptor describeModel(const Options& options) {
  if (const auto* builtin = etvision::findModel(options.model)) return *builtin;
  etvision::ModelDescriptor model;
  model.name = options.model;
  model.modelSource = options.model;
  if (options.segment) model.normalization = etvision::kImageNetNormalization;
  return model;
}

/// This process's peak resident set. VmHWM first: getrusage's ru_maxrss
/// survives exec on Linux, so a child of a large parent (the Python harness)
/// would report the parent's peak.
double peakRssMegabytes() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with("VmHWM:")) return std::atof(line.c_str() + 6) / 1024.0;  // kB
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux: kilobytes
}

/// Latency statistics of `runs` timed calls after `warmup` untimed ones.
Json timeCalls(const std::function<void()>& call, int warmup, int runs) {
  for (int i = 0; i < warmup; ++i) call();
  std::vector<double> times;
  for (int i = 0; i < runs; ++i) {
    const auto start = Clock::now();
    call();
    times.push_back(millisecondsSince(start));
  }
  std::sort(times.begin(), times.end());
  const std::size_t n = times.size();
  const double median = n % 2 ? times[n / 2] : (times[n / 2 - 1] + times[n / 2]) / 2;
  return {{"runs", runs},        {"warmup", warmup},       {"min_ms", times.front()},
          {"median_ms", median}, {"max_ms", times.back()}, {"times_ms", times}};
}

std::vector<float> readFloats(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw etvision::Error(etvision::ErrorCode::FileReadFailed, "cannot open " + path);
  in.seekg(0, std::ios::end);
  const auto bytes = static_cast<std::size_t>(in.tellg());
  in.seekg(0);
  std::vector<float> values(bytes / sizeof(float));
  in.read(reinterpret_cast<char*>(values.data()),
          static_cast<std::streamsize>(values.size() * sizeof(float)));
  return values;
}

Json runInferenceOnly(const Options& options, const etvision::ModelDescriptor& model) {
  auto start = Clock::now();
  auto program = etvision::detail::openModel(model, {});
  const double loadMs = millisecondsSince(start);
  auto input = program->input();
  std::vector<float> inputs;
  std::size_t images = 1;
  if (options.inputRaw.empty()) {
    std::fill(input.begin(), input.end(), 0.5f);
  } else {
    inputs = readFloats(options.inputRaw);
    if (inputs.empty() || inputs.size() % input.size() != 0) {
      throw etvision::Error(etvision::ErrorCode::WrongDimensions,
                            options.inputRaw + " does not hold whole [1, 3, " +
                                std::to_string(program->inputHeight()) + ", " +
                                std::to_string(program->inputWidth()) + "] float32 images");
    }
    images = inputs.size() / input.size();
    std::copy_n(inputs.begin(), input.size(), input.begin());
  }
  Json result = timeCalls([&] { program->run(); }, options.warmup, options.runs);
  result["load_ms"] = loadMs;
  // The peak of the timed runs, before the numerics pass below.
  result["peak_rss_mb"] = peakRssMegabytes();
  if (!options.outputRaw.empty()) {
    std::ofstream out(options.outputRaw, std::ios::binary);
    for (std::size_t i = 0; i < images; ++i) {
      if (!inputs.empty()) {
        std::copy_n(inputs.begin() + static_cast<std::ptrdiff_t>(i * input.size()), input.size(),
                    input.begin());
      }
      const auto outputs = program->run();
      out.write(reinterpret_cast<const char*>(outputs.at(0).values.data()),
                static_cast<std::streamsize>(outputs[0].values.size_bytes()));
    }
    if (!out) {
      throw etvision::Error(etvision::ErrorCode::FileReadFailed,
                            "cannot write " + options.outputRaw);
    }
    result["output_images"] = images;
  }
  return result;
}

std::vector<std::string> imagesIn(const std::string& folder) {
  std::vector<std::string> images;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    auto suffix = entry.path().extension().string();
    std::transform(suffix.begin(), suffix.end(), suffix.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (entry.is_regular_file() && (suffix == ".jpg" || suffix == ".jpeg" || suffix == ".png" ||
                                    suffix == ".bmp" || suffix == ".webp")) {
      images.push_back(entry.path().string());
    }
  }
  std::sort(images.begin(), images.end());
  if (images.empty()) {
    throw etvision::Error(etvision::ErrorCode::InvalidUserInput, "no images in " + folder);
  }
  return images;
}

Json runPublicApi(const Options& options, const etvision::ModelDescriptor& model) {
  etvision::ClassificationModule classifier;
  etvision::ImageSegmentationModule segmenter;
  auto start = Clock::now();
  if (options.segment) {
    segmenter.load(model);
  } else {
    classifier.load(model);
  }
  const double loadMs = millisecondsSince(start);
  auto forward = [&](const std::string& image) {
    if (options.segment) {
      segmenter.forward(image, {}, options.resize);
    } else {
      classifier.forward(image);
    }
  };
  if (options.mode == Mode::EndToEnd) {
    Json result = timeCalls([&] { forward(options.image); }, options.warmup, options.runs);
    result["load_ms"] = loadMs;
    return result;
  }
  // Folder mode: warm up on the first image, then time whole passes.
  const auto images = imagesIn(options.folder);
  for (int i = 0; i < options.warmup; ++i) forward(images.front());
  const std::vector<etvision::ImageSource> sources(images.begin(), images.end());
  auto pass = [&] {
    if (!options.batch) {
      for (const auto& image : images) forward(image);
    } else if (options.segment) {
      segmenter.segmentBatch(sources, {.resize = options.resize});
    } else {
      classifier.classifyBatch(sources);
    }
  };
  Json result = timeCalls(pass, 0, options.runs);
  result["batch_api"] = options.batch;
  result["warmup"] = options.warmup;
  result["load_ms"] = loadMs;
  result["images_per_pass"] = images.size();
  result["images_per_s"] =
      static_cast<double>(images.size()) * 1000.0 / result["median_ms"].get<double>();
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  const auto options = parseOptions(argc, argv);
  if (!options) {
    std::fprintf(stderr, kUsage, argv[0], argv[0], argv[0]);
    return 2;
  }
  const auto model = describeModel(*options);
  try {
    Json result = {{"model", model.name},
                   {"mode", options->mode == Mode::EndToEnd        ? "end_to_end"
                            : options->mode == Mode::InferenceOnly ? "inference_only"
                                                                   : "folder"},
                   {"task", options->segment ? "segment" : "classify"}};
    if (!options->image.empty()) result["image"] = options->image;
    if (!options->folder.empty()) result["folder"] = options->folder;
    result.update(options->mode == Mode::InferenceOnly ? runInferenceOnly(*options, model)
                                                       : runPublicApi(*options, model));
    if (!result.contains("peak_rss_mb")) result["peak_rss_mb"] = peakRssMegabytes();
    result["hardware_threads"] = std::thread::hardware_concurrency();
    result["vector_isa"] = etvision::vectorIsa();
    if (options->json) {
      std::printf("%s\n", result.dump().c_str());
    } else {
      std::printf(
          "%s (%s): load %.1f ms; min %.2f ms, median %.2f ms, max %.2f ms (%d runs after %d "
          "warm-ups); peak RSS %.0f MB\n",
          model.name.c_str(), result["mode"].get<std::string>().c_str(),
          result["load_ms"].get<double>(), result["min_ms"].get<double>(),
          result["median_ms"].get<double>(), result["max_ms"].get<double>(), options->runs,
          options->warmup, result["peak_rss_mb"].get<double>());
      if (result.contains("images_per_s")) {
        std::printf("%.2f images/s over %zu images\n", result["images_per_s"].get<double>(),
                    result["images_per_pass"].get<std::size_t>());
      }
    }
  } catch (const etvision::Error& e) {
    std::fprintf(stderr, "error %d: %s\n", static_cast<int>(e.code()), e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
