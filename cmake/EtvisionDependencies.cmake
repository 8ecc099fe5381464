# Third-party dependencies. ExecuTorch comes from the project's Python virtual
# environment (the `executorch` wheel ships a C++ SDK); everything else from
# Debian packages installed by scripts/setup.sh.

# --- ExecuTorch -------------------------------------------------------------
set(ETVISION_PYTHON "${CMAKE_CURRENT_SOURCE_DIR}/.venv/bin/python" CACHE FILEPATH
    "Python interpreter of the environment that holds the executorch wheel")
if(NOT executorch_DIR AND EXISTS "${ETVISION_PYTHON}")
  execute_process(
    COMMAND "${ETVISION_PYTHON}" -c
            "import importlib.util; print(list(importlib.util.find_spec('executorch').submodule_search_locations)[0])"
    OUTPUT_VARIABLE _etvision_executorch_root
    OUTPUT_STRIP_TRAILING_WHITESPACE
    RESULT_VARIABLE _etvision_executorch_rc)
  if(_etvision_executorch_rc EQUAL 0)
    set(executorch_DIR "${_etvision_executorch_root}/lib/cmake/executorch")
  endif()
endif()
find_package(executorch 1.5 CONFIG REQUIRED
  COMPONENTS kernels_optimized kernels_quantized backend_xnnpack threadpool)
message(STATUS "etvision: ExecuTorch ${EXECUTORCH_BUILD_VERSION} from ${executorch_DIR}")
# The wheel's CMake package adds "-rpath,<its absolute lib dir>" to everything
# linking the runtime, which would bake this machine's .venv into installed
# libraries (and the Python wheel). Build-tree programs find the libraries
# through CMake's own build RPATH; installed ones through $ORIGIN.
foreach(_component runtime threadpool kernels_optimized kernels_quantized backend_xnnpack)
  get_target_property(_options executorch::${_component} INTERFACE_LINK_OPTIONS)
  if(_options)
    list(FILTER _options EXCLUDE REGEX "^LINKER:-rpath,/")
    set_target_properties(executorch::${_component} PROPERTIES INTERFACE_LINK_OPTIONS "${_options}")
  endif()
endforeach()

# The shared libraries a program linking etvision needs at run time; they are
# installed next to libetvision.so.
set(ETVISION_EXECUTORCH_RUNTIME_FILES)
foreach(_component runtime threadpool kernels_optimized kernels_quantized
                   backend_xnnpack)
  get_target_property(_location executorch::${_component} IMPORTED_LOCATION)
  list(APPEND ETVISION_EXECUTORCH_RUNTIME_FILES "${_location}")
endforeach()
# Also as a global property, for projects that add etvision as a
# subdirectory and ship these files themselves (bindings/python).
set_property(GLOBAL PROPERTY ETVISION_EXECUTORCH_RUNTIME_FILES
  "${ETVISION_EXECUTORCH_RUNTIME_FILES}")

# --- OpenCV (core, imgproc, imgcodecs, videoio) ------------------------------
# Debian ships OpenCVConfig.cmake only with the full libopencv-dev; the four
# module packages we install carry headers and libraries without it. videoio
# reads and writes video files, cameras and streams (src/video/) through
# Debian's FFmpeg backend (libopencv-videoio-dev pulls libavcodec/libavformat,
# whose libx264 gives H.264 output) and V4L2 for cameras.
find_package(OpenCV QUIET COMPONENTS core imgproc imgcodecs videoio)
if(OpenCV_FOUND)
  add_library(etvision_opencv INTERFACE)
  target_include_directories(etvision_opencv SYSTEM INTERFACE ${OpenCV_INCLUDE_DIRS})
  target_link_libraries(etvision_opencv INTERFACE opencv_core opencv_imgproc opencv_imgcodecs
                                                    opencv_videoio)
else()
  find_path(ETVISION_OPENCV_INCLUDE_DIR opencv2/core.hpp PATH_SUFFIXES opencv4 REQUIRED)
  add_library(etvision_opencv INTERFACE)
  target_include_directories(etvision_opencv SYSTEM INTERFACE "${ETVISION_OPENCV_INCLUDE_DIR}")
  foreach(_module core imgproc imgcodecs videoio)
    find_library(ETVISION_OPENCV_${_module} opencv_${_module} REQUIRED)
    target_link_libraries(etvision_opencv INTERFACE "${ETVISION_OPENCV_${_module}}")
  endforeach()
endif()

# --- FFmpeg (H.264 output at a chosen x264 preset) --------------------------
# src/video/h264_encoder.cpp writes through libavcodec directly because
# OpenCV's writer cannot pass encoder options; the same Debian FFmpeg
# libraries OpenCV's videoio already loads (libavcodec-dev, libavformat-dev,
# libavutil-dev, libswscale-dev).
find_package(PkgConfig REQUIRED)
pkg_check_modules(ETVISION_FFMPEG REQUIRED IMPORTED_TARGET
  libavcodec libavformat libavutil libswscale)

# --- Fast PNG and JPEG decoding ----------------------------------------------
# src/image/png_fast.cpp inflates with libdeflate (libdeflate-dev) and
# src/image/jpeg_fast.cpp calls libjpeg-turbo (libjpeg-dev), the same
# library OpenCV decodes JPEG with.
pkg_check_modules(ETVISION_FAST_CODECS REQUIRED IMPORTED_TARGET libdeflate libjpeg)

# --- Others -----------------------------------------------------------------
find_package(CURL REQUIRED)
find_package(ZLIB REQUIRED)
find_package(OpenSSL REQUIRED COMPONENTS Crypto)
find_package(nlohmann_json 3 REQUIRED)
find_package(Threads REQUIRED)

set(ETVISION_PRIVATE_DEPS
  executorch::runtime executorch::threadpool executorch::kernels_optimized
  executorch::kernels_quantized executorch::backend_xnnpack
  etvision_opencv PkgConfig::ETVISION_FFMPEG PkgConfig::ETVISION_FAST_CODECS CURL::libcurl ZLIB::ZLIB OpenSSL::Crypto
  nlohmann_json::nlohmann_json Threads::Threads)
