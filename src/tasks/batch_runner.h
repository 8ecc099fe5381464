// The loop behind the batch calls: prepare image i+1 on a worker while image
// i is inferred, deliver every outcome in order, errors per image.
#pragma once

#include <algorithm>
#include <cstring>
#include <functional>
#include <span>

#include "etvision/batch.h"
#include "etvision/error.h"
#include "etvision/image_source.h"
#include "tasks/input_preparation.h"
#include "tasks/prefetch_pipeline.h"

namespace etvision::detail {

/// Images decoded and preprocessed ahead of the one being inferred: enough to
/// hide a slow decode behind a fast inference, few enough to bound memory
/// (each holds one input tensor).
inline constexpr std::size_t kPrefetchDepth = 2;

/// Calls `infer(image, prepared)` for each image in order and passes each
/// outcome to `onItem` on the calling thread. `infer` returns the Result or
/// throws Error (recorded for that image); a prepared error skips `infer`.
/// Exceptions from `onItem`, and anything that is not an etvision::Error,
/// stop the batch and propagate (the worker is stopped and joined first).
template <typename Result, typename Infer>
void runBatch(std::span<const ImageSource> images, const ImageReadLimits& limits, bool fastDecode,
              const InputSpec& spec, Infer&& infer,
              const std::function<void(BatchItem<Result>&&)>& onItem) {
  PrefetchPipeline<PreparedInput> pipeline(images.size(), kPrefetchDepth, [&](std::size_t i) {
    return prepareInput(images[i], limits, fastDecode, spec);
  });
  for (std::size_t i = 0; i < images.size(); ++i) {
    PreparedInput prepared = pipeline.next();
    BatchItem<Result> item;
    item.index = i;
    if (prepared.error) {
      item.error = std::move(prepared.error);
    } else {
      try {
        item.result = infer(images[i], prepared);
      } catch (const Error& error) {
        item.error = error;
      }
    }
    onItem(std::move(item));
  }
}

/// Puts `prepared` into `input` when it was made for `current` (the loaded
/// model's spec); otherwise (the model was replaced mid-batch) prepares
/// `image` again for `current`, straight into `input`.
inline void loadPreparedInput(const ImageSource& image, const ImageReadLimits& limits,
                              bool fastDecode, const PreparedInput& prepared,
                              const InputSpec& current, std::span<float> input) {
  if (prepared.spec == current && prepared.tensor.size() == input.size()) {
    std::memcpy(input.data(), prepared.tensor.data(), input.size_bytes());
    return;
  }
  fillInput(decodeForModel(image, limits, fastDecode, current), current, input.data());
}

}  // namespace etvision::detail
