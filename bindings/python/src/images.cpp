// Python images -> etvision::ImageSource (see HeldImage in bindings.h).
#include <nanobind/stl/string.h>

#include <cstring>

#include "bindings.h"

namespace etvision::python {

namespace {

std::vector<std::uint8_t> bufferBytes(nb::handle object) {
  Py_buffer view;
  if (PyObject_GetBuffer(object.ptr(), &view, PyBUF_C_CONTIGUOUS) != 0) throw nb::python_error();
  const auto* begin = static_cast<const std::uint8_t*>(view.buf);
  std::vector<std::uint8_t> bytes(begin, begin + view.len);
  PyBuffer_Release(&view);
  return bytes;
}

bool isPilImage(nb::handle object) {
  nb::handle type = object.type();
  if (!nb::hasattr(type, "__module__")) return false;
  const std::string module = nb::cast<std::string>(nb::str(type.attr("__module__")));
  return module.rfind("PIL.", 0) == 0 && nb::hasattr(object, "convert");
}

[[noreturn]] void badShape(const nb::ndarray<nb::ro>& array) {
  std::string shape = "(";
  for (std::size_t i = 0; i < array.ndim(); ++i) {
    shape += (i ? ", " : "") + std::to_string(array.shape(i));
  }
  shape += array.ndim() == 1 ? ",)" : ")";
  throw Error(ErrorCode::InvalidUserInput,
              "An image array must be uint8 (H, W, 3) RGB, (H, W, 4) RGBA or (H, W) grey (or "
              "1-D encoded bytes), not shape " +
                  shape + ".");
}

HeldImage fromArray(nb::handle object, const nb::ndarray<nb::ro>& array) {
  if (array.dtype() != nb::dtype<std::uint8_t>()) {
    throw nb::type_error(
        "An image array must have dtype uint8 (0..255 per channel); convert it first, e.g. "
        "np.clip(x * 255, 0, 255).astype(np.uint8).");
  }
  if (array.ndim() == 1) {
    const auto* data = static_cast<const std::uint8_t*>(array.data());
    std::vector<std::uint8_t> bytes(array.shape(0));
    for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = data[i * array.stride(0)];
    return {ImageSource::fromEncoded(std::move(bytes)), {}, {}};
  }
  if (array.ndim() != 2 && array.ndim() != 3) badShape(array);
  const std::size_t channels = array.ndim() == 2 ? 1 : array.shape(2);
  PixelFormat format;
  switch (channels) {
    case 1: format = PixelFormat::Gray; break;
    case 3: format = PixelFormat::RGB; break;
    case 4: format = PixelFormat::RGBA; break;
    default: badShape(array);
  }
  const std::size_t height = array.shape(0);
  const std::size_t width = array.shape(1);
  if (height == 0 || width == 0) badShape(array);
  const std::int64_t channelStride = array.ndim() == 3 ? array.stride(2) : 1;
  const std::int64_t pixelStride = array.stride(1);
  const std::int64_t rowStride = array.stride(0);

  PixelBuffer pixels;
  pixels.width = static_cast<int>(width);
  pixels.height = static_cast<int>(height);
  pixels.format = format;
  // Rows of packed pixels (any row pitch, e.g. a crop of a bigger image) are
  // read in place; anything else is copied into packed rows once.
  const bool borrowable = (channels == 1 || channelStride == 1) &&
                          pixelStride == static_cast<std::int64_t>(channels) &&
                          rowStride >= static_cast<std::int64_t>(width * channels);
  if (borrowable) {
    pixels.data = static_cast<const std::uint8_t*>(array.data());
    pixels.strideBytes = static_cast<std::size_t>(rowStride);
    return {ImageSource::fromPixels(pixels), nb::borrow(object), {}};
  }
  auto copy = std::make_shared<std::vector<std::uint8_t>>(height * width * channels);
  const auto* base = static_cast<const std::uint8_t*>(array.data());
  std::uint8_t* out = copy->data();
  for (std::size_t y = 0; y < height; ++y) {
    for (std::size_t x = 0; x < width; ++x) {
      const std::uint8_t* pixel = base + static_cast<std::int64_t>(y) * rowStride +
                                  static_cast<std::int64_t>(x) * pixelStride;
      for (std::size_t c = 0; c < channels; ++c) {
        *out++ = pixel[static_cast<std::int64_t>(c) * channelStride];
      }
    }
  }
  pixels.data = copy->data();
  pixels.strideBytes = width * channels;
  return {ImageSource::fromPixels(pixels), {}, std::move(copy)};
}

}  // namespace

HeldImage heldImage(nb::handle image) {
  if (nb::isinstance<nb::str>(image)) {
    return {ImageSource(nb::cast<std::string>(image)), {}, {}};
  }
  if (PyBytes_Check(image.ptr()) || PyByteArray_Check(image.ptr()) ||
      PyMemoryView_Check(image.ptr())) {
    return {ImageSource::fromEncoded(bufferBytes(image)), {}, {}};
  }
  if (nb::hasattr(image, "__fspath__")) {
    // A pathlib.Path is a file, never a URI or base64 to interpret.
    nb::object path = nb::module_::import_("os").attr("fspath")(image);
    if (!nb::isinstance<nb::str>(path)) {
      throw nb::type_error("A bytes path is not supported; use str.");
    }
    return {ImageSource::fromPath(nb::cast<std::string>(path)), {}, {}};
  }
  if (isPilImage(image)) {
    nb::object rgb = nb::module_::import_("numpy").attr("asarray")(image.attr("convert")("RGB"));
    return heldImage(rgb);
  }
  nb::ndarray<nb::ro> array;
  if (nb::try_cast(image, array, /*convert=*/false)) return fromArray(image, array);
  throw nb::type_error(
      ("An image is a str (path, file:// or http(s) URL, data URI, base64), bytes, a numpy "
       "uint8 array or a PIL image, not " +
       nb::cast<std::string>(nb::str(image.type().attr("__name__"))) + ".")
          .c_str());
}

std::vector<HeldImage> heldImages(nb::handle images) {
  if (nb::isinstance<nb::str>(images) || PyBytes_Check(images.ptr())) {
    throw nb::type_error("images must be a sequence of images, not a single str or bytes");
  }
  std::vector<HeldImage> held;
  for (nb::handle image : nb::iter(images)) held.push_back(heldImage(image));
  return held;
}

std::vector<ImageSource> sourcesOf(const std::vector<HeldImage>& images) {
  std::vector<ImageSource> sources;
  sources.reserve(images.size());
  for (const HeldImage& image : images) sources.push_back(image.source);
  return sources;
}

}  // namespace etvision::python
