// Node-API bindings for etvision's ClassificationModule and
// ImageSegmentationModule (the JS API lives in ../lib/*.ts).
//
// Threading: every load, forward and release runs on the libuv thread pool
// (Napi::AsyncWorker); progress reaches JS through an
// AsyncProgressQueueWorker, in order and before the load promise settles.
//
// Lifetime: a JS module object owns a shared_ptr to a Holder (one C++
// module). Each worker keeps its own reference, so the C++ module outlives
// every call using it. delete() marks the holder deleted, swaps in a fresh
// holder (so a later load() starts clean and cannot race the release) and
// unloads the old one on a pool thread right away: the model's memory goes
// as soon as a running inference ends (C++ unload() waits for it), never at
// garbage collection, and the JS thread never blocks.
#include <napi.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "etvision/classification.h"
#include "etvision/error.h"
#include "etvision/models.h"
#include "etvision/runtime.h"
#include "etvision/segmentation.h"
#include "etvision/version.h"

namespace {

constexpr int kModuleNotLoaded = static_cast<int>(etvision::ErrorCode::ModuleNotLoaded);
constexpr int kInvalidUserInput = static_cast<int>(etvision::ErrorCode::InvalidUserInput);
constexpr int kInvalidModelSource = static_cast<int>(etvision::ErrorCode::InvalidModelSource);
constexpr int kUnknownError = static_cast<int>(etvision::ErrorCode::UnknownError);

struct Failure {
  int code = kUnknownError;
  std::string message;
};

Napi::Error makeError(Napi::Env env, const Failure& failure) {
  Napi::Error error = Napi::Error::New(env, failure.message);
  error.Set("code", Napi::Number::New(env, failure.code));
  error.Set("codeName",
            Napi::String::New(
                env, etvision::errorCodeName(static_cast<etvision::ErrorCode>(failure.code))));
  return error;
}

// Runs `body`, turning any exception into a Failure.
template <typename Body>
std::optional<Failure> capture(Body&& body) {
  try {
    body();
    return std::nullopt;
  } catch (const etvision::Error& e) {
    return Failure{static_cast<int>(e.code()), e.what()};
  } catch (const std::exception& e) {
    return Failure{kUnknownError, e.what()};
  } catch (...) {
    return Failure{kUnknownError, "unknown native error"};
  }
}

Napi::Value rejected(Napi::Env env, const Failure& failure) {
  auto deferred = Napi::Promise::Deferred::New(env);
  deferred.Reject(makeError(env, failure).Value());
  return deferred.Promise();
}

// An image argument: a string (URL, file URI, path, data URI, base64) or
// react-native-executorch's PixelData ({dataPtr: Uint8Array, sizes: [H, W,
// C], scalarType: ScalarType.BYTE}; C = 3 RGB, 4 RGBA, 1 grey). The pixels
// are copied, so the caller may reuse its buffer as soon as forward()
// returns its promise, and the worker never touches JS memory.
struct ImageArgument {
  std::string text;
  std::vector<std::uint8_t> pixels;
  int width = 0;
  int height = 0;
  etvision::PixelFormat format = etvision::PixelFormat::RGB;

  etvision::ImageSource source() const {
    if (pixels.empty()) return etvision::ImageSource(text);
    return etvision::ImageSource::fromPixels(
        etvision::PixelBuffer{pixels.data(), width, height, 0, format});
  }
};

constexpr int kScalarTypeByte = 0;  // react-native-executorch's ScalarType.BYTE

std::optional<Failure> readImageArgument(const Napi::Value& value, ImageArgument& image) {
  if (value.IsString()) {
    image.text = value.As<Napi::String>();
    return std::nullopt;
  }
  const Failure wrongType{kInvalidUserInput,
                          "imageSource must be a string (URL, file URI, path, data URI or "
                          "base64) or PixelData ({dataPtr: Uint8Array, sizes: [height, width, "
                          "3], scalarType: ScalarType.BYTE})"};
  if (!value.IsObject()) return wrongType;
  const Napi::Object object = value.As<Napi::Object>();
  const Napi::Value data = object.Get("dataPtr");
  const Napi::Value sizes = object.Get("sizes");
  if (!data.IsTypedArray() || data.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array ||
      !sizes.IsArray()) {
    return wrongType;
  }
  const Napi::Value scalarType = object.Get("scalarType");
  if (!scalarType.IsNumber() || scalarType.As<Napi::Number>().Int32Value() != kScalarTypeByte) {
    return Failure{kInvalidUserInput,
                   "PixelData.scalarType must be ScalarType.BYTE (0): pixels are 8-bit"};
  }
  const Napi::Array dims = sizes.As<Napi::Array>();
  std::int64_t extent[3] = {0, 0, 0};
  bool dimsOk = dims.Length() == 3;
  for (uint32_t i = 0; dimsOk && i < 3; ++i) {
    const Napi::Value v = dims.Get(i);
    dimsOk = v.IsNumber() && v.As<Napi::Number>().DoubleValue() >= 1 &&
             v.As<Napi::Number>().DoubleValue() <= 1 << 20 &&
             v.As<Napi::Number>().DoubleValue() == v.As<Napi::Number>().Int64Value();
    if (dimsOk) extent[i] = v.As<Napi::Number>().Int64Value();
  }
  if (!dimsOk || (extent[2] != 1 && extent[2] != 3 && extent[2] != 4)) {
    return Failure{kInvalidUserInput,
                   "PixelData.sizes must be [height, width, channels] with positive integers "
                   "and channels 3 (RGB), 4 (RGBA) or 1 (grey)"};
  }
  const Napi::Uint8Array bytes = data.As<Napi::Uint8Array>();
  const auto expected = static_cast<std::size_t>(extent[0] * extent[1] * extent[2]);
  if (bytes.ElementLength() != expected) {
    return Failure{kInvalidUserInput,
                   "PixelData.dataPtr holds " + std::to_string(bytes.ElementLength()) +
                       " bytes but sizes [" + std::to_string(extent[0]) + ", " +
                       std::to_string(extent[1]) + ", " + std::to_string(extent[2]) + "] need " +
                       std::to_string(expected)};
  }
  image.height = static_cast<int>(extent[0]);
  image.width = static_cast<int>(extent[1]);
  image.format = extent[2] == 3   ? etvision::PixelFormat::RGB
                 : extent[2] == 4 ? etvision::PixelFormat::RGBA
                                  : etvision::PixelFormat::Gray;
  image.pixels.assign(bytes.Data(), bytes.Data() + expected);
  return std::nullopt;
}

// Throws the library's own ModuleNotLoaded error (code and message): what
// info() of a module with nothing loaded throws.
template <typename Module>
[[noreturn]] void throwNotLoaded() {
  Module empty;
  (void)empty.info();
  throw etvision::Error(etvision::ErrorCode::UnknownError,
                        "etvision: info() of an unloaded module did not throw ModuleNotLoaded");
}

template <typename Module>
struct Holder {
  Module module;
  std::atomic<bool> deleted{false};
};

// ---------------------------------------------------------------------------
// Model descriptor from JS: load(source, name, normalization, labels, cb)
//   source: string (URL, file URI, path, bundled:...)
//   name: built-in model whose preprocessing and labels to use, or undefined
//         (the module's default descriptor)
//   normalization: undefined (keep), null (none) or {mean:[3], std:[3]}
//   labels: undefined (keep) or string[]
std::optional<Failure> descriptorFromJs(const Napi::CallbackInfo& info,
                                        const etvision::ModelDescriptor& fallback,
                                        etvision::ModelDescriptor& out) {
  if (info.Length() < 1 || !info[0].IsString()) {
    return Failure{kInvalidModelSource, "modelSource must be a string (URL, file URI or path)"};
  }
  const std::string source = info[0].As<Napi::String>();
  if (info.Length() > 1 && info[1].IsString()) {
    const std::string name = info[1].As<Napi::String>();
    const etvision::ModelDescriptor* builtin = etvision::findModel(name);
    if (builtin == nullptr) {
      return Failure{kInvalidModelSource, "unknown built-in model name '" + name + "'"};
    }
    out = *builtin;
  } else {
    out = fallback;
    out.name = "custom";
    out.description = "custom model";
  }
  out.modelSource = source;
  if (info.Length() > 2 && info[2].IsNull()) {
    out.normalization = std::nullopt;
  } else if (info.Length() > 2 && info[2].IsObject()) {
    auto object = info[2].As<Napi::Object>();
    etvision::Normalization normalization;
    for (const char* key : {"mean", "std"}) {
      Napi::Value value = object.Get(key);
      if (!value.IsArray() || value.As<Napi::Array>().Length() != 3) {
        return Failure{kInvalidUserInput,
                       std::string("normalization.") + key + " must be an array of 3 numbers"};
      }
      auto array = value.As<Napi::Array>();
      for (uint32_t c = 0; c < 3; ++c) {
        Napi::Value v = array.Get(c);
        if (!v.IsNumber()) {
          return Failure{kInvalidUserInput,
                         std::string("normalization.") + key + " must be an array of 3 numbers"};
        }
        (std::strcmp(key, "mean") == 0 ? normalization.mean : normalization.stddev)[c] =
            v.As<Napi::Number>().FloatValue();
      }
    }
    out.normalization = normalization;
  }
  if (info.Length() > 3 && info[3].IsArray()) {
    auto array = info[3].As<Napi::Array>();
    out.labels.clear();
    for (uint32_t i = 0; i < array.Length(); ++i) {
      Napi::Value v = array.Get(i);
      if (!v.IsString()) return Failure{kInvalidUserInput, "labels must be strings"};
      out.labels.push_back(v.As<Napi::String>());
    }
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------
template <typename Module>
class LoadWorker : public Napi::AsyncProgressQueueWorker<double> {
 public:
  LoadWorker(Napi::Env env, std::shared_ptr<Holder<Module>> holder,
             etvision::ModelDescriptor descriptor, Napi::Function onProgress)
      : Napi::AsyncProgressQueueWorker<double>(env, "etvision.load"),
        deferred_(Napi::Promise::Deferred::New(env)),
        holder_(std::move(holder)),
        descriptor_(std::move(descriptor)) {
    if (!onProgress.IsEmpty()) onProgress_ = Napi::Persistent(onProgress);
  }

  Napi::Promise promise() const { return deferred_.Promise(); }

  void Execute(const ExecutionProgress& progress) override {
    const bool report = !onProgress_.IsEmpty();
    failure_ = capture([&] {
      etvision::ProgressCallback callback;
      if (report) callback = [&progress](double p) { progress.Send(&p, 1); };
      holder_->module.load(descriptor_, callback);
    });
    if (!failure_ && holder_->deleted.load()) {
      // delete() ran while loading: do not keep the model alive.
      holder_->module.unload();
      failure_ = Failure{kModuleNotLoaded, "The module was deleted while the model was loading."};
    }
  }

  void OnProgress(const double* data, size_t count) override {
    if (onProgress_.IsEmpty()) return;
    Napi::Env env = Env();
    for (size_t i = 0; i < count; ++i) {
      // An exception thrown by the user's callback must not abort the load;
      // it is reported as an uncaught exception by Node.
      try {
        onProgress_.Call({Napi::Number::New(env, data[i])});
      } catch (const Napi::Error& e) {
        callbackError_ = Napi::Persistent(static_cast<Napi::Value>(e.Value()));
      }
    }
  }

  void OnOK() override {
    if (failure_) {
      deferred_.Reject(makeError(Env(), *failure_).Value());
    } else if (!callbackError_.IsEmpty()) {
      deferred_.Reject(callbackError_.Value());
    } else {
      deferred_.Resolve(Env().Undefined());
    }
  }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  std::shared_ptr<Holder<Module>> holder_;
  etvision::ModelDescriptor descriptor_;
  Napi::FunctionReference onProgress_;
  Napi::Reference<Napi::Value> callbackError_;
  std::optional<Failure> failure_;
};

// Releases a deleted module's model on a pool thread.
template <typename Module>
class ReleaseWorker : public Napi::AsyncWorker {
 public:
  ReleaseWorker(Napi::Env env, std::shared_ptr<Holder<Module>> holder)
      : Napi::AsyncWorker(env, "etvision.release"), holder_(std::move(holder)) {}
  void Execute() override { holder_->module.unload(); }
  void OnOK() override {}
  void OnError(const Napi::Error&) override {}

 private:
  std::shared_ptr<Holder<Module>> holder_;
};

// Result -> JS conversion runs on the JS thread in OnOK.
template <typename Module, typename Result, typename Run, typename Convert>
class ForwardWorker : public Napi::AsyncWorker {
 public:
  ForwardWorker(Napi::Env env, std::shared_ptr<Holder<Module>> holder, Run run, Convert convert)
      : Napi::AsyncWorker(env, "etvision.forward"),
        deferred_(Napi::Promise::Deferred::New(env)),
        holder_(std::move(holder)),
        run_(std::move(run)),
        convert_(std::move(convert)) {}

  Napi::Promise promise() const { return deferred_.Promise(); }

  void Execute() override {
    failure_ = capture([&] {
      // Forward before load / after delete: ModuleNotLoaded, before any
      // image work (the C++ module would otherwise report image errors first).
      if (holder_->deleted.load() || !holder_->module.isLoaded()) throwNotLoaded<Module>();
      result_ = run_(holder_->module);
    });
  }
  void OnOK() override {
    if (failure_) {
      deferred_.Reject(makeError(Env(), *failure_).Value());
      return;
    }
    auto converted = capture([&] { value_ = Napi::Persistent(convert_(Env(), result_)); });
    if (converted) {
      deferred_.Reject(makeError(Env(), *converted).Value());
    } else {
      deferred_.Resolve(value_.Value());
    }
  }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  std::shared_ptr<Holder<Module>> holder_;
  Run run_;
  Convert convert_;
  Result result_;
  std::optional<Failure> failure_;
  Napi::Reference<Napi::Value> value_;
};

template <typename Module, typename Result, typename Run, typename Convert>
Napi::Value queueForward(Napi::Env env, std::shared_ptr<Holder<Module>> holder, Run run,
                         Convert convert) {
  auto* worker = new ForwardWorker<Module, Result, Run, Convert>(
      env, std::move(holder), std::move(run), std::move(convert));
  Napi::Promise promise = worker->promise();
  worker->Queue();
  return promise;
}

// ---------------------------------------------------------------------------
// Common JS class shape: load(), forward(), delete(), isLoaded().
template <typename Derived, typename Module>
class ModuleWrap : public Napi::ObjectWrap<Derived> {
 public:
  explicit ModuleWrap(const Napi::CallbackInfo& info)
      : Napi::ObjectWrap<Derived>(info), holder_(std::make_shared<Holder<Module>>()) {}

  ~ModuleWrap() override {
    // Garbage collected without delete(): the C++ destructor unloads when the
    // last reference (this one or a running worker's) goes.
  }

  Napi::Value Load(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    etvision::ModelDescriptor descriptor;
    if (auto failure = descriptorFromJs(info, Derived::defaultDescriptor(), descriptor)) {
      return rejected(env, *failure);
    }
    Napi::Function onProgress;
    if (info.Length() > 4 && info[4].IsFunction()) onProgress = info[4].As<Napi::Function>();
    auto* worker = new LoadWorker<Module>(env, holder_, std::move(descriptor), onProgress);
    Napi::Promise promise = worker->promise();
    worker->Queue();
    return promise;
  }

  Napi::Value Delete(const Napi::CallbackInfo& info) {
    auto old = std::exchange(holder_, std::make_shared<Holder<Module>>());
    old->deleted.store(true);
    if (old->module.isLoaded() || old.use_count() > 1) {
      (new ReleaseWorker<Module>(info.Env(), std::move(old)))->Queue();
    }
    return info.Env().Undefined();
  }

  Napi::Value IsLoaded(const Napi::CallbackInfo& info) {
    return Napi::Boolean::New(info.Env(), holder_->module.isLoaded());
  }

 protected:
  std::shared_ptr<Holder<Module>> holder_;
};

class NativeClassifier : public ModuleWrap<NativeClassifier, etvision::ClassificationModule> {
 public:
  using ModuleWrap::ModuleWrap;

  static const etvision::ModelDescriptor& defaultDescriptor() {
    return etvision::EFFICIENTNET_V2_S;
  }

  static Napi::Function define(Napi::Env env) {
    return DefineClass(
        env, "NativeClassifier",
        {InstanceMethod("load",
                        static_cast<Napi::Value (NativeClassifier::*)(const Napi::CallbackInfo&)>(
                            &NativeClassifier::Load)),
         InstanceMethod("forward",
                        static_cast<Napi::Value (NativeClassifier::*)(const Napi::CallbackInfo&)>(
                            &NativeClassifier::Forward)),
         InstanceMethod("delete",
                        static_cast<Napi::Value (NativeClassifier::*)(const Napi::CallbackInfo&)>(
                            &NativeClassifier::Delete)),
         InstanceMethod("isLoaded",
                        static_cast<Napi::Value (NativeClassifier::*)(const Napi::CallbackInfo&)>(
                            &NativeClassifier::IsLoaded))});
  }

  // forward(imageSource: string | PixelData): Promise<{[label]: probability}>
  Napi::Value Forward(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    ImageArgument image;
    if (auto failure = readImageArgument(info[0], image)) return rejected(env, *failure);
    using Result = std::unordered_map<std::string, float>;
    auto run = [image = std::move(image)](etvision::ClassificationModule& module) {
      return module.forward(image.source());
    };
    auto convert = [](Napi::Env env, const Result& result) -> Napi::Value {
      Napi::Object object = Napi::Object::New(env);
      for (const auto& [label, probability] : result) {
        object.Set(label, Napi::Number::New(env, probability));
      }
      return object;
    };
    return queueForward<etvision::ClassificationModule, Result>(env, holder_, std::move(run),
                                                                std::move(convert));
  }
};

class NativeSegmenter : public ModuleWrap<NativeSegmenter, etvision::ImageSegmentationModule> {
 public:
  using ModuleWrap::ModuleWrap;

  static const etvision::ModelDescriptor& defaultDescriptor() {
    return etvision::DEEPLAB_V3_RESNET50;
  }

  static Napi::Function define(Napi::Env env) {
    return DefineClass(
        env, "NativeSegmenter",
        {InstanceMethod("load",
                        static_cast<Napi::Value (NativeSegmenter::*)(const Napi::CallbackInfo&)>(
                            &NativeSegmenter::Load)),
         InstanceMethod("forward",
                        static_cast<Napi::Value (NativeSegmenter::*)(const Napi::CallbackInfo&)>(
                            &NativeSegmenter::Forward)),
         InstanceMethod("delete",
                        static_cast<Napi::Value (NativeSegmenter::*)(const Napi::CallbackInfo&)>(
                            &NativeSegmenter::Delete)),
         InstanceMethod("isLoaded",
                        static_cast<Napi::Value (NativeSegmenter::*)(const Napi::CallbackInfo&)>(
                            &NativeSegmenter::IsLoaded))});
  }

  // forward(imageSource: string | PixelData, classesOfInterest: number[], resize: boolean)
  //   -> Promise<{21: Int32Array, [label]: Float32Array}>
  Napi::Value Forward(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    ImageArgument image;
    if (auto failure = readImageArgument(info[0], image)) return rejected(env, *failure);
    std::vector<etvision::DeeplabLabel> classes;
    if (info.Length() > 1 && !info[1].IsUndefined() && !info[1].IsNull()) {
      if (!info[1].IsArray()) {
        return rejected(env,
                        {kInvalidUserInput, "classesOfInterest must be an array of DeeplabLabel"});
      }
      // Only the JS type is checked here: which values are DeeplabLabels (and
      // which the loaded model has) is the C++ forward's to say, with its
      // coded error.
      auto array = info[1].As<Napi::Array>();
      for (uint32_t i = 0; i < array.Length(); ++i) {
        Napi::Value v = array.Get(i);
        const int value = v.IsNumber() ? v.As<Napi::Number>().Int32Value() : -1;
        if (!v.IsNumber() || v.As<Napi::Number>().DoubleValue() != value) {
          return rejected(env, {kInvalidUserInput, "classesOfInterest[" + std::to_string(i) +
                                                       "] is not a DeeplabLabel (an integer, "
                                                       "e.g. DeeplabLabel.PERSON)"});
        }
        classes.push_back(static_cast<etvision::DeeplabLabel>(value));
      }
    }
    const bool resize = info.Length() > 2 && info[2].ToBoolean().Value();
    using Result = etvision::Segmentation;
    auto run = [image = std::move(image), classes = std::move(classes),
                resize](etvision::ImageSegmentationModule& module) {
      return module.forward(image.source(), classes, resize);
    };
    auto convert = [](Napi::Env env, const Result& result) -> Napi::Value {
      Napi::Object object = Napi::Object::New(env);
      auto argmax = Napi::Int32Array::New(env, result.argmax.size());
      std::memcpy(argmax.Data(), result.argmax.data(), result.argmax.size() * sizeof(int32_t));
      object.Set(static_cast<uint32_t>(etvision::DeeplabLabel::ARGMAX), argmax);
      for (const auto& [label, map] : result.probabilities) {
        int key = -1;
        for (int v = 0; v <= static_cast<int>(etvision::DeeplabLabel::ARGMAX); ++v) {
          const char* name = etvision::deeplabLabelName(static_cast<etvision::DeeplabLabel>(v));
          if (name != nullptr && label == name) key = v;
        }
        auto array = Napi::Float32Array::New(env, map.size());
        std::memcpy(array.Data(), map.data(), map.size() * sizeof(float));
        if (key >= 0) {
          object.Set(static_cast<uint32_t>(key), array);
        } else {
          object.Set(label, array);
        }
      }
      return object;
    };
    return queueForward<etvision::ImageSegmentationModule, Result>(env, holder_, std::move(run),
                                                                   std::move(convert));
  }
};

// builtinModels(): {name: {modelSource, task, description}} for every built-in
// descriptor, in the order `etvision models` lists them.
Napi::Value BuiltinModels(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  auto add = [&](const std::vector<const etvision::ModelDescriptor*>& list, const char* task) {
    for (const auto* model : list) {
      Napi::Object entry = Napi::Object::New(env);
      entry.Set("modelSource", model->modelSource);
      entry.Set("task", task);
      entry.Set("description", model->description);
      out.Set(model->name, entry);
    }
  };
  add(etvision::classificationModels(), "classification");
  add(etvision::segmentationModels(), "segmentation");
  return out;
}

// errorCodes(): [{code, name}] for every etvision::ErrorCode, in declaration
// order (the generated ETError enum is written from it).
Napi::Value ErrorCodes(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const auto codes = etvision::errorCodes();
  Napi::Array out = Napi::Array::New(env, codes.size());
  for (uint32_t i = 0; i < codes.size(); ++i) {
    Napi::Object entry = Napi::Object::New(env);
    entry.Set("code", static_cast<int>(codes[i]));
    entry.Set("name", etvision::errorCodeName(codes[i]));
    out.Set(i, entry);
  }
  return out;
}

// deeplabLabels(): [{value, name}] for every etvision::DeeplabLabel (the
// Pascal VOC classes, then ARGMAX), ascending (the generated DeeplabLabel
// enum is written from it).
Napi::Value DeeplabLabels(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Array out = Napi::Array::New(env);
  for (int value = 0; value <= static_cast<int>(etvision::DeeplabLabel::ARGMAX); ++value) {
    const char* name = etvision::deeplabLabelName(static_cast<etvision::DeeplabLabel>(value));
    if (name == nullptr) continue;
    Napi::Object entry = Napi::Object::New(env);
    entry.Set("value", value);
    entry.Set("name", name);
    out.Set(out.Length(), entry);
  }
  return out;
}

// modelFromString(text): etvision::modelFromString, i.e. a built-in model's
// name or a model source (URL, file:// URI, path), as
// {name, modelSource, builtin, description}; throws its coded error
// (InvalidModelSource, naming the closest built-in names) for anything else.
Napi::Value ModelFromString(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) {
    throw makeError(env, {kInvalidModelSource,
                          "modelFromString() expects a string: a built-in model name (see "
                          "`etvision models`), a URL, a file:// URI or a path"});
  }
  const std::string text = info[0].As<Napi::String>();
  etvision::ModelDescriptor model;
  if (auto failure = capture([&] { model = etvision::modelFromString(text); })) {
    throw makeError(env, *failure);
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("name", model.name);
  out.Set("modelSource", model.modelSource);
  const etvision::ModelDescriptor* builtin = etvision::findModel(model.name);
  out.Set("builtin", builtin != nullptr && builtin->modelSource == model.modelSource);
  out.Set("description", model.description);
  return out;
}

// setThreadCount() waits for running inferences and model loads, so it runs
// on a pool thread and settles a promise, like load() and forward().
class ThreadCountWorker : public Napi::AsyncWorker {
 public:
  ThreadCountWorker(Napi::Env env, unsigned count)
      : Napi::AsyncWorker(env, "etvision.setThreadCount"),
        deferred_(Napi::Promise::Deferred::New(env)),
        count_(count) {}

  Napi::Promise promise() { return deferred_.Promise(); }

  void Execute() override {
    failure_ = capture([&] { etvision::setThreadCount(count_); });
  }
  void OnOK() override {
    if (failure_) {
      deferred_.Reject(makeError(Env(), *failure_).Value());
    } else {
      deferred_.Resolve(Env().Undefined());
    }
  }

 private:
  Napi::Promise::Deferred deferred_;
  unsigned count_;
  std::optional<Failure> failure_;
};

Napi::Value SetThreadCount(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const double count = info.Length() >= 1 && info[0].IsNumber()
                           ? info[0].As<Napi::Number>().DoubleValue()
                           : -1.0;  // NaN and non-numbers fail the range check too
  if (!(count >= 0 && count <= 4294967295.0 &&
        count == static_cast<double>(static_cast<std::int64_t>(count)))) {
    // The upper limit is the library's to check (and to name).
    return rejected(env, {kInvalidUserInput,
                          "setThreadCount() expects a whole number of threads, or 0 for the "
                          "default"});
  }
  auto* worker = new ThreadCountWorker(env, static_cast<unsigned>(count));
  Napi::Promise promise = worker->promise();
  worker->Queue();
  return promise;
}

Napi::Value ThreadCount(const Napi::CallbackInfo& info) {
  unsigned count = 0;
  if (auto failure = capture([&] { count = etvision::threadCount(); })) {
    throw makeError(info.Env(), *failure);
  }
  return Napi::Number::New(info.Env(), count);
}

Napi::Value Version(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), etvision::version());
}

Napi::Value ExecutorchVersion(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), etvision::executorchVersion());
}

Napi::Value VectorIsa(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), etvision::vectorIsa());
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("NativeClassifier", NativeClassifier::define(env));
  exports.Set("NativeSegmenter", NativeSegmenter::define(env));
  exports.Set("builtinModels", Napi::Function::New(env, BuiltinModels, "builtinModels"));
  exports.Set("errorCodes", Napi::Function::New(env, ErrorCodes, "errorCodes"));
  exports.Set("deeplabLabels", Napi::Function::New(env, DeeplabLabels, "deeplabLabels"));
  exports.Set("modelFromString", Napi::Function::New(env, ModelFromString, "modelFromString"));
  exports.Set("setThreadCount", Napi::Function::New(env, SetThreadCount, "setThreadCount"));
  exports.Set("threadCount", Napi::Function::New(env, ThreadCount, "threadCount"));
  exports.Set("version", Napi::Function::New(env, Version, "version"));
  exports.Set("executorchVersion",
              Napi::Function::New(env, ExecutorchVersion, "executorchVersion"));
  exports.Set("vectorIsa", Napi::Function::New(env, VectorIsa, "vectorIsa"));
  return exports;
}

}  // namespace

NODE_API_MODULE(etvision, Init)
