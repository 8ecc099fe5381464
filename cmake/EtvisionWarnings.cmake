# Compiler warnings (as errors) and sanitizers for the project's own targets.

function(etvision_set_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion
    -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual -Werror
    # Designated initializers ({.maxResults = 5}) are how the options structs
    # are meant to be used; members left out keep their defaults.
    -Wno-missing-field-initializers
    # GCC 12 reports false positives inside libstdc++'s string code at -O2/-O3
    # (GCC bugs 105329, 105651); they stay warnings, not errors.
    $<$<CXX_COMPILER_ID:GNU>:-Wno-error=restrict -Wno-error=array-bounds>)
endfunction()

function(etvision_set_sanitizers target)
  if(ETVISION_SANITIZE)
    target_compile_options(${target} PUBLIC
      -fsanitize=${ETVISION_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
    target_link_options(${target} PUBLIC -fsanitize=${ETVISION_SANITIZE})
  endif()
endfunction()
