// Resident memory around a model's lifetime: does unload() give the memory
// back?
//
//   etvision_memory_after_unload [--fixtures DIR] [--image FILE] [--forwards N]
//                                [--cycles N] [--explain] [MODEL...]
//
// For each model, in a fresh child process (so models do not share one
// heap), prints the resident set size (VmRSS, split into anonymous memory and
// file-backed pages, from /proc/self/status) at these points:
//
//   baseline   process start, nothing loaded
//   loaded     after load()
//   forwards   after N forward() calls (default 10) on --image
//   unloaded   after unload()
//   trimmed    after malloc_trim(0) (glibc returns free heap pages to the OS)
//   cycle K    after K more load / N forwards / unload / malloc_trim cycles
//              (default 3): a growth here is a per-cycle leak
//
// --explain adds, per model, the mappings (/proc/self/smaps) whose resident
// size grew most from baseline to trimmed: heap, anonymous memory, or pages
// of mapped files such as shared-library code or the .pte.
//
// MODELs default to the bundled MobileNetV2 and selfie models and the seeded
// EfficientNetV2-S and DeepLabV3-ResNet50 fixtures in --fixtures (default
// build/fixtures; python/make_fixtures.py writes them). A MODEL is a built-in
// name or "classify:PATH" / "segment:PATH" for a .pte (segmenters get the
// ImageNet normalisation the DeepLabV3 fixtures expect).
#include <etvision/etvision.h>
#include <malloc.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Rss {
  double totalMb = 0;
  double anonMb = 0;
  double fileMb = 0;
};

// VmRSS, RssAnon and RssFile of this process, in MiB.
Rss currentRss() {
  std::ifstream status("/proc/self/status");
  Rss rss;
  std::string key;
  double kb = 0;
  std::string unit;
  while (status >> key) {
    if (key == "VmRSS:" || key == "RssAnon:" || key == "RssFile:") {
      status >> kb >> unit;
      const double mb = kb / 1024.0;
      if (key == "VmRSS:") rss.totalMb = mb;
      if (key == "RssAnon:") rss.anonMb = mb;
      if (key == "RssFile:") rss.fileMb = mb;
    } else {
      status.ignore(1 << 16, '\n');
    }
  }
  return rss;
}

// Resident KiB per mapping (file path, "[heap]", "[anon]", ...), from
// /proc/self/smaps: tells whether memory still held after unload is heap,
// anonymous mappings or pages of a mapped file (shared library code, a .pte).
std::map<std::string, long> residentByMapping() {
  std::ifstream smaps("/proc/self/smaps");
  std::map<std::string, long> kib;
  std::string line;
  std::string current = "[anon]";
  while (std::getline(smaps, line)) {
    std::istringstream fields(line);
    std::string first;
    fields >> first;
    if (first == "Rss:") {
      long value = 0;
      fields >> value;
      kib[current] += value;
    } else if (first.find('-') != std::string::npos && first.back() != ':') {
      // "start-end perms offset dev inode [path]": a new mapping.
      std::string perms, offset, dev, inode, path;
      fields >> perms >> offset >> dev >> inode;
      std::getline(fields >> std::ws, path);
      current = path.empty() ? "[anon]" : path;
    }
  }
  return kib;
}

// The mappings whose resident size grew the most between two snapshots.
void printLargestGrowth(const std::map<std::string, long>& before,
                        const std::map<std::string, long>& after, std::size_t count) {
  std::vector<std::pair<long, std::string>> growth;
  for (const auto& [name, kib] : after) {
    const auto old = before.find(name);
    const long delta = kib - (old == before.end() ? 0 : old->second);
    if (delta != 0) growth.emplace_back(delta, name);
  }
  std::sort(growth.rbegin(), growth.rend());
  if (growth.size() > count) growth.resize(count);
  std::printf("  largest growth baseline -> trimmed, by mapping:\n");
  for (const auto& [delta, name] : growth) {
    std::printf("    %+8.1f MiB  %s\n", static_cast<double>(delta) / 1024.0, name.c_str());
  }
}

// One model under measurement: how to load, run and unload it.
struct Subject {
  std::string name;
  std::function<void()> load;
  std::function<void()> forward;
  std::function<void()> unload;
};

struct Options {
  std::string fixtures = "build/fixtures";
  std::string image = "data/photos/skimage_astronaut.png";
  int forwards = 10;
  int cycles = 3;
  bool explain = false;
  std::vector<std::string> models;
};

// Holds the modules for the lifetime of the (child) process.
struct Modules {
  etvision::ClassificationModule classifier;
  etvision::ImageSegmentationModule segmenter;
};

std::optional<Subject> makeSubject(const std::string& model, const Options& options,
                                   Modules& modules) {
  auto classifierOf = [&](etvision::ModelDescriptor descriptor) {
    return Subject{model, [&modules, descriptor] { modules.classifier.load(descriptor); },
                   [&modules, &options] { modules.classifier.forward(options.image); },
                   [&modules] { modules.classifier.unload(); }};
  };
  auto segmenterOf = [&](etvision::ModelDescriptor descriptor) {
    return Subject{model, [&modules, descriptor] { modules.segmenter.load(descriptor); },
                   [&modules, &options] { modules.segmenter.forward(options.image); },
                   [&modules] { modules.segmenter.unload(); }};
  };
  const auto custom = [&](const std::string& path, bool segment) {
    etvision::ModelDescriptor descriptor{.name = path, .modelSource = path};
    if (segment) descriptor.normalization = etvision::kImageNetNormalization;
    return segment ? segmenterOf(descriptor) : classifierOf(descriptor);
  };
  if (model.starts_with("classify:")) return custom(model.substr(9), false);
  if (model.starts_with("segment:")) return custom(model.substr(8), true);
  for (const etvision::ModelDescriptor* builtin : etvision::classificationModels()) {
    if (builtin->name == model) return classifierOf(*builtin);
  }
  for (const etvision::ModelDescriptor* builtin : etvision::segmentationModels()) {
    if (builtin->name == model) return segmenterOf(*builtin);
  }
  return std::nullopt;
}

void printRow(const std::string& what, const Rss& rss, const Rss& baseline) {
  std::printf("  %-12s %9.1f %9.1f %9.1f %+11.1f\n", what.c_str(), rss.totalMb, rss.anonMb,
              rss.fileMb, rss.totalMb - baseline.totalMb);
}

// Runs in the child process: measures one model and prints its table.
int measure(const std::string& model, const Options& options) {
  const Rss baseline = currentRss();
  const auto baselineMappings = residentByMapping();
  Modules modules;
  const auto subject = makeSubject(model, options, modules);
  if (!subject) {
    std::fprintf(stderr, "unknown model '%s'\n", model.c_str());
    return 2;
  }
  try {
    auto runForwards = [&] {
      for (int i = 0; i < options.forwards; ++i) subject->forward();
    };
    std::printf("%s (%d forwards on %s)\n", model.c_str(), options.forwards, options.image.c_str());
    std::printf("  %-12s %9s %9s %9s %11s\n", "point", "RSS MiB", "anon", "file", "vs baseline");
    printRow("baseline", baseline, baseline);
    subject->load();
    printRow("loaded", currentRss(), baseline);
    runForwards();
    printRow("forwards", currentRss(), baseline);
    subject->unload();
    printRow("unloaded", currentRss(), baseline);
    malloc_trim(0);
    printRow("trimmed", currentRss(), baseline);
    const auto trimmedMappings = residentByMapping();
    for (int cycle = 1; cycle <= options.cycles; ++cycle) {
      subject->load();
      runForwards();
      subject->unload();
      malloc_trim(0);
      printRow("cycle " + std::to_string(cycle), currentRss(), baseline);
    }
    if (options.explain) printLargestGrowth(baselineMappings, trimmedMappings, 12);
  } catch (const etvision::Error& e) {
    std::fprintf(stderr, "%s: %s (%s)\n", model.c_str(), e.what(),
                 etvision::errorCodeName(e.code()));
    return 1;
  }
  std::fflush(stdout);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool hasValue = i + 1 < argc;
    if (arg == "--fixtures" && hasValue) {
      options.fixtures = argv[++i];
    } else if (arg == "--image" && hasValue) {
      options.image = argv[++i];
    } else if (arg == "--forwards" && hasValue) {
      options.forwards = std::atoi(argv[++i]);
    } else if (arg == "--cycles" && hasValue) {
      options.cycles = std::atoi(argv[++i]);
    } else if (arg == "--explain") {
      options.explain = true;
    } else if (arg.starts_with("--")) {
      std::fprintf(stderr,
                   "usage: %s [--fixtures DIR] [--image FILE] [--forwards N] [--cycles N] "
                   "[--explain] [MODEL...]\n",
                   argv[0]);
      return 2;
    } else {
      options.models.push_back(arg);
    }
  }
  if (options.models.empty()) {
    options.models = {"mobilenet_v2", "mediapipe_selfie",
                      "classify:" + options.fixtures + "/efficientnet_v2_s_seed0_224x224_fp32.pte",
                      "segment:" + options.fixtures + "/deeplabv3_resnet50_seed0_224x224_fp32.pte"};
  }

  // One child per model, created before anything is loaded here, so each
  // starts from the same clean heap.
  int failures = 0;
  for (const std::string& model : options.models) {
    std::fflush(stdout);
    const pid_t child = fork();
    if (child < 0) {
      std::perror("fork");
      return 1;
    }
    if (child == 0) {
      const int rc = measure(model, options);
      std::fflush(stdout);
      std::_Exit(rc);
    }
    int status = 0;
    waitpid(child, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) ++failures;
  }
  return failures == 0 ? 0 : 1;
}
