// The bad-input matrix: every class of hostile or mistaken input, through
// both task modules where it applies, with the error code it must raise and
// words the message must contain so that it tells the caller what to fix.
//
// One row per (input class, module). Each row builds its input (files in a
// scratch directory, URLs on a real loopback HTTP server, the generated bad
// .pte fixtures) and names the call it goes through (forward on a loaded
// module, load, classesOfInterest, the lifecycle). The single TEST_P below
// applies it and checks the etvision::Error. Any other exception, a crash or
// a success fails the row.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "etvision/etvision.h"
#include "image/base64.h"
#include "support/http_test_server.h"
#include "support/test_files.h"
#include "support/test_helpers.h"
#include "support/test_paths.h"

namespace etvision {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;
using test::fixturesDir;
using test::photosDir;

Bytes textBytes(std::string_view text) {
  return Bytes(text.begin(), text.end());
}

// --- what a row feeds to the module -------------------------------------------

/// forward() on a module loaded with a good model.
struct ForwardImage {
  ImageSource image;
};
/// load() on a fresh module.
struct LoadModel {
  ModelDescriptor model;
};
/// segment() on the loaded segmenter, classes given by name.
struct SegmentClassNames {
  std::vector<std::string> names;
};
/// forward() on the loaded segmenter, classes given as DeeplabLabel values.
struct ForwardDeeplabLabels {
  std::vector<DeeplabLabel> labels;
};
/// forward() of a good photo on a module never loaded.
struct ForwardBeforeLoad {};
/// forward() of a good photo on a module loaded, then unloaded.
struct ForwardAfterUnload {};

using BadInput = std::variant<ForwardImage, LoadModel, SegmentClassNames, ForwardDeeplabLabels,
                              ForwardBeforeLoad, ForwardAfterUnload>;

/// Where a row's input files and URLs live; shared by the whole suite.
struct Workspace {
  test::TempDir dir;
  std::unique_ptr<test::HttpTestServer> server;
};

enum class Task { Classification, Segmentation };

struct Row {
  std::string name;
  Task task;
  std::function<BadInput(const Workspace&)> build;
  ErrorCode code;
  /// Every one must appear in the message: what is wrong and what to change.
  std::vector<std::string> messageMustContain;
};

ModelDescriptor modelFile(const fs::path& path) {
  return ModelDescriptor{.name = path.filename().string(), .modelSource = path.string()};
}

const std::string kGoodPhoto = (photosDir() / "skimage_astronaut.png").string();

// Input classes that apply to both modules alike; `messageMustContain` is the
// same for both.
std::vector<Row> rowsForBothTasks() {
  struct Shared {
    std::string name;
    std::function<BadInput(const Workspace&)> build;
    ErrorCode code;
    std::vector<std::string> messageMustContain;
  };
  const std::vector<Shared> shared{
      // --- images ---
      {"NonexistentPath",
       [](const Workspace& w) { return ForwardImage{(w.dir.path() / "missing.jpg").string()}; },
       ErrorCode::FileReadFailed,
       {"missing.jpg", "does not exist"}},
      {"Directory",
       [](const Workspace& w) { return ForwardImage{w.dir.path().string()}; },
       ErrorCode::FileReadFailed,
       {"is a directory"}},
      {"EmptyFile",
       [](const Workspace& w) {
         return ForwardImage{test::writeFileBytes(w.dir.path() / "empty.png", {}).string()};
       },
       ErrorCode::FileReadFailed,
       {"empty.png", "is empty"}},
      {"TruncatedJpeg",
       [](const Workspace& w) {
         Bytes jpeg = test::readFileBytes(photosDir() / "mpl_grace_hopper.jpg");
         jpeg.resize(jpeg.size() * 2 / 3);
         return ForwardImage{test::writeFileBytes(w.dir.path() / "cut.jpg", jpeg).string()};
       },
       ErrorCode::FileReadFailed,
       {"cut.jpg", "truncated"}},
      {"PngDeclaringAbsurdDimensions",
       [](const Workspace& w) {
         return ForwardImage{
             test::writeFileBytes(w.dir.path() / "huge.png", test::pngDeclaring(100000, 100000))
                 .string()};
       },
       ErrorCode::InvalidUserInput,
       {"huge.png", "100000x100000", "maxPixels"}},
      {"BytesThatAreNotAnImage",
       [](const Workspace& w) {
         return ForwardImage{test::writeFileBytes(w.dir.path() / "notes.jpg",
                                                  textBytes("just text, whatever the name says"))
                                 .string()};
       },
       ErrorCode::FileReadFailed,
       {"notes.jpg", "could not decode"}},
      {"EncodedBytesThatAreNotAnImage",
       [](const Workspace&) {
         return ForwardImage{ImageSource::fromEncoded(Bytes{0x00, 0x01, 0x02, 0x03, 0xFE})};
       },
       ErrorCode::FileReadFailed,
       {"could not decode", "00 01 02 03 FE"}},
      {"InvalidBase64InDataUri",
       [](const Workspace&) { return ForwardImage{"data:image/png;base64,iVBORw0KGgo@@@"}; },
       ErrorCode::InvalidUserInput,
       {"data URI", "not valid base64"}},
      {"DataUriOfATextType",
       [](const Workspace&) { return ForwardImage{"data:text/plain;base64,aGVsbG8="}; },
       ErrorCode::InvalidUserInput,
       {"text/plain", "not an image"}},
      {"DataUriWhosePayloadIsNotAnImage",
       [](const Workspace&) {
         return ForwardImage{"data:image/png;base64," + detail::encodeBase64(Bytes(3000, 0x42))};
       },
       ErrorCode::FileReadFailed,
       {"data URI", "could not decode"}},
      {"UnsupportedUriScheme",
       [](const Workspace&) { return ForwardImage{"ftp://example.com/cat.jpg"}; },
       ErrorCode::InvalidUserInput,
       {"unsupported URI scheme 'ftp'", "http(s)://", "file://"}},
      {"ImageUrlAnswering404",
       [](const Workspace& w) { return ForwardImage{w.server->url("/no-such-image.jpg")}; },
       ErrorCode::FileReadFailed,
       {"no-such-image.jpg", "404"}},
      {"ImageUrlAnsweringHtml",
       [](const Workspace& w) {
         return ForwardImage{w.server->url("/page.html?content_type=text/html")};
       },
       ErrorCode::FileReadFailed,
       {"page.html", "could not decode", "<!DOCTYPE html"}},
      // --- models ---
      {"ModelPathThatDoesNotExist",
       [](const Workspace& w) { return LoadModel{modelFile(w.dir.path() / "no-such-model.pte")}; },
       ErrorCode::InvalidModelSource,
       {"no-such-model.pte"}},
      {"ModelFileThatIsNotAPte",
       [](const Workspace&) { return LoadModel{modelFile(photosDir() / "skimage_chelsea.png")}; },
       ErrorCode::InvalidProgram,
       {"skimage_chelsea.png", "ExecuTorch .pte"}},
      {"ModelWithRank3Input",
       [](const Workspace&) { return LoadModel{modelFile(fixturesDir() / "bad_input_rank3.pte")}; },
       ErrorCode::WrongDimensions,
       {"bad_input_rank3.pte", "[1, 3, 224]", "float32 [1, 3, H, W]"}},
      {"ModelWithUint8Input",
       [](const Workspace&) { return LoadModel{modelFile(fixturesDir() / "bad_input_uint8.pte")}; },
       ErrorCode::WrongDimensions,
       {"bad_input_uint8.pte", "uint8", "float32 [1, 3, H, W]"}},
      {"ModelWithInt64Input",
       [](const Workspace&) { return LoadModel{modelFile(fixturesDir() / "bad_input_int64.pte")}; },
       ErrorCode::WrongDimensions,
       {"bad_input_int64.pte", "int64", "float32 [1, 3, H, W]"}},
      {"ModelWithTwoInputs",
       [](const Workspace&) { return LoadModel{modelFile(fixturesDir() / "bad_two_inputs.pte")}; },
       ErrorCode::WrongDimensions,
       {"bad_two_inputs.pte", "2 inputs", "exactly one"}},
      // --- lifecycle ---
      {"ForwardBeforeLoad",
       [](const Workspace&) { return ForwardBeforeLoad{}; },
       ErrorCode::ModuleNotLoaded,
       {"not loaded", "load the model"}},
      {"ForwardAfterUnload",
       [](const Workspace&) { return ForwardAfterUnload{}; },
       ErrorCode::ModuleNotLoaded,
       {"not loaded", "load the model"}},
  };
  std::vector<Row> rows;
  for (const Task task : {Task::Classification, Task::Segmentation}) {
    for (const Shared& s : shared)
      rows.push_back({s.name, task, s.build, s.code, s.messageMustContain});
  }
  return rows;
}

// Input classes whose outcome or message depends on the module.
std::vector<Row> taskSpecificRows() {
  const auto tenOutputs = [](const Workspace&) {
    return LoadModel{modelFile(fixturesDir() / "bad_output_10.pte")};
  };
  return {
      // A [1, 10] classifier: wrong output count for 1000 ImageNet labels...
      {"ModelWithWrongOutputCount",
       Task::Classification,
       tenOutputs,
       ErrorCode::InvalidModelOutput,
       {"bad_output_10.pte", "10 values", "1000 labels", "ModelDescriptor::labels"}},
      // ...and no per-pixel map at all for a segmenter.
      {"ModelWithWrongOutputCount",
       Task::Segmentation,
       tenOutputs,
       ErrorCode::InvalidModelOutput,
       {"bad_output_10.pte", "[1, 10]", "[1, C, H, W]"}},
      // The selfie model's output has 2 classes; Pascal VOC has 21 labels.
      {"ModelWithFewerClassesThanItsLabels",
       Task::Segmentation,
       [](const Workspace&) {
         ModelDescriptor model = MEDIAPIPE_SELFIE;
         model.labels = test::vocLabelNames();
         return LoadModel{model};
       },
       ErrorCode::InvalidModelOutput,
       {"2 classes", "21 labels", "ModelDescriptor::labels"}},
      {"UnknownClassOfInterest",
       Task::Segmentation,
       [](const Workspace&) {
         return SegmentClassNames{{"PERSON", "UNICORN"}};
       },
       ErrorCode::InvalidUserInput,
       {"'UNICORN'", "classesOfInterest", "BACKGROUND, PERSON"}},
      {"DeeplabLabelTheModelLacks",
       Task::Segmentation,
       [](const Workspace&) { return ForwardDeeplabLabels{{DeeplabLabel::CAT}}; },
       ErrorCode::InvalidUserInput,
       {"'CAT'", "BACKGROUND, PERSON"}},
      {"DeeplabLabelOutOfRange",
       Task::Segmentation,
       [](const Workspace&) { return ForwardDeeplabLabels{{static_cast<DeeplabLabel>(42)}}; },
       ErrorCode::InvalidUserInput,
       {"42", "0 (BACKGROUND) to 20 (TVMONITOR)"}},
  };
}

std::vector<Row> allRows() {
  std::vector<Row> rows = rowsForBothTasks();
  for (Row& row : taskSpecificRows()) rows.push_back(std::move(row));
  return rows;
}

// --- the modules under test ------------------------------------------------------

// One task module behind a common face, so each row runs the same way on both.
class Subject {
 public:
  explicit Subject(Task task) : task_(task) {}

  void load(const ModelDescriptor& model) {
    if (task_ == Task::Classification) {
      classifier_.load(model);
    } else {
      segmenter_.load(model);
    }
  }
  void loadGoodModel() { load(task_ == Task::Classification ? MOBILENET_V2 : MEDIAPIPE_SELFIE); }
  void forward(const ImageSource& image) {
    if (task_ == Task::Classification) {
      classifier_.forward(image);
    } else {
      segmenter_.forward(image);
    }
  }
  void unload() {
    classifier_.unload();
    segmenter_.unload();
  }
  bool isLoaded() const { return classifier_.isLoaded() || segmenter_.isLoaded(); }
  ImageSegmentationModule& segmenter() { return segmenter_; }

 private:
  Task task_;
  ClassificationModule classifier_;
  ImageSegmentationModule segmenter_;
};

class BadInputTable : public ::testing::TestWithParam<Row> {
 protected:
  static void SetUpTestSuite() {
    workspace_ = new Workspace;
    test::writeFileBytes(workspace_->dir.path() / "page.html",
                         textBytes("<!DOCTYPE html>\n<html><body>Hello</body></html>\n"));
    workspace_->server = std::make_unique<test::HttpTestServer>(workspace_->dir.path());
    loaded_[0] = new Subject(Task::Classification);
    loaded_[1] = new Subject(Task::Segmentation);
    for (Subject* subject : loaded_) subject->loadGoodModel();
  }
  static void TearDownTestSuite() {
    for (Subject*& subject : loaded_) {
      delete subject;
      subject = nullptr;
    }
    delete workspace_;
    workspace_ = nullptr;
  }

  /// A module of the row's task, loaded with a good model, shared by the suite.
  static Subject& loadedSubject(Task task) {
    return *loaded_[task == Task::Classification ? 0 : 1];
  }

  static Workspace* workspace_;
  static Subject* loaded_[2];
};
Workspace* BadInputTable::workspace_ = nullptr;
Subject* BadInputTable::loaded_[2] = {nullptr, nullptr};

// Applies the row's input the way its kind says; returns after the call that
// must fail (or after it unexpectedly succeeded).
struct Apply {
  Task task;
  Subject& loaded;

  void operator()(const ForwardImage& input) const { loaded.forward(input.image); }
  void operator()(const LoadModel& input) const {
    Subject fresh(task);
    try {
      fresh.load(input.model);
    } catch (...) {
      EXPECT_FALSE(fresh.isLoaded()) << "a failed load left a model in the module";
      throw;
    }
  }
  void operator()(const SegmentClassNames& input) const {
    SegmentOptions options;
    options.classesOfInterest = input.names;
    loaded.segmenter().segment(kGoodPhoto, options);
  }
  void operator()(const ForwardDeeplabLabels& input) const {
    loaded.segmenter().forward(kGoodPhoto, input.labels);
  }
  void operator()(ForwardBeforeLoad) const {
    Subject fresh(task);
    fresh.forward(kGoodPhoto);
  }
  void operator()(ForwardAfterUnload) const {
    Subject fresh(task);
    fresh.loadGoodModel();
    fresh.unload();
    fresh.forward(kGoodPhoto);
  }
};

TEST_P(BadInputTable, IsRefusedWithItsCodeAndAMessageSayingWhatToFix) {
  const Row& row = GetParam();
  const BadInput input = row.build(*workspace_);
  Subject& loaded = loadedSubject(row.task);
  try {
    std::visit(Apply{row.task, loaded}, input);
    FAIL() << row.name << " was accepted";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_EQ(e.code(), row.code) << "got " << errorCodeName(e.code()) << ": " << message;
    for (const std::string& part : row.messageMustContain) {
      EXPECT_NE(message.find(part), std::string::npos)
          << "message lacks \"" << part << "\": " << message;
    }
  }
  // Bad input to a loaded module leaves it loaded and working.
  EXPECT_TRUE(loaded.isLoaded());
  EXPECT_NO_THROW(loaded.forward(kGoodPhoto));
}

std::string rowName(const ::testing::TestParamInfo<Row>& info) {
  return (info.param.task == Task::Classification ? "Classification_" : "Segmentation_") +
         info.param.name;
}

INSTANTIATE_TEST_SUITE_P(EveryClass, BadInputTable, ::testing::ValuesIn(allRows()), rowName);

}  // namespace
}  // namespace etvision
