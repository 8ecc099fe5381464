// etvision.ClassificationModule and its result types.
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/unordered_map.h>
#include <nanobind/stl/vector.h>

#include "batch_item.h"
#include "bindings.h"
#include "lifecycle.h"

namespace etvision::python {

namespace {

ClassifyOptions classifyOptions(std::size_t maxResults, float scoreThreshold, bool fastDecode) {
  ClassifyOptions options;
  options.maxResults = maxResults;
  options.scoreThreshold = scoreThreshold;
  options.fastDecode = fastDecode;
  return options;
}

constexpr const char* kLifecycleDoc =
    "Lifecycle as in react-native-executorch: load() before forward(); delete() (or unload(), "
    "or leaving a `with` block) frees the model; load() again replaces it. Thread-safe: "
    "inferences on one module are serialised, image reading and decoding run in parallel, and "
    "the GIL is released while an image is read, decoded and inferred.";

}  // namespace

void bindBatchItem(nb::module_& m) {
  nb::class_<PyBatchItem>(m, "BatchItem",
                          "One image's outcome in a batch call: `result` or `error` is set.")
      .def_ro("index", &PyBatchItem::index, "Position of the image in the input.")
      .def_prop_ro(
          "result", [](const PyBatchItem& item) { return item.result; },
          "The result (Classification or Segmentation), or None when the image failed.")
      .def_prop_ro(
          "error", [](const PyBatchItem& item) { return item.error; },
          "The EtvisionError the single-image call would have raised, or None.")
      .def_prop_ro(
          "ok", [](const PyBatchItem& item) { return !item.result.is_none(); },
          "True when the image succeeded.")
      .def("__repr__", [](const PyBatchItem& item) {
        return "BatchItem(index=" + std::to_string(item.index) +
               (item.result.is_none() ? ", error=" + nb::cast<std::string>(nb::repr(item.error))
                                      : std::string(", ok")) +
               ")";
      });
}

void bindClassification(nb::module_& m) {
  bindBatchItem(m);

  nb::class_<Category>(m, "Category", "One label and its probability.")
      .def_ro("index", &Category::index, "Position in the model's output.")
      .def_ro("label", &Category::label)
      .def_ro("probability", &Category::probability)
      .def("__repr__", [](const Category& c) {
        return "Category(index=" + std::to_string(c.index) + ", label='" + c.label +
               "', probability=" + std::to_string(c.probability) + ")";
      });

  nb::class_<Classification>(m, "Classification", "classify()'s result.")
      .def_ro("categories", &Classification::categories,
              "Sorted by probability, highest first (ties: lower index first), after "
              "max_results and score_threshold.")
      .def_prop_ro(
          "probabilities",
          [](nb::handle self) {
            auto& result = nb::cast<Classification&>(self);
            return viewArray(result.probabilities.data(), {result.probabilities.size()}, self);
          },
          nb::sig("def probabilities(self) -> numpy.typing.NDArray[numpy.float32]"),
          "Softmax of the model output, float32, in model order (every label); a view kept "
          "alive by this object.")
      .def_prop_ro(
          "logits",
          [](nb::handle self) {
            auto& result = nb::cast<Classification&>(self);
            return viewArray(result.logits.data(), {result.logits.size()}, self);
          },
          nb::sig("def logits(self) -> numpy.typing.NDArray[numpy.float32]"),
          "The model's raw output, float32, in model order.")
      .def_ro("image_width", &Classification::imageWidth, "Width of the decoded input image.")
      .def_ro("image_height", &Classification::imageHeight)
      .def("__repr__", [](const Classification& c) {
        std::string text = "Classification(";
        for (std::size_t i = 0; i < c.categories.size() && i < 3; ++i) {
          text += (i ? ", " : "") + c.categories[i].label + " " +
                  std::to_string(c.categories[i].probability);
        }
        return text + (c.categories.size() > 3 ? ", ...)" : ")");
      });

  nb::class_<ClassifierInfo>(m, "ClassifierInfo", "What the loaded classifier looks like.")
      .def_ro("name", &ClassifierInfo::name)
      .def_ro("input_width", &ClassifierInfo::inputWidth)
      .def_ro("input_height", &ClassifierInfo::inputHeight)
      .def_ro("num_labels", &ClassifierInfo::numLabels)
      .def_prop_ro(
          "normalization", [](const ClassifierInfo& info) { return info.normalization; },
          "The normalisation applied to the input; None: [0, 1] RGB.")
      .def_ro("metadata_from_model", &ClassifierInfo::metadataFromModel,
              "True when preprocessing and labels came from the .pte itself (models exported "
              "by etvision carry them).");

  nb::class_<ClassificationModule> classifier(
      m, "ClassificationModule",
      (std::string("Image classification: react-native-executorch's ClassificationModule. ") +
       kLifecycleDoc)
          .c_str());
  bindLifecycle(classifier,
                "Fetches (downloading with progress into the cache if needed) and opens the model: "
                "a ModelDescriptor (etvision.EFFICIENTNET_V2_S, ...), a built-in name, a URL, a "
                "file:// URI or a .pte path. on_progress receives floats in [0, 1], ending with "
                "1.0; an exception it raises (Ctrl-C included) cancels the download.",
                "The loaded model's name, input size and label count; raises "
                "EtvisionError(ModuleNotLoaded) when nothing is loaded.");
  classifier
      .def(
          "forward",
          [](ClassificationModule& self, nb::handle image) {
            HeldImage held = heldImage(image);
            std::unordered_map<std::string, float> probabilities;
            {
              nb::gil_scoped_release release;
              probabilities = self.forward(held.source);
            }
            return probabilities;
          },
          nb::arg("image"),
          nb::sig("def forward(self, image: " ETVISION_PY_IMAGE ") -> dict[str, float]"),
          "The seed API: every label with its softmax probability, unsorted.")
      .def(
          "classify",
          [](ClassificationModule& self, nb::handle image, std::size_t maxResults,
             float scoreThreshold, bool fastDecode) {
            HeldImage held = heldImage(image);
            const ClassifyOptions options = classifyOptions(maxResults, scoreThreshold, fastDecode);
            Classification result;
            {
              nb::gil_scoped_release release;
              result = self.classify(held.source, options);
            }
            return result;
          },
          nb::arg("image"), nb::kw_only(), nb::arg("max_results") = 0,
          nb::arg("score_threshold") = 0.0f, nb::arg("fast_decode") = false,
          nb::sig("def classify(self, image: " ETVISION_PY_IMAGE ", *, max_results: int = 0, "
                  "score_threshold: float = 0.0, fast_decode: bool = False) -> Classification"),
          "Sorted categories (max_results: 0 keeps every label; score_threshold drops lower "
          "probabilities) plus the full probability and logit vectors. fast_decode: decode "
          "JPEGs much larger than the model input at reduced scale (faster; pixels are no "
          "longer the reference's, so probabilities move slightly).")
      .def(
          "classify_batch",
          [](ClassificationModule& self, nb::handle images, std::size_t maxResults,
             float scoreThreshold, bool fastDecode) {
            std::vector<HeldImage> held = heldImages(images);
            const std::vector<ImageSource> sources = sourcesOf(held);
            const ClassifyOptions options = classifyOptions(maxResults, scoreThreshold, fastDecode);
            std::vector<BatchItem<Classification>> items;
            {
              nb::gil_scoped_release release;
              items = self.classifyBatch(sources, options);
            }
            return batchItems(std::move(items));
          },
          nb::arg("images"), nb::kw_only(), nb::arg("max_results") = 0,
          nb::arg("score_threshold") = 0.0f, nb::arg("fast_decode") = false,
          nb::sig("def classify_batch(self, images: collections.abc.Iterable[" ETVISION_PY_IMAGE
                  "], *, "
                  "max_results: int = 0, score_threshold: float = 0.0, fast_decode: bool = "
                  "False) -> list[BatchItem]"),
          "Classifies every image in order, reading and decoding the next ones on a worker "
          "thread while the current one is inferred. One BatchItem per image, holding its "
          "Classification or its EtvisionError: one bad image never fails the batch. Raises "
          "EtvisionError(ModuleNotLoaded) when no model is loaded.");
}

}  // namespace etvision::python
