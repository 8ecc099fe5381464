#include "image/scratch_bytes.h"

#include <array>

namespace etvision::detail {

struct ScratchBytes::Slot {
  std::unique_ptr<std::uint8_t[]> bytes;
  std::size_t capacity = 0;
  bool inUse = false;
};

namespace {

ScratchBytes::Slot& threadSlot(ScratchSlot slot) {
  thread_local std::array<ScratchBytes::Slot, static_cast<std::size_t>(ScratchSlot::Count)> slots;
  return slots[static_cast<std::size_t>(slot)];
}

}  // namespace

ScratchBytes::ScratchBytes(ScratchSlot slot, std::size_t size) : size_(size) {
  Slot& mine = threadSlot(slot);
  if (mine.inUse) {
    private_.reset(new std::uint8_t[size]);  // uninitialised, as the slot's
    data_ = private_.get();
    return;
  }
  if (mine.capacity < size) {
    mine.bytes.reset();  // the old block first: peak memory is the new one
    mine.capacity = 0;
    mine.bytes.reset(new std::uint8_t[size]);
    mine.capacity = size;
  }
  mine.inUse = true;
  slot_ = &mine;
  data_ = mine.bytes.get();
}

std::size_t ScratchBytes::keptBytes(ScratchSlot slot) noexcept {
  return threadSlot(slot).capacity;
}

ScratchBytes::~ScratchBytes() {
  if (slot_ == nullptr) return;
  slot_->inUse = false;
  if (slot_->capacity > kKeptScratchBytes) {
    slot_->bytes.reset();
    slot_->capacity = 0;
  }
}

}  // namespace etvision::detail
