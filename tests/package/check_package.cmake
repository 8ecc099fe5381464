# Proves the installed package works for a consumer (like whisper.cpp's
# test-cmake): install etvision into a scratch prefix, build
# tests/package/consumer against it with find_package(etvision), and run it on
# a bundled photo with the bundled model found inside that prefix.
# Script mode: cmake -DSOURCE_DIR=... -DBUILD_DIR=... -DWORK_DIR=... -DGENERATOR=... -P
file(REMOVE_RECURSE "${WORK_DIR}")
set(prefix "${WORK_DIR}/prefix")

function(run step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "package check: ${step} failed (${rc}):\n${out}\n${err}")
  endif()
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

run(install "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${prefix}")

# The installed library exports the public API only (cmake/etvision.map):
# every defined dynamic symbol is etvision's, none of it etvision::detail.
file(GLOB_RECURSE installed_library "${prefix}/*/libetvision.so")
run(exports nm -D --defined-only -C ${installed_library})
string(REPLACE "\n" ";" exported "${last_output}")
set(leaks "")
foreach(line IN LISTS exported)
  if(line STREQUAL "")
    continue()
  endif()
  if(NOT line MATCHES " (etvision::|typeinfo for etvision::|typeinfo name for etvision::|vtable for etvision::)"
     OR line MATCHES "etvision::detail::")
    string(APPEND leaks "  ${line}\n")
  endif()
endforeach()
if(NOT leaks STREQUAL "")
  message(FATAL_ERROR "package check: libetvision.so exports internal symbols:\n${leaks}")
endif()
list(LENGTH exported export_count)
message(STATUS "package check: ${export_count} exported symbols, all public API")
run(configure "${CMAKE_COMMAND}" -S "${SOURCE_DIR}/tests/package/consumer"
    -B "${WORK_DIR}/build" -G "${GENERATOR}" "-DCMAKE_PREFIX_PATH=${prefix}")
run(build "${CMAKE_COMMAND}" --build "${WORK_DIR}/build")
# The consumer knows only the install prefix: its library, its ExecuTorch
# runtime and its bundled models.
run(run "${WORK_DIR}/build/consumer" "${SOURCE_DIR}/data/photos/skimage_coffee.png")
if(NOT last_output MATCHES "espresso")
  message(FATAL_ERROR "package check: expected 'espresso', got:\n${last_output}")
endif()
if(NOT last_output MATCHES "^${prefix}/share/etvision/models/mobilenet_v2/")
  message(FATAL_ERROR "package check: the bundled model was not found in the install prefix:\n${last_output}")
endif()
message(STATUS "package check: ok: ${last_output}")

# The README's C++ quick start is a complete program: compile it against the
# same installed package and run it from the repository root (it reads
# data/photos), so the README cannot drift from the API.
file(READ "${SOURCE_DIR}/README.md" readme)
string(FIND "${readme}" "## C++ quick start" section_start)
string(SUBSTRING "${readme}" ${section_start} -1 section)
string(FIND "${section}" "```cpp\n" code_start)
math(EXPR code_start "${code_start} + 7")
string(SUBSTRING "${section}" ${code_start} -1 code)
string(FIND "${code}" "```" code_end)
string(SUBSTRING "${code}" 0 ${code_end} code)
file(WRITE "${WORK_DIR}/readme/main.cpp" "${code}")
file(WRITE "${WORK_DIR}/readme/CMakeLists.txt"
  "cmake_minimum_required(VERSION 3.20)\nproject(readme_quick_start LANGUAGES CXX)\n"
  "find_package(etvision 0.1 REQUIRED)\nadd_executable(quick_start main.cpp)\n"
  # GCC 12's -Wextra flags designated initializers that leave fields to
  # their defaults ({.maxResults = 3}), which is how the options are meant
  # to be written.
  "target_compile_options(quick_start PRIVATE -Wall -Wextra -Wno-missing-field-initializers -Werror)\n"
  "target_link_libraries(quick_start PRIVATE etvision::etvision)\n")
run(configure_readme "${CMAKE_COMMAND}" -S "${WORK_DIR}/readme" -B "${WORK_DIR}/readme/build"
    -G "${GENERATOR}" "-DCMAKE_PREFIX_PATH=${prefix}")
run(build_readme "${CMAKE_COMMAND}" --build "${WORK_DIR}/readme/build")
execute_process(COMMAND "${WORK_DIR}/readme/build/quick_start" WORKING_DIRECTORY "${SOURCE_DIR}"
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "package check: the README's quick start failed (${rc}):\n${out}\n${err}")
endif()
foreach(expected "100%" "Egyptian cat: 0\\.7[0-9]+ of 1000 labels" "espresso 0\\.9" "pelican"
                 "image 1: error 114" "512x512 maps, overlay PNG of [0-9]+ bytes")
  if(NOT out MATCHES "${expected}")
    message(FATAL_ERROR "package check: the README's quick start printed no '${expected}':\n${out}")
  endif()
endforeach()
message(STATUS "package check: README quick start ok")
