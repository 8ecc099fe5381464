// The lifecycle both Python module classes share: construction, load() with
// progress, unload()/delete(), is_loaded, info and the context manager.
#pragma once

#include "bindings.h"

namespace etvision::python {

template <typename Module>
void bindLifecycle(nb::class_<Module>& cls, const char* loadDoc, const char* infoDoc) {
  cls.def(nb::init<>())
      .def(
          "load",
          [](Module& self, nb::handle model, nb::handle onProgress) {
            loadWithProgress(self, modelArgument(model), onProgress);
          },
          nb::arg("model"), nb::arg("on_progress") = nb::none(),
          nb::sig("def load(self, model: ModelDescriptor | str | os.PathLike[str], "
                  "on_progress: collections.abc.Callable[[float], object] | None = None) -> None"),
          loadDoc)
      .def("unload", &Module::unload, nb::call_guard<nb::gil_scoped_release>(),
           "Frees the model (waits for a running inference). Harmless when nothing is loaded.")
      .def("delete", &Module::unload, nb::call_guard<nb::gil_scoped_release>(),
           "The seed's delete(): same as unload().")
      .def_prop_ro("is_loaded", &Module::isLoaded)
      .def_prop_ro("info", &Module::info, infoDoc)
      .def("__enter__", [](nb::handle self) { return nb::borrow(self); })
      .def(
          "__exit__",
          [](Module& self, nb::handle, nb::handle, nb::handle) {
            nb::gil_scoped_release release;
            self.unload();
          },
          nb::arg("exc_type").none(), nb::arg("exc_value").none(), nb::arg("traceback").none());
}

}  // namespace etvision::python
