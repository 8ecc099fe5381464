# The version has one source, project(VERSION) in the top-level CMakeLists.txt.
# The Node package's package.json (and its lock file) must carry the same
# version, since npm reads it from there.
# Script mode: cmake -DSOURCE_DIR=... -DVERSION=... -P
foreach(file package.json package-lock.json)
  file(READ "${SOURCE_DIR}/bindings/node/${file}" json)
  string(JSON found GET "${json}" version)
  if(NOT found STREQUAL VERSION)
    message(FATAL_ERROR "bindings/node/${file} has version ${found}, but CMakeLists.txt's "
                        "project(VERSION) is ${VERSION}: update package.json, then run "
                        "npm install in bindings/node")
  endif()
endforeach()
message(STATUS "versions: ${VERSION} everywhere")
