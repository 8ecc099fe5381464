# Script mode: writes a C++ source defining
#   const char* const etvision::detail::kLabels_<NAME>[]; and its count
# from a text file with one label per line.
file(STRINGS "${INPUT}" _lines ENCODING UTF-8)
set(_body "")
set(_count 0)
foreach(_line IN LISTS _lines)
  string(REPLACE "\\" "\\\\" _line "${_line}")
  string(REPLACE "\"" "\\\"" _line "${_line}")
  string(APPEND _body "    \"${_line}\",\n")
  math(EXPR _count "${_count} + 1")
endforeach()
file(WRITE "${OUTPUT}.tmp"
"// Generated from ${INPUT}; do not edit.
#include <cstddef>
namespace etvision::detail {
extern const char* const kLabels_${NAME}[];
extern const std::size_t kLabelCount_${NAME};
const char* const kLabels_${NAME}[] = {
${_body}};
const std::size_t kLabelCount_${NAME} = ${_count};
}  // namespace etvision::detail
")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
