// image/scratch_bytes.h: a thread's scratch buffer is reused from one use to
// the next, never handed out twice at once, and private to its thread.
#include "image/scratch_bytes.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <thread>

namespace etvision::detail {
namespace {

TEST(ScratchBytes, ASlotIsReusedAcrossUses) {
  std::uint8_t* first = nullptr;
  {
    const ScratchBytes bytes(ScratchSlot::PngInflated, 1000);
    ASSERT_NE(bytes.data(), nullptr);
    EXPECT_EQ(bytes.size(), 1000u);
    std::memset(bytes.data(), 0xAB, bytes.size());  // all of it is writable
    first = bytes.data();
  }
  {
    const ScratchBytes smaller(ScratchSlot::PngInflated, 10);
    EXPECT_EQ(smaller.data(), first);
  }
  const ScratchBytes otherSlot(ScratchSlot::PngImageData, 10);
  EXPECT_NE(otherSlot.data(), first);
}

TEST(ScratchBytes, OnlyBuffersUpToTheKeptSizeOutliveTheirUse) {
  { const ScratchBytes big(ScratchSlot::PngImageData, kKeptScratchBytes + 1); }
  EXPECT_EQ(ScratchBytes::keptBytes(ScratchSlot::PngImageData), 0u);
  { const ScratchBytes atLimit(ScratchSlot::PngInflated, kKeptScratchBytes); }
  EXPECT_EQ(ScratchBytes::keptBytes(ScratchSlot::PngInflated), kKeptScratchBytes);
}

TEST(ScratchBytes, ASlotInUseGivesAPrivateBuffer) {
  const ScratchBytes outer(ScratchSlot::ResizedInput, 64);
  std::memset(outer.data(), 1, outer.size());
  {
    const ScratchBytes inner(ScratchSlot::ResizedInput, 64);
    EXPECT_NE(inner.data(), outer.data());
    std::memset(inner.data(), 2, inner.size());
  }
  EXPECT_EQ(outer.data()[63], 1);
}

TEST(ScratchBytes, ThreadsHaveTheirOwnBuffers) {
  std::uint8_t* mine = nullptr;
  {
    const ScratchBytes bytes(ScratchSlot::PngInflated, 256);
    mine = bytes.data();
  }
  // This thread keeps its (now unused) buffer, so another thread's can only
  // be at the same address if the slot were shared.
  std::uint8_t* theirs = nullptr;
  std::thread([&] {
    const ScratchBytes bytes(ScratchSlot::PngInflated, 256);
    theirs = bytes.data();
  }).join();
  EXPECT_NE(theirs, mine);
  const ScratchBytes again(ScratchSlot::PngInflated, 256);
  EXPECT_EQ(again.data(), mine);
}

}  // namespace
}  // namespace etvision::detail
