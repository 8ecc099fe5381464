# src/runtime/executorch_threadpool.h declares the part of ExecuTorch's
# ThreadPool that etvision calls, because the executorch wheel ships the
# library but not its header. Those declarations were checked against the
# header of ExecuTorch 1.5.1 (extension/threadpool/threadpool.h). This test
# fails loudly when the wheel changes: a new version must be checked again
# (and EXPECTED_VERSION updated here), and the symbols etvision calls must
# still be exported with the same signatures.
# Script mode: cmake -DLIBRARY=<libexecutorch_threadpool.so> -DVERSION=<found> -P
set(EXPECTED_VERSION "1.5.1")
string(REGEX MATCH "^[0-9]+\\.[0-9]+\\.[0-9]+" found_version "${VERSION}")
if(NOT found_version STREQUAL EXPECTED_VERSION)
  message(FATAL_ERROR
    "ExecuTorch ${VERSION} found, but src/runtime/executorch_threadpool.h was checked "
    "against ${EXPECTED_VERSION}: compare it with that version's "
    "extension/threadpool/threadpool.h, then update EXPECTED_VERSION in ${CMAKE_CURRENT_LIST_FILE}")
endif()
execute_process(COMMAND nm -D --defined-only "${LIBRARY}" OUTPUT_VARIABLE symbols
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cannot list the symbols of ${LIBRARY} (nm exit ${rc})")
endif()
foreach(symbol
    # ThreadPool::get_thread_count() const
    _ZNK10executorch9extension10threadpool10ThreadPool16get_thread_countEv
    # ThreadPool::_unsafe_reset_threadpool(uint32_t)
    _ZN10executorch9extension10threadpool10ThreadPool24_unsafe_reset_threadpoolEj
    # ThreadPool::run(runtime::FunctionRef<void(size_t)>, size_t)
    _ZN10executorch9extension10threadpool10ThreadPool3runENS_7runtime11FunctionRefIFvmEEEm
    # get_threadpool()
    _ZN10executorch9extension10threadpool14get_threadpoolEv)
  if(NOT symbols MATCHES " T ${symbol}\n")
    message(FATAL_ERROR "${LIBRARY} no longer exports ${symbol}, which "
                        "src/runtime/executorch_threadpool.h declares")
  endif()
endforeach()
message(STATUS "ExecuTorch ${VERSION}: the ThreadPool declarations match")
