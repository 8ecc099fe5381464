// The thread-safety core shared by the task modules: a slot that holds at
// most one loaded model plus its task configuration.
//
// One mutex guards the slot. use() runs inference while holding it, so
// inferences on one module are serialised, and replace()/reset() wait for a
// running inference before swapping or freeing the model. Loading a new model
// (download, open) happens outside the lock; only the swap is inside.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include "etvision/error.h"
#include "runtime/executorch_model.h"

namespace etvision::detail {

inline constexpr const char* kModuleNotLoadedMessage =
    "The model is currently not loaded. Please load the model before calling forward().";

template <typename Config>
class ModelSlot {
 public:
  /// Installs a model, freeing the previous one (after any running use()).
  void replace(std::unique_ptr<ExecutorchModel> model, Config config) {
    Entry fresh{std::move(model), std::move(config)};
    std::optional<Entry> previous;
    {
      std::lock_guard lock(mutex_);
      previous = std::exchange(entry_, std::move(fresh));
    }
    // `previous` is destroyed here, outside the lock.
  }

  /// Frees the model (after any running use()).
  void reset() noexcept {
    std::optional<Entry> previous;
    {
      std::lock_guard lock(mutex_);
      previous = std::exchange(entry_, std::nullopt);
    }
  }

  bool loaded() const noexcept {
    std::lock_guard lock(mutex_);
    return entry_.has_value();
  }

  /// Calls f(ExecutorchModel&, const Config&) with the slot locked; throws
  /// Error(ModuleNotLoaded) when empty.
  template <typename F>
  decltype(auto) use(F&& f) const {
    std::lock_guard lock(mutex_);
    if (!entry_) throw Error(ErrorCode::ModuleNotLoaded, kModuleNotLoadedMessage);
    return std::forward<F>(f)(*entry_->model, std::as_const(entry_->config));
  }

 private:
  struct Entry {
    std::unique_ptr<ExecutorchModel> model;
    Config config;
  };
  mutable std::mutex mutex_;
  std::optional<Entry> entry_;
};

}  // namespace etvision::detail
