// ModelSlot (src/runtime/model_slot.h), the thread-safety core of both task
// modules, on a real model: empty-slot errors, the configuration handed to
// use(), and reset()/replace() waiting for a running use().
#include "runtime/model_slot.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "support/test_paths.h"

namespace etvision::detail {
namespace {

std::unique_ptr<ExecutorchModel> mobileNet() {
  return std::make_unique<ExecutorchModel>(test::bundledModelsDir() / "mobilenet_v2" /
                                           "mobilenet_v2_xnnpack_fp32.pte");
}

TEST(ModelSlot, AnEmptySlotIsModuleNotLoaded) {
  ModelSlot<std::string> slot;
  EXPECT_FALSE(slot.loaded());
  try {
    slot.use([](ExecutorchModel&, const std::string&) { return 0; });
    FAIL() << "use() on an empty slot did not throw";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::ModuleNotLoaded);
    EXPECT_STREQ(e.what(), kModuleNotLoadedMessage);
  }
}

TEST(ModelSlot, UseSeesTheModelAndConfigurationLastInstalled) {
  ModelSlot<std::string> slot;
  slot.replace(mobileNet(), "first");
  EXPECT_TRUE(slot.loaded());
  EXPECT_EQ(slot.use([](ExecutorchModel&, const std::string& config) { return config; }), "first");
  slot.replace(mobileNet(), "second");
  EXPECT_EQ(slot.use([](ExecutorchModel&, const std::string& config) { return config; }), "second");
  slot.reset();
  EXPECT_FALSE(slot.loaded());
  slot.reset();  // harmless twice
}

TEST(ModelSlot, ResetWaitsForARunningUse) {
  ModelSlot<int> slot;
  slot.replace(mobileNet(), 7);
  std::mutex logMutex;
  std::vector<std::string> log;
  auto record = [&](const char* event) {
    std::lock_guard lock(logMutex);
    log.emplace_back(event);
  };
  std::atomic<bool> inUse{false};
  std::atomic<bool> resetCalled{false};
  std::thread user([&] {
    slot.use([&](ExecutorchModel&, const int&) {
      inUse = true;
      // Hold the slot until the other thread is about to reset it.
      while (!resetCalled.load()) std::this_thread::yield();
      std::this_thread::yield();
      record("use ends");
      return 0;
    });
  });
  while (!inUse.load()) std::this_thread::yield();
  std::thread resetter([&] {
    resetCalled = true;
    slot.reset();
    record("reset returns");
  });
  user.join();
  resetter.join();
  EXPECT_EQ(log, (std::vector<std::string>{"use ends", "reset returns"}));
  EXPECT_FALSE(slot.loaded());
}

}  // namespace
}  // namespace etvision::detail
