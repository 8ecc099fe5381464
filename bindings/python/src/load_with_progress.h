// loadWithProgress(): declared in bindings.h.
#pragma once

#include <exception>
#include <stop_token>

namespace etvision::python {

template <typename Module>
void loadWithProgress(Module& module, const ModelDescriptor& model, nb::handle onProgress) {
  if (!onProgress.is_none() && !PyCallable_Check(onProgress.ptr())) {
    throw nb::type_error("on_progress must be a callable taking a float in [0, 1], or None");
  }
  LoadOptions options;
  std::stop_source cancel;
  options.fetch.stopToken = cancel.get_token();
  std::exception_ptr callbackError;
  nb::object callback = nb::borrow(onProgress);
  if (!callback.is_none()) {
    options.fetch.onProgress = [&](double progress) {
      nb::gil_scoped_acquire gil;
      if (callbackError) return;
      try {
        callback(progress);
        // Ctrl-C during a long download: the callback is where Python
        // gets a chance to see it.
        if (PyErr_CheckSignals() != 0) throw nb::python_error();
      } catch (...) {
        callbackError = std::current_exception();
        cancel.request_stop();
      }
    };
  }
  try {
    nb::gil_scoped_release release;
    module.load(model, options);
  } catch (const Error&) {
    if (callbackError) std::rethrow_exception(callbackError);
    throw;
  }
  if (callbackError) {
    // The callback raised after the model was in place (e.g. at the final
    // 1.0): load() raises, so, as after any failed load, nothing stays loaded.
    {
      nb::gil_scoped_release release;
      module.unload();
    }
    std::rethrow_exception(callbackError);
  }
}

}  // namespace etvision::python
