// etvision.BatchItem: one image's outcome in classify_batch/segment_batch.
#pragma once

#include "bindings.h"

namespace etvision::python {

struct PyBatchItem {
  std::size_t index = 0;
  nb::object result;  ///< Classification / Segmentation, or None
  nb::object error;   ///< EtvisionError instance, or None
};

void bindBatchItem(nb::module_& m);

/// C++ batch items -> Python ones (GIL held). `Result` is copied into a
/// Python-owned object by nanobind's move constructor.
template <typename Result>
nb::list batchItems(std::vector<BatchItem<Result>>&& items) {
  nb::list list;
  for (BatchItem<Result>& item : items) {
    PyBatchItem out{item.index, nb::none(), nb::none()};
    if (item.result) out.result = nb::cast(std::move(*item.result));
    if (item.error) out.error = errorObject(*item.error);
    list.append(nb::cast(std::move(out)));
  }
  return list;
}

}  // namespace etvision::python
