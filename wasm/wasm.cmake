# The WebAssembly build of core, included by the top-level CMakeLists.txt
# under emcmake. Produces two flavours of the same module in CAIRN_WASM_OUT:
#   cairn-node.cjs + cairn-node.wasm   CommonJS glue for Node
#   cairn-web.mjs  + cairn-web.wasm    ES6 glue for browsers and workers
# System headers are reached through symlinks in one include directory, never
# through -I/usr/include (which would mix glibc headers into the wasm build).

set(CAIRN_LIBB2_DIR "" CACHE PATH "libb2 source tree, as unpacked by scripts/fetch-libb2.sh")
set(CAIRN_WASM_OUT "${PROJECT_SOURCE_DIR}/js/dist" CACHE PATH "where the wasm flavours are written")
if(NOT EXISTS "${CAIRN_LIBB2_DIR}/src/blake2b-ref.c")
  message(FATAL_ERROR "CAIRN_LIBB2_DIR must name libb2's source tree (run scripts/fetch-libb2.sh)")
endif()

set(CAIRN_WASM_INCLUDE "${CMAKE_BINARY_DIR}/wasm-include")
file(MAKE_DIRECTORY "${CAIRN_WASM_INCLUDE}")
foreach(link nlohmann rapidjson xxhash.h)
  if(NOT EXISTS "${CAIRN_WASM_INCLUDE}/${link}")
    file(CREATE_LINK "/usr/include/${link}" "${CAIRN_WASM_INCLUDE}/${link}" SYMBOLIC)
  endif()
endforeach()
# libb2's blake2-impl.h includes the config.h its configure script writes;
# the portable reference code needs nothing from it.
file(WRITE "${CAIRN_WASM_INCLUDE}/libb2/config.h" "/* libb2 portable build: no configuration */\n")

# libb2's portable BLAKE2b, unsuffixed (SUFFIX empty) so it exports blake2b().
add_library(cairn_b2 STATIC "${CAIRN_LIBB2_DIR}/src/blake2b-ref.c")
target_compile_definitions(cairn_b2 PRIVATE SUFFIX= NATIVE_LITTLE_ENDIAN)
target_include_directories(cairn_b2
  PRIVATE "${CAIRN_WASM_INCLUDE}/libb2"
  PUBLIC "${CAIRN_LIBB2_DIR}/src")
target_compile_options(cairn_b2 PRIVATE -O3 -flto)

file(GLOB_RECURSE CAIRN_CORE_SOURCES CONFIGURE_DEPENDS
  ${PROJECT_SOURCE_DIR}/core/*.cc
  ${PROJECT_SOURCE_DIR}/storage-backends/memory/*.cc)
add_library(cairn_core STATIC ${CAIRN_CORE_SOURCES})
target_include_directories(cairn_core
  PUBLIC ${PROJECT_SOURCE_DIR}/core/include
  PRIVATE ${PROJECT_SOURCE_DIR}/core ${PROJECT_SOURCE_DIR} ${CAIRN_WASM_INCLUDE})
target_compile_definitions(cairn_core PRIVATE JSON_NOEXCEPTION)
# Link-time optimisation lets the engine's small functions (checksums, key
# comparisons, memtable probes) inline across files: 4-8% on the Node
# benchmark's ingest and gets.
target_compile_options(cairn_core PRIVATE -fno-exceptions -O3 -flto)
target_link_libraries(cairn_core PUBLIC cairn_b2)

file(GLOB CAIRN_WASM_SOURCES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/wasm/*.cc)
# The wasm build's memcpy, memmove and memcmp: -fno-builtin keeps the
# compiler from turning their loops back into calls to themselves, and
# -fno-lto keeps them ordinary object code, which the linker uses in place
# of libc's (link-time optimisation could drop them: nothing in the IR calls
# them before code generation).
set_source_files_properties(${PROJECT_SOURCE_DIR}/wasm/mem_ops.cc PROPERTIES COMPILE_OPTIONS "-fno-builtin;-fno-lto")
set(CAIRN_WASM_LINK_FLAGS
  -O3 -flto -fno-exceptions -lembind -sWASM_BIGINT -sMODULARIZE -sEXPORT_NAME=createCairnModule
  -sALLOW_MEMORY_GROWTH -sFILESYSTEM=0 -sINITIAL_MEMORY=33554432)

foreach(flavour node web)
  add_executable(cairn_wasm_${flavour} ${CAIRN_WASM_SOURCES})
  target_include_directories(cairn_wasm_${flavour} PRIVATE ${PROJECT_SOURCE_DIR}/core ${PROJECT_SOURCE_DIR})
  target_compile_options(cairn_wasm_${flavour} PRIVATE -fno-exceptions -O3 -flto)
  target_link_libraries(cairn_wasm_${flavour} PRIVATE cairn_core)
  target_link_options(cairn_wasm_${flavour} PRIVATE ${CAIRN_WASM_LINK_FLAGS})
endforeach()
target_link_options(cairn_wasm_node PRIVATE -sENVIRONMENT=node)
target_link_options(cairn_wasm_web PRIVATE -sENVIRONMENT=web,worker -sEXPORT_ES6)
set_target_properties(cairn_wasm_node PROPERTIES OUTPUT_NAME cairn-node SUFFIX .js
  RUNTIME_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/out")
set_target_properties(cairn_wasm_web PROPERTIES OUTPUT_NAME cairn-web SUFFIX .mjs
  RUNTIME_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/out")

# Node loads the CommonJS glue from the package's ESM entry (createRequire),
# so the node flavour is published as .cjs.
add_custom_command(TARGET cairn_wasm_node POST_BUILD
  COMMAND ${CMAKE_COMMAND} -E make_directory "${CAIRN_WASM_OUT}"
  COMMAND ${CMAKE_COMMAND} -E copy "${CMAKE_BINARY_DIR}/out/cairn-node.js" "${CAIRN_WASM_OUT}/cairn-node.cjs"
  COMMAND ${CMAKE_COMMAND} -E copy "${CMAKE_BINARY_DIR}/out/cairn-node.wasm" "${CAIRN_WASM_OUT}/cairn-node.wasm")
add_custom_command(TARGET cairn_wasm_web POST_BUILD
  COMMAND ${CMAKE_COMMAND} -E make_directory "${CAIRN_WASM_OUT}"
  COMMAND ${CMAKE_COMMAND} -E copy "${CMAKE_BINARY_DIR}/out/cairn-web.mjs" "${CAIRN_WASM_OUT}/cairn-web.mjs"
  COMMAND ${CMAKE_COMMAND} -E copy "${CMAKE_BINARY_DIR}/out/cairn-web.wasm" "${CAIRN_WASM_OUT}/cairn-web.wasm")
