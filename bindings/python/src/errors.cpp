// etvision.EtvisionError and etvision.ErrorCode.
//
// The exception class itself is Python (etvision/_errors.py, so that it
// pickles with its code across Ray workers); its codes and their names come
// from the C++ library's one table (errorCodes(), errorCodeName()).
#include <nanobind/stl/string.h>

#include "bindings.h"

namespace etvision::python {

namespace {

nb::object& errorClass() {
  // Set once at import, read with the GIL held; never destroyed, because
  // Python may already be finalising when static destructors run.
  static nb::object* type = nullptr;
  if (type == nullptr) {
    type = new nb::object(nb::module_::import_("etvision._errors").attr("EtvisionError"));
  }
  return *type;
}

nb::object codeObject(ErrorCode code) {
  // Codes outside the enumeration (none today) stay plain ints.
  if (std::string_view(errorCodeName(code)) == "Unknown") return nb::int_(static_cast<int>(code));
  return nb::cast(code);
}

}  // namespace

nb::object errorObject(const Error& error) {
  return errorClass()(nb::str(error.what()), codeObject(error.code()),
                      nb::str(errorCodeName(error.code())));
}

void bindErrors(nb::module_& m) {
  auto codes = nb::enum_<ErrorCode>(m, "ErrorCode", nb::is_arithmetic(),
                                    "Error codes: react-native-executorch's (102 ModuleNotLoaded, "
                                    "114 FileReadFailed, 117 InvalidUserInput, ...) and the "
                                    "ExecuTorch runtime's own (35 InvalidProgram, ...).");
  for (const ErrorCode code : errorCodes()) codes.value(errorCodeName(code), code);

  m.attr("EtvisionError") = errorClass();
  nb::register_exception_translator([](const std::exception_ptr& thrown, void*) {
    try {
      std::rethrow_exception(thrown);
    } catch (const Error& error) {
      nb::object instance = errorObject(error);
      PyErr_SetObject(errorClass().ptr(), instance.ptr());
    }
  });
}

}  // namespace etvision::python
