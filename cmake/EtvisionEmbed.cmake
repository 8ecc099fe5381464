# Label lists are data files (data/labels/, with their provenance) compiled
# into the library, so no file has to be found at run time.

function(etvision_embed_labels out_var)
  set(_sources)
  set(_args ${ARGN})
  while(_args)
    list(POP_FRONT _args _name _file)
    set(_out "${CMAKE_CURRENT_BINARY_DIR}/generated/labels_${_name}.cpp")
    add_custom_command(
      OUTPUT "${_out}"
      COMMAND "${CMAKE_COMMAND}" -DNAME=${_name} -DINPUT=${_file} -DOUTPUT=${_out}
              -P "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/EtvisionEmbedLabels.cmake"
      DEPENDS "${_file}" "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/EtvisionEmbedLabels.cmake"
      COMMENT "Embedding labels ${_name}")
    list(APPEND _sources "${_out}")
  endwhile()
  set(${out_var} ${_sources} PARENT_SCOPE)
endfunction()
