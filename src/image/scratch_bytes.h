// Per-thread byte buffers reused from one call to the next, for memory that
// never outlives the call filling it: a PNG's joined and inflated image data,
// the resized model input.
//
// Why: preparing one photo allocates and frees about 1 MB in a few blocks,
// and glibc then often returns the top of its heap to the kernel, so the next
// call faults the same memory back in page by page. On a 451x300 PNG through
// MobileNetV2 that churn was about 0.4 ms of the 2.3 ms spent outside
// inference (bench/README.md). A thread keeps each buffer only up to
// kKeptScratchBytes (a 1.3-megapixel RGB image); a larger one is freed when
// its use ends, so a thread holds at most 3 x 4 MiB for good, and a thread's
// buffers go when it exits.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace etvision::detail {

inline constexpr std::size_t kKeptScratchBytes = std::size_t{4} << 20;

/// The buffers, one per use: a slot is never needed twice at once on a
/// thread (if it is, the second use gets a private allocation).
enum class ScratchSlot { PngImageData, PngInflated, ResizedInput, Count };

/// `size` uninitialised bytes from the calling thread's `slot`, valid while
/// this object lives; it must be destroyed on the thread that made it.
class ScratchBytes {
 public:
  ScratchBytes(ScratchSlot slot, std::size_t size);
  ~ScratchBytes();
  ScratchBytes(const ScratchBytes&) = delete;
  ScratchBytes& operator=(const ScratchBytes&) = delete;

  std::uint8_t* data() const noexcept { return data_; }
  std::size_t size() const noexcept { return size_; }

  /// Bytes the calling thread keeps for `slot` between uses.
  static std::size_t keptBytes(ScratchSlot slot) noexcept;

  struct Slot;  // a thread's buffer (scratch_bytes.cpp)

 private:
  Slot* slot_ = nullptr;  // the thread's buffer, or null for a private one
  std::unique_ptr<std::uint8_t[]> private_;
  std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace etvision::detail
