// etvision.ImageSegmentationModule, its result type and DeeplabLabel.
#include <nanobind/stl/optional.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "batch_item.h"
#include "bindings.h"
#include "etvision/segmentation.h"
#include "lifecycle.h"

namespace etvision::python {

namespace {

// classes_of_interest: label names (str) or DeeplabLabel members / ints.
std::vector<std::string> classNames(nb::handle classes) {
  if (nb::isinstance<nb::str>(classes)) {
    throw nb::type_error("classes_of_interest must be a sequence of labels, e.g. ['PERSON']");
  }
  std::vector<std::string> names;
  for (nb::handle item : nb::iter(classes)) {
    if (nb::isinstance<nb::str>(item)) {
      std::string name = nb::cast<std::string>(item);
      if (name != "ARGMAX") names.push_back(std::move(name));  // always returned
    } else if (nb::isinstance<nb::int_>(item) && !nb::isinstance<nb::bool_>(item)) {
      const auto label = static_cast<DeeplabLabel>(nb::cast<int>(item));
      if (label == DeeplabLabel::ARGMAX) continue;
      const char* name = deeplabLabelName(label);
      if (name == nullptr) {
        throw Error(ErrorCode::InvalidUserInput,
                    "Unknown DeeplabLabel value " + std::to_string(static_cast<int>(label)) +
                        " in classes_of_interest; valid values are 0 (BACKGROUND) to 20 "
                        "(TVMONITOR).");
      }
      names.emplace_back(name);
    } else {
      throw nb::type_error("classes_of_interest items must be label names (str) or DeeplabLabel");
    }
  }
  return names;
}

SegmentOptions segmentOptions(nb::handle classes, bool allClasses, bool resize,
                              std::optional<std::pair<int, int>> outputSize, bool fastDecode) {
  SegmentOptions options;
  options.classesOfInterest = classNames(classes);
  options.allClasses = allClasses;
  options.resize = resize;
  options.outputSize = outputSize;
  options.fastDecode = fastDecode;
  return options;
}

// A (height, width) numpy view of one of `s`'s maps, kept alive by `owner`.
template <typename T>
nb::object mapView(const Segmentation& s, T* data, nb::handle owner) {
  return viewArray(data, {static_cast<std::size_t>(s.height), static_cast<std::size_t>(s.width)},
                   owner);
}

// The seed's forward() result: {"ARGMAX": int32 (H, W), label: float32 (H, W)}.
// The arrays view one heap Segmentation that the last of them frees.
nb::dict forwardResult(Segmentation&& segmentation) {
  auto* held = new Segmentation(std::move(segmentation));
  nb::capsule owner(held, [](void* p) noexcept { delete static_cast<Segmentation*>(p); });
  nb::dict out;
  out["ARGMAX"] = mapView(*held, held->argmax.data(), owner);
  for (auto& [label, map] : held->probabilities) {
    out[nb::str(label.c_str())] = mapView(*held, map.data(), owner);
  }
  return out;
}

const std::vector<std::string>& labelsOf(const Segmentation& s) {
  static const std::vector<std::string> none;
  return s.labels ? *s.labels : none;
}

}  // namespace

void bindSegmentation(nb::module_& m) {
  auto labels = nb::enum_<DeeplabLabel>(
      m, "DeeplabLabel", nb::is_arithmetic(),
      "Pascal VOC classes in DeepLabV3 / FCN / LRASPP output order, with the reference's "
      "values; ARGMAX keys the argmax map. Accepted in classes_of_interest, as are label names.");
  for (int value = 0;; ++value) {
    const char* name = deeplabLabelName(static_cast<DeeplabLabel>(value));
    if (name == nullptr) break;
    labels.value(name, static_cast<DeeplabLabel>(value));
  }

  nb::class_<Segmentation>(m, "Segmentation", "segment()'s result.")
      .def_ro("width", &Segmentation::width, "Width of the maps.")
      .def_ro("height", &Segmentation::height, "Height of the maps.")
      .def_prop_ro(
          "argmax",
          [](nb::handle self) {
            auto& s = nb::cast<Segmentation&>(self);
            return mapView(s, s.argmax.data(), self);
          },
          nb::sig("def argmax(self) -> numpy.typing.NDArray[numpy.int32]"),
          "Class index per pixel, int32 (height, width); ties go to the lower index. A view "
          "kept alive by this object.")
      .def_prop_ro(
          "probabilities",
          [](nb::handle self) {
            auto& s = nb::cast<Segmentation&>(self);
            nb::dict maps;
            for (auto& [label, map] : s.probabilities) {
              maps[nb::str(label.c_str())] = mapView(s, map.data(), self);
            }
            return maps;
          },
          nb::sig("def probabilities(self) -> dict[str, numpy.typing.NDArray[numpy.float32]]"),
          "Softmax probability maps, float32 (height, width), of the requested classes.")
      .def_prop_ro(
          "labels", [](const Segmentation& s) { return labelsOf(s); },
          "The model's labels; argmax values index this list.")
      .def_ro("image_width", &Segmentation::imageWidth, "Width of the decoded input image.")
      .def_ro("image_height", &Segmentation::imageHeight)
      .def(
          "category_mask",
          [](const Segmentation& s) {
            return ownedArray(s.categoryMask(), {static_cast<std::size_t>(s.height),
                                                 static_cast<std::size_t>(s.width)});
          },
          nb::sig("def category_mask(self) -> numpy.typing.NDArray[numpy.uint8]"),
          "The argmax map as uint8 (height, width): the class index per pixel.")
      .def(
          "class_shares",
          [](const Segmentation& s) {
            const std::vector<double> shares = s.classShares();
            const std::vector<std::string>& names = labelsOf(s);
            nb::dict out;
            for (std::size_t i = 0; i < shares.size() && i < names.size(); ++i) {
              out[nb::str(names[i].c_str())] = shares[i];
            }
            return out;
          },
          nb::sig("def class_shares(self) -> dict[str, float]"),
          "Share of pixels per label (model order, every label; sums to 1).")
      .def("__repr__", [](const Segmentation& s) {
        return "Segmentation(" + std::to_string(s.width) + "x" + std::to_string(s.height) + ", " +
               std::to_string(s.probabilities.size()) + " probability maps)";
      });

  nb::class_<SegmenterInfo>(m, "SegmenterInfo", "What the loaded segmenter looks like.")
      .def_ro("name", &SegmenterInfo::name)
      .def_ro("input_width", &SegmenterInfo::inputWidth)
      .def_ro("input_height", &SegmenterInfo::inputHeight)
      .def_ro("output_width", &SegmenterInfo::outputWidth)
      .def_ro("output_height", &SegmenterInfo::outputHeight)
      .def_prop_ro("labels",
                   [](const SegmenterInfo& info) {
                     return info.labels ? *info.labels : std::vector<std::string>{};
                   })
      .def_prop_ro(
          "normalization", [](const SegmenterInfo& info) { return info.normalization; },
          "The normalisation applied to the input; None: [0, 1] RGB.")
      .def_ro("metadata_from_model", &SegmenterInfo::metadataFromModel,
              "True when preprocessing and labels came from the .pte itself.");

  nb::class_<ImageSegmentationModule> segmenter(
      m, "ImageSegmentationModule",
      "Semantic segmentation: react-native-executorch's ImageSegmentationModule. Lifecycle and "
      "threading as ClassificationModule's.");
  bindLifecycle(segmenter,
                "Fetches (with progress) and opens the model; see ClassificationModule.load.",
                "The loaded model's name, input and output sizes and labels.");
  segmenter
      .def(
          "forward",
          [](ImageSegmentationModule& self, nb::handle image, nb::handle classes, bool resize) {
            HeldImage held = heldImage(image);
            const SegmentOptions options = segmentOptions(classes, false, resize, {}, false);
            Segmentation result;
            {
              nb::gil_scoped_release release;
              result = self.segment(held.source, options);
            }
            return forwardResult(std::move(result));
          },
          nb::arg("image"), nb::arg("classes_of_interest") = nb::tuple(), nb::arg("resize") = false,
          nb::sig("def forward(self, image: " ETVISION_PY_IMAGE
                  ", classes_of_interest: collections.abc.Iterable[str | DeeplabLabel] = (), "
                  "resize: bool = False) -> dict[str, numpy.typing.NDArray[typing.Any]]"),
          "The seed API: {'ARGMAX': int32 (H, W) class indices, label: float32 (H, W) "
          "probabilities for each class of interest}, at the model's output size or, with "
          "resize, the image's. Unknown labels raise EtvisionError(InvalidUserInput).")
      .def(
          "segment",
          [](ImageSegmentationModule& self, nb::handle image, nb::handle classes, bool allClasses,
             bool resize, std::optional<std::pair<int, int>> outputSize, bool fastDecode) {
            HeldImage held = heldImage(image);
            const SegmentOptions options =
                segmentOptions(classes, allClasses, resize, outputSize, fastDecode);
            Segmentation result;
            {
              nb::gil_scoped_release release;
              result = self.segment(held.source, options);
            }
            return result;
          },
          nb::arg("image"), nb::kw_only(), nb::arg("classes_of_interest") = nb::tuple(),
          nb::arg("all_classes") = false, nb::arg("resize") = false,
          nb::arg("output_size") = nb::none(), nb::arg("fast_decode") = false,
          nb::sig("def segment(self, image: " ETVISION_PY_IMAGE
                  ", *, classes_of_interest: collections.abc.Iterable[str | DeeplabLabel] = (), "
                  "all_classes: bool = False, resize: bool = False, output_size: tuple[int, int] "
                  "| None = None, fast_decode: bool = False) -> Segmentation"),
          "The full result: argmax, probability maps (all_classes: every class), labels, "
          "category_mask(), class_shares(). output_size=(width, height) overrides resize.")
      .def(
          "segment_batch",
          [](ImageSegmentationModule& self, nb::handle images, nb::handle classes, bool allClasses,
             bool resize, std::optional<std::pair<int, int>> outputSize, bool fastDecode) {
            std::vector<HeldImage> held = heldImages(images);
            const std::vector<ImageSource> sources = sourcesOf(held);
            const SegmentOptions options =
                segmentOptions(classes, allClasses, resize, outputSize, fastDecode);
            std::vector<BatchItem<Segmentation>> items;
            {
              nb::gil_scoped_release release;
              items = self.segmentBatch(sources, options);
            }
            return batchItems(std::move(items));
          },
          nb::arg("images"), nb::kw_only(), nb::arg("classes_of_interest") = nb::tuple(),
          nb::arg("all_classes") = false, nb::arg("resize") = false,
          nb::arg("output_size") = nb::none(), nb::arg("fast_decode") = false,
          nb::sig("def segment_batch(self, images: collections.abc.Iterable[" ETVISION_PY_IMAGE
                  "], *, classes_of_interest: collections.abc.Iterable[str | DeeplabLabel] = (), "
                  "all_classes: bool = False, resize: bool = False, output_size: tuple[int, int] "
                  "| None = None, fast_decode: bool = False) -> list[BatchItem]"),
          "segment() for every image, decoding ahead on a worker thread; one BatchItem per "
          "image (its Segmentation or its EtvisionError).");
}

}  // namespace etvision::python
