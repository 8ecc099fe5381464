# The version has one source, project(VERSION) in the top-level CMakeLists.txt.
# The Node package's package.json must carry the same version, since npm reads
# it from there. Script mode: cmake -DSOURCE_DIR=... -DVERSION=... -P
file(READ "${SOURCE_DIR}/bindings/node/package.json" package_json)
string(JSON node_version GET "${package_json}" version)
if(NOT node_version STREQUAL VERSION)
  message(FATAL_ERROR "bindings/node/package.json has version ${node_version}, but "
                      "CMakeLists.txt's project(VERSION) is ${VERSION}: update package.json")
endif()
file(READ "${SOURCE_DIR}/bindings/node/package-lock.json" lock_json)
string(JSON lock_version GET "${lock_json}" version)
if(NOT lock_version STREQUAL VERSION)
  message(FATAL_ERROR "bindings/node/package-lock.json has version ${lock_version}; "
                      "run npm install in bindings/node after changing the version")
endif()
message(STATUS "versions: ${VERSION} everywhere")
