# Helpers shared by mlc's CMake files.

# Every mlc library links Debian's libMLIR.so (never the static libMLIR*.a:
# ExecutionEngine pulls the dylib in, and two copies of MLIR break TypeIDs).
function(mlc_add_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPENDS;LINK_LIBS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  llvm_update_compile_flags(${name})
  if(ARG_DEPENDS)
    add_dependencies(${name} ${ARG_DEPENDS})
  endif()
  target_link_libraries(${name} PUBLIC ${ARG_LINK_LIBS} MLIR LLVM)
endfunction()

function(mlc_add_tool name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LINK_LIBS" ${ARGN})
  add_llvm_executable(${name} ${ARG_SOURCES})
  llvm_update_compile_flags(${name})
  target_link_libraries(${name} PRIVATE ${ARG_LINK_LIBS} MLIR LLVM)
endfunction()

# A library of passes declared in Passes.td of the current directory:
# Passes.h.inc (-gen-pass-decls -name NAME), the target NAMEIncGen that
# builds it (the library depends on it), the generated reference DOC.md
# (see docs/CMakeLists.txt), then mlc_add_library(NAME ...).
function(mlc_add_pass_library name doc)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPENDS;LINK_LIBS" ${ARGN})
  set(LLVM_TARGET_DEFINITIONS Passes.td)
  mlir_tablegen(Passes.h.inc -gen-pass-decls -name ${name})
  add_public_tablegen_target(${name}IncGen)
  add_mlir_doc(Passes ${doc} Passes/ -gen-pass-doc)
  mlc_add_library(${name} SOURCES ${ARG_SOURCES}
    DEPENDS ${name}IncGen ${ARG_DEPENDS} LINK_LIBS ${ARG_LINK_LIBS})
endfunction()
