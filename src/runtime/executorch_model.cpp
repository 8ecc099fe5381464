#include "runtime/executorch_model.h"

#include <executorch/extension/module/module.h>
#include <executorch/extension/tensor/tensor.h>
#include <executorch/runtime/backend/backend_options_map.h>
#include <executorch/runtime/backend/options.h>

#include <new>
#include <sstream>
#include <string>

#include "etvision/error.h"
#include "runtime/runtime_error.h"
#include "runtime/runtime_logging.h"
#include "runtime/thread_pool_control.h"

namespace etvision::detail {

namespace et = ::executorch;
using et::extension::Module;
using et::runtime::Error;
using et::runtime::Tag;
using ScalarType = et::aten::ScalarType;

struct ExecutorchModel::Runtime {
  std::unique_ptr<Module> module;
  et::extension::TensorPtr inputTensor;
  // The load-time delegate options; ExecuTorch borrows them for the model's
  // lifetime, so they live here.
  et::runtime::BackendOptions<2> xnnpackOptions;
  et::runtime::LoadBackendOptionsMap backendOptions;
  std::string where;
  // The thread pool generation the loaded method was built for.
  std::uint64_t poolGeneration = 0;
};

namespace {

template <typename Sizes>
std::vector<std::int64_t> toShape(const Sizes& sizes) {
  std::vector<std::int64_t> shape;
  shape.reserve(sizes.size());
  for (auto size : sizes) shape.push_back(static_cast<std::int64_t>(size));
  return shape;
}

std::string describeTensor(ScalarType type, const std::vector<std::int64_t>& shape) {
  std::ostringstream out;
  out << scalarTypeName(type) << " [";
  for (std::size_t i = 0; i < shape.size(); ++i) out << (i ? ", " : "") << shape[i];
  out << "]";
  return out.str();
}

}  // namespace

ExecutorchModel::ExecutorchModel(const std::filesystem::path& path, const XnnpackOptions& xnnpack)
    : runtime_(std::make_unique<Runtime>()) {
  installRuntimeLogFilter();
  runtime_->where = "model '" + path.string() + "'";
  const std::string& where = runtime_->where;
  if (xnnpack.weightCache) {
    (void)runtime_->xnnpackOptions.set_option("weight_cache_enabled", *xnnpack.weightCache);
  }
  if (xnnpack.workspaceSharing) {
    (void)runtime_->xnnpackOptions.set_option("workspace_sharing_mode", *xnnpack.workspaceSharing);
  }
  if (!runtime_->xnnpackOptions.view().empty()) {
    (void)runtime_->backendOptions.set_options("XnnpackBackend", runtime_->xnnpackOptions.view());
  }
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw etvision::Error(ErrorCode::FileReadFailed, "Cannot open " + where + ": no such file.");
  }

  // Mmap keeps the weights in the page cache rather than on the heap; the
  // delegate copies what it repacks, so the mapping costs little resident
  // memory once loaded.
  runtime_->module = std::make_unique<Module>(path.string(), Module::LoadMode::Mmap);
  if (const Error err =
          runtime_->module->load(et::runtime::Program::Verification::InternalConsistency);
      err != Error::Ok) {
    throwRuntimeError(err, "Cannot load " + where +
                               " (is it an ExecuTorch .pte file exported for this runtime?)");
  }
  auto meta = runtime_->module->method_meta("forward");
  if (!meta.ok()) {
    throwRuntimeError(meta.error(), where + " has no 'forward' method");
  }

  if (meta->num_inputs() != 1) {
    throw etvision::Error(ErrorCode::WrongDimensions,
                          where + " takes " + std::to_string(meta->num_inputs()) +
                              " inputs; an image model takes exactly one float32 "
                              "[1, 3, H, W] tensor.");
  }
  auto inputTag = meta->input_tag(0);
  auto inputMeta = meta->input_tensor_meta(0);
  if (!inputTag.ok() || *inputTag != Tag::Tensor || !inputMeta.ok()) {
    throw etvision::Error(ErrorCode::WrongDimensions,
                          where +
                              "'s input is not a tensor; an image model takes one "
                              "float32 [1, 3, H, W] tensor.");
  }
  const auto inputShape = toShape(inputMeta->sizes());
  const bool shapeOk = inputShape.size() == 4 && inputShape[0] == 1 && inputShape[1] == 3 &&
                       inputShape[2] > 0 && inputShape[3] > 0 && inputShape[2] <= 16384 &&
                       inputShape[3] <= 16384;
  if (!shapeOk || inputMeta->scalar_type() != ScalarType::Float) {
    throw etvision::Error(ErrorCode::WrongDimensions,
                          where + " takes " + describeTensor(inputMeta->scalar_type(), inputShape) +
                              "; an image model must take one float32 [1, 3, H, W] tensor.");
  }
  inputHeight_ = static_cast<int>(inputShape[2]);
  inputWidth_ = static_cast<int>(inputShape[3]);

  if (meta->num_outputs() == 0) {
    throw etvision::Error(ErrorCode::InvalidModelOutput, where + " has no outputs.");
  }
  for (std::size_t i = 0; i < meta->num_outputs(); ++i) {
    auto outputMeta = meta->output_tensor_meta(i);
    if (!outputMeta.ok() || outputMeta->scalar_type() != ScalarType::Float) {
      throw etvision::Error(ErrorCode::InvalidModelOutput,
                            where + "'s output " + std::to_string(i) + " is not a float32 tensor.");
    }
    outputShapes_.push_back(toShape(outputMeta->sizes()));
  }

  // load_forward allocates (and zero-fills) every memory-planned buffer the
  // program declares; a corrupt or hostile .pte can declare any size. Refuse
  // absurd plans before anything is allocated.
  constexpr std::uint64_t kMaxPlannedBytes = std::uint64_t{1} << 30;
  std::uint64_t plannedBytes = 0;
  for (std::size_t i = 0; i < meta->num_memory_planned_buffers(); ++i) {
    const auto size = meta->memory_planned_buffer_size(i);
    if (!size.ok() || *size < 0 ||
        static_cast<std::uint64_t>(*size) > kMaxPlannedBytes - plannedBytes) {
      throw etvision::Error(ErrorCode::InvalidProgram,
                            where + " declares more than " + std::to_string(kMaxPlannedBytes) +
                                " bytes of planned memory; the file is corrupt or not an "
                                "image model for this runtime.");
    }
    plannedBytes += static_cast<std::uint64_t>(*size);
  }

  loadForward(PoolUse());

  input_.assign(static_cast<std::size_t>(3) * inputShape[2] * inputShape[3], 0.0f);
  runtime_->inputTensor = et::extension::from_blob(
      input_.data(), {1, 3, static_cast<int>(inputShape[2]), static_cast<int>(inputShape[3])},
      ScalarType::Float);
}

ExecutorchModel::~ExecutorchModel() {
  // The delegate's runtimes are destroyed while the pool they were built
  // for cannot change.
  const PoolUse use;
  runtime_.reset();
}

void ExecutorchModel::loadForward(const PoolUse& use) {
  runtime_->module->unload_forward();
  Error loadError = Error::Ok;
  try {
    loadError = runtime_->module->load_forward(
        nullptr, nullptr,
        runtime_->backendOptions.size() == 0 ? nullptr : &runtime_->backendOptions);
  } catch (const std::bad_alloc&) {
    throw etvision::Error(ErrorCode::MemoryAllocationFailed,
                          "Out of memory while preparing " + runtime_->where + " for inference.");
  }
  if (loadError != Error::Ok) {
    throwRuntimeError(loadError, "Cannot prepare " + runtime_->where + " for inference");
  }
  runtime_->poolGeneration = use.generation();
}

std::vector<OutputView> ExecutorchModel::run() {
  const PoolUse use;
  if (use.generation() != runtime_->poolGeneration ||
      !runtime_->module->is_method_loaded("forward")) {
    // Built for a pool that setThreadCount() has since replaced (or a reload
    // that failed): rebuild it for the current one before invoking anything.
    loadForward(use);
  }
  auto result = runtime_->module->forward(runtime_->inputTensor);
  if (!result.ok()) {
    throwRuntimeError(result.error(), "Inference failed");
  }
  std::vector<OutputView> outputs;
  outputs.reserve(result->size());
  for (const auto& value : *result) {
    if (!value.isTensor() || value.toTensor().scalar_type() != ScalarType::Float) {
      throw etvision::Error(ErrorCode::InvalidModelOutput,
                            "The model returned an output that is not a float32 tensor.");
    }
    const auto& tensor = value.toTensor();
    outputs.push_back(OutputView{std::span<const float>(tensor.const_data_ptr<float>(),
                                                        static_cast<std::size_t>(tensor.numel())),
                                 toShape(tensor.sizes())});
  }
  return outputs;
}

std::optional<std::string> ExecutorchModel::constantString(const std::string& method) {
  auto names = runtime_->module->method_names();
  if (!names.ok())
    throwRuntimeError(names.error(), "Cannot list the methods of " + runtime_->where);
  if (!names->contains(method)) return std::nullopt;
  auto values = runtime_->module->execute(method);
  // A constant method keeps nothing worth its memory once read.
  runtime_->module->unload_method(method);
  if (!values.ok()) {
    throwRuntimeError(values.error(), "Cannot read '" + method + "' of " + runtime_->where);
  }
  if (values->size() != 1 || !values->front().isString()) {
    throw etvision::Error(ErrorCode::InvalidConfig, runtime_->where + "'s method '" + method +
                                                        "' does not return one string; the "
                                                        "file is corrupt or not from etvision.");
  }
  return std::string(values->front().toString());
}

std::unique_ptr<ExecutorchModel> openModel(const ModelDescriptor& model,
                                           const FetchOptions& options,
                                           const XnnpackOptions& xnnpack) {
  return std::make_unique<ExecutorchModel>(
      fetchResource({model.modelSource, model.sha256}, options), xnnpack);
}

}  // namespace etvision::detail
