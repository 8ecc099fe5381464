// Shared pieces of the etvision Python extension (etvision._native).
//
// Each bind*() registers one area of the API on the module; the helpers
// below are what the areas share: turning Python images into
// etvision::ImageSource, loading with a Python progress callback, handing
// C++ buffers to numpy without copying, and building EtvisionError objects.
#pragma once

#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "etvision/classification.h"
#include "etvision/error.h"
#include "etvision/image_source.h"
#include "etvision/model.h"

namespace etvision::python {

namespace nb = nanobind;

void bindErrors(nb::module_& m);
void bindModels(nb::module_& m);
void bindClassification(nb::module_& m);
void bindSegmentation(nb::module_& m);

// --- errors -----------------------------------------------------------------

/// An etvision.EtvisionError instance for `error` (not raised): what batch
/// items carry. Needs the GIL.
nb::object errorObject(const Error& error);

// --- images -----------------------------------------------------------------

/// A Python image turned into an ImageSource, plus whatever must stay alive
/// while native code reads it (a borrowed numpy array, or a contiguous copy
/// of one whose layout cannot be borrowed). Build and destroy with the GIL
/// held; use `source` without it.
struct HeldImage {
  ImageSource source;
  nb::object borrowed;
  std::shared_ptr<std::vector<std::uint8_t>> copy;
};

/// Accepts str (path, file:// or http(s) URL, data URI, raw base64, as the
/// C++ string form interprets it), os.PathLike (a file, nothing guessed),
/// bytes / bytearray / memoryview (an encoded image), a numpy uint8
/// array (H, W, 3) RGB, (H, W, 4) RGBA, (H, W) or (H, W, 1) grey, any
/// strides, or a 1-D uint8 array of encoded bytes, and PIL images. Raises
/// TypeError for anything else and EtvisionError(InvalidUserInput) for an
/// array of the wrong shape.
HeldImage heldImage(nb::handle image);
std::vector<HeldImage> heldImages(nb::handle images);
std::vector<ImageSource> sourcesOf(const std::vector<HeldImage>& images);

/// The image parameter's type in signatures and stubs.
#define ETVISION_PY_IMAGE                                                                       \
  "str | os.PathLike[str] | bytes | bytearray | memoryview | numpy.typing.NDArray[numpy.uint8]" \
  " | PIL.Image.Image"

// --- models -----------------------------------------------------------------

/// A ModelDescriptor from a descriptor object, a built-in name or a source
/// (URL, file:// URI, path, os.PathLike).
ModelDescriptor modelArgument(nb::handle model);

/// module.load(model, options) with the GIL released, forwarding download
/// progress to `onProgress` (a callable or None) with the GIL held. An
/// exception raised by the callback (KeyboardInterrupt included) cancels the
/// download and is re-raised from load(), which then leaves nothing loaded.
template <typename Module>
void loadWithProgress(Module& module, const ModelDescriptor& model, nb::handle onProgress);

// --- arrays -----------------------------------------------------------------

/// A numpy array over `values` (moved to the heap and owned by the array):
/// no copy of the data.
template <typename T>
nb::object ownedArray(std::vector<T>&& values, std::initializer_list<std::size_t> shape) {
  auto* held = new std::vector<T>(std::move(values));
  nb::capsule owner(held, [](void* p) noexcept { delete static_cast<std::vector<T>*>(p); });
  return nb::ndarray<nb::numpy, T>(held->data(), shape, owner).cast();
}

/// A numpy array viewing `data`, which `owner` keeps alive.
template <typename T>
nb::object viewArray(T* data, std::initializer_list<std::size_t> shape, nb::handle owner) {
  return nb::ndarray<nb::numpy, T>(data, shape, owner).cast();
}

}  // namespace etvision::python

#include "load_with_progress.h"
