// etvision._native: the module, its process-wide functions and the model
// descriptors. The Python package (etvision/__init__.py) re-exports it.
#include <nanobind/stl/array.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <algorithm>
#include <cctype>

#include "bindings.h"
#include "etvision/models.h"
#include "etvision/runtime.h"
#include "etvision/version.h"

namespace etvision::python {

ModelDescriptor modelArgument(nb::handle model) {
  if (nb::isinstance<ModelDescriptor>(model)) return nb::cast<ModelDescriptor>(model);
  if (nb::isinstance<nb::str>(model)) return modelFromString(nb::cast<std::string>(model));
  if (nb::hasattr(model, "__fspath__")) {
    nb::object path = nb::module_::import_("os").attr("fspath")(model);
    if (nb::isinstance<nb::str>(path)) {
      ModelDescriptor custom;
      custom.name = custom.modelSource = nb::cast<std::string>(path);
      return custom;
    }
  }
  throw nb::type_error(
      "model must be an etvision.ModelDescriptor (e.g. etvision.MOBILENET_V2), a built-in "
      "model name, a URL, a file:// URI or a path");
}

void bindModels(nb::module_& m) {
  nb::class_<Normalization>(m, "Normalization",
                            "Per-channel normalisation on RGB values in [0, 1]: "
                            "x' = (x - mean[c]) / stddev[c].")
      .def(nb::init<>())
      .def(
          "__init__",
          [](Normalization* self, std::array<float, 3> mean, std::array<float, 3> stddev) {
            new (self) Normalization{mean, stddev};
          },
          nb::arg("mean"), nb::arg("stddev"))
      .def_rw("mean", &Normalization::mean)
      .def_rw("stddev", &Normalization::stddev)
      .def("__repr__", [](const Normalization& n) {
        auto three = [](const std::array<float, 3>& v) {
          return "(" + std::to_string(v[0]) + ", " + std::to_string(v[1]) + ", " +
                 std::to_string(v[2]) + ")";
        };
        return "Normalization(mean=" + three(n.mean) + ", stddev=" + three(n.stddev) + ")";
      });
  m.attr("IMAGENET_NORMALIZATION") = kImageNetNormalization;

  nb::class_<ModelDescriptor>(
      m, "ModelDescriptor",
      "A model and its preprocessing contract. The built-in ones are module constants "
      "(etvision.EFFICIENTNET_V2_S, ...); build one for your own .pte, whose input must be one "
      "float32 [1, 3, H, W] RGB tensor.")
      .def(
          "__init__",
          [](ModelDescriptor* self, std::string modelSource, std::string name,
             std::optional<Normalization> normalization, std::vector<std::string> labels,
             std::string sha256, std::string description) {
            new (self) ModelDescriptor{name.empty() ? modelSource : name,
                                       modelSource,
                                       sha256,
                                       normalization,
                                       labels,
                                       description};
          },
          nb::arg("model_source"), nb::kw_only(), nb::arg("name") = "",
          nb::arg("normalization") = nb::none(), nb::arg("labels") = std::vector<std::string>{},
          nb::arg("sha256") = "", nb::arg("description") = "",
          "model_source: URL, file:// URI, path or 'bundled:<file>'. normalization: applied "
          "outside the model (None: the model takes [0, 1] RGB). labels: output labels in model "
          "order (empty: ImageNet-1k for classification, Pascal VOC for segmentation).")
      .def_rw("name", &ModelDescriptor::name)
      .def_rw("model_source", &ModelDescriptor::modelSource)
      .def_rw("sha256", &ModelDescriptor::sha256)
      .def_rw("normalization", &ModelDescriptor::normalization)
      .def_rw("labels", &ModelDescriptor::labels)
      .def_rw("description", &ModelDescriptor::description)
      .def("__repr__", [](const ModelDescriptor& d) {
        return "ModelDescriptor(name='" + d.name + "', model_source='" + d.modelSource + "')";
      });

  std::vector<ModelDescriptor> classification;
  std::vector<ModelDescriptor> segmentation;
  for (const ModelDescriptor* d : classificationModels()) classification.push_back(*d);
  for (const ModelDescriptor* d : segmentationModels()) segmentation.push_back(*d);
  for (const auto* list : {&classification, &segmentation}) {
    for (const ModelDescriptor& d : *list) {
      std::string constant = d.name;
      std::transform(constant.begin(), constant.end(), constant.begin(),
                     [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
      m.attr(constant.c_str()) = d;
    }
  }
  m.attr("CLASSIFICATION_MODELS") = nb::tuple(nb::cast(classification));
  m.attr("SEGMENTATION_MODELS") = nb::tuple(nb::cast(segmentation));
  m.def(
      "model", [](nb::handle model) { return modelArgument(model); }, nb::arg("name_or_source"),
      "The ModelDescriptor load() would use for this argument: a built-in model by name (as "
      "'etvision models' lists them), or a custom descriptor for a URL, file:// URI or path. "
      "Raises EtvisionError(InvalidModelSource) for an unknown name, with suggestions.");
}

}  // namespace etvision::python

NB_MODULE(_native, m) {
  namespace nb = nanobind;
  using namespace etvision::python;
  m.doc() =
      "etvision's native extension: react-native-executorch's ClassificationModule and "
      "ImageSegmentationModule on ExecuTorch + XNNPACK. Import etvision, not this module.";
  nb::set_leak_warnings(false);
  bindErrors(m);
  bindModels(m);
  bindClassification(m);
  bindSegmentation(m);

  m.def("version", &etvision::version, "etvision's version, 'MAJOR.MINOR.PATCH'.");
  m.def("executorch_version", &etvision::executorchVersion,
        "The ExecuTorch runtime etvision was built against, e.g. '1.5.1+cpu'.");
  m.def("vector_isa", &etvision::vectorIsa,
        "The CPU's widest x86 vector extensions, which decide XNNPACK's kernels ('AVX-512 with "
        "VNNI', 'AVX2', ...): record it beside any speed figure.");
  m.def(
      "set_thread_count", [](unsigned count) { etvision::setThreadCount(count); }, nb::arg("count"),
      nb::call_guard<nb::gil_scoped_release>(),
      "Sets the process-wide number of inference threads (ExecuTorch's one shared pool); 0 "
      "restores the default (one per performant core). Waits for running inferences. In a Ray "
      "actor, set it to the CPUs Ray gave the actor (etvision.ray does).");
  m.def(
      "thread_count", [] { return etvision::threadCount(); },
      nb::call_guard<nb::gil_scoped_release>(), "The number of inference threads now.");
}
