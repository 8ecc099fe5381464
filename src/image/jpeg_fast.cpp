#include "image/jpeg_fast.h"

// jpeglib.h needs size_t and FILE declared first.
#include <cstddef>
#include <cstdio>

#include <jpeglib.h>

#include <climits>
#include <csetjmp>

#include "image/image_header.h"

namespace etvision::detail {
namespace {

// libjpeg reports errors by calling error_exit, which must not return: it
// jumps back to the setjmp in the phase that called libjpeg. Warnings
// (corrupt but decodable data) are only recorded, not printed: the file then
// goes to OpenCV, whose own decode prints them once.
struct ErrorManager {
  jpeg_error_mgr base;
  std::jmp_buf jump;
  bool warned = false;
};

void onError(j_common_ptr info) {
  std::longjmp(reinterpret_cast<ErrorManager*>(info->err)->jump, 1);
}

void onMessage(j_common_ptr info, int level) {
  if (level < 0) reinterpret_cast<ErrorManager*>(info->err)->warned = true;
}

// The three phases that call libjpeg, each behind its own setjmp and holding
// nothing with a destructor (longjmp would skip it). False on any error.
bool create(jpeg_decompress_struct* jpeg, ErrorManager* errors) {
  // Creation can fail too (out of memory, a libjpeg of another ABI): its
  // error_exit must find a jump buffer set.
  if (setjmp(errors->jump)) return false;
  jpeg_create_decompress(jpeg);
  return true;
}

bool readHeader(jpeg_decompress_struct* jpeg, ErrorManager* errors,
                std::span<const std::uint8_t> bytes, J_COLOR_SPACE outputSpace) {
  if (setjmp(errors->jump)) return false;
  jpeg_mem_src(jpeg, bytes.data(), static_cast<unsigned long>(bytes.size()));
  if (jpeg_read_header(jpeg, TRUE) != JPEG_HEADER_OK) return false;
  // OpenCV converts CMYK and YCCK itself, differently from libjpeg.
  if (jpeg->jpeg_color_space == JCS_CMYK || jpeg->jpeg_color_space == JCS_YCCK) return false;
  // libjpeg's defaults (accurate integer DCT, smooth upsampling) are
  // OpenCV's: only the output order is set.
  jpeg->out_color_space = outputSpace;
  return true;
}

bool readPixels(jpeg_decompress_struct* jpeg, ErrorManager* errors, std::uint8_t* pixels,
                std::size_t stride) {
  if (setjmp(errors->jump)) return false;
  if (!jpeg_start_decompress(jpeg)) return false;
  while (jpeg->output_scanline < jpeg->output_height) {
    JSAMPROW row = pixels + stride * jpeg->output_scanline;
    if (jpeg_read_scanlines(jpeg, &row, 1) != 1) return false;
  }
  return jpeg_finish_decompress(jpeg) && !errors->warned;
}

// Owns the libjpeg decompressor; destroying it also frees its memory after
// an error, including a failed create() (the zeroed struct holds no memory
// manager then, and jpeg_destroy_decompress skips it).
struct Decompressor {
  jpeg_decompress_struct jpeg{};
  ErrorManager errors{};
  Decompressor() {
    jpeg.err = jpeg_std_error(&errors.base);
    errors.base.error_exit = onError;
    errors.base.emit_message = onMessage;
  }
  ~Decompressor() { jpeg_destroy_decompress(&jpeg); }
  Decompressor(const Decompressor&) = delete;
  Decompressor& operator=(const Decompressor&) = delete;
};

}  // namespace

std::optional<cv::Mat> decodeJpegFast(std::span<const std::uint8_t> bytes, ChannelOrder order) {
  // Rotating is OpenCV's job: leave every oriented photo to it.
  if (jpegExifOrientation(bytes) != 1) return std::nullopt;
  if (bytes.size() > static_cast<std::size_t>(ULONG_MAX)) return std::nullopt;
  Decompressor decompressor;
  if (!create(&decompressor.jpeg, &decompressor.errors)) return std::nullopt;
  const J_COLOR_SPACE space = order == ChannelOrder::BGR ? JCS_EXT_BGR : JCS_EXT_RGB;
  if (!readHeader(&decompressor.jpeg, &decompressor.errors, bytes, space)) return std::nullopt;
  const JDIMENSION width = decompressor.jpeg.image_width;
  const JDIMENSION height = decompressor.jpeg.image_height;
  if (width == 0 || height == 0 || width > INT_MAX / 3 || height > INT_MAX) return std::nullopt;
  cv::Mat image(static_cast<int>(height), static_cast<int>(width), CV_8UC3);
  if (!readPixels(&decompressor.jpeg, &decompressor.errors, image.data, image.step[0])) {
    return std::nullopt;
  }
  return image;
}

}  // namespace etvision::detail
