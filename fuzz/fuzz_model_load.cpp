// Fuzz target: a .pte program loaded the way etvision loads models -
// ExecutorchModel(path): mmap, Program::load with
// Verification::InternalConsistency (the flatbuffer verifier), method_meta
// checks of the input/output signature, then load_forward (memory planning,
// kernel and XNNPACK delegate init). The bytes are written to one temp file
// per process (rewritten for each input); the model is never run, so each
// execution stays fast.
//
// Note: the ExecuTorch runtime comes prebuilt from the executorch wheel and is
// not instrumented, so libFuzzer's coverage feedback covers only etvision's
// side; memory errors inside the runtime are caught only when they fault or go
// through an ASan interceptor (memcpy, ...).
#include <fcntl.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "fuzz_common.h"
#include "runtime/executorch_model.h"

namespace {
std::string gPath;
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const char* tmp = std::getenv("TMPDIR");
  std::string path = std::string(tmp ? tmp : "/tmp") + "/etvision-fuzz-XXXXXX.pte";
  const int fd = ::mkstemps(path.data(), 4);
  if (fd < 0) {
    std::perror("fuzz_model_load: mkstemps");
    std::abort();
  }
  ::close(fd);
  gPath = path;
  std::atexit([] { ::unlink(gPath.c_str()); });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  {
    const int fd = ::open(gPath.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd < 0) std::abort();
    std::size_t done = 0;
    while (done < size) {
      const ssize_t n = ::write(fd, data + done, size - done);
      if (n <= 0) std::abort();
      done += static_cast<std::size_t>(n);
    }
    ::close(fd);
  }
  FUZZ_EXPECT_ONLY_ETVISION_ERRORS({
    etvision::detail::ExecutorchModel model(gPath);
    FUZZ_CHECK(model.inputHeight() > 0 && model.inputWidth() > 0);
    FUZZ_CHECK(model.input().size() ==
               std::size_t{3} * static_cast<std::size_t>(model.inputHeight()) *
                   static_cast<std::size_t>(model.inputWidth()));
    FUZZ_CHECK(!model.outputShapes().empty());
  });
  return 0;
}
