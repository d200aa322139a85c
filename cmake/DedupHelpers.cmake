# Shared compile settings and the one-static-library-per-module helper.

set(DEDUP_WARNINGS -Wall -Wextra -Wshadow -Wconversion -Wno-sign-conversion -Wnon-virtual-dtor)
if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  list(APPEND DEDUP_WARNINGS -Wthread-safety)
elseif(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  # GCC 12 reports -Wrestrict inside libstdc++'s std::string when it inlines a plain
  # `s = "literal"` at -O3 (GCC PR 105651, fixed in 13).
  list(APPEND DEDUP_WARNINGS -Wno-restrict)
endif()
if(DEDUP_WERROR)
  list(APPEND DEDUP_WARNINGS -Werror)
endif()

if(DEDUP_TSAN)
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
endif()

if(DEDUP_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "DEDUP_FUZZ needs clang (libFuzzer)")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()

if(DEDUP_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# dedup_library(NAME SOURCES ... DEPS ...): static library dedup_NAME with alias dedup::NAME.
function(dedup_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(dedup_${name} STATIC ${ARG_SOURCES})
  add_library(dedup::${name} ALIAS dedup_${name})
  target_include_directories(dedup_${name}
    PUBLIC ${PROJECT_SOURCE_DIR}/include
    PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_compile_options(dedup_${name} PRIVATE ${DEDUP_WARNINGS})
  target_link_libraries(dedup_${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
endfunction()

# dedup_test(NAME SOURCES ... DEPS ... [LABEL l]): a GoogleTest binary registered with ctest.
function(dedup_test name)
  cmake_parse_arguments(ARG "" "LABEL" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE ${DEDUP_WARNINGS})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests)
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main)
  if(NOT ARG_LABEL)
    set(ARG_LABEL unit)
  endif()
  # Paths the tests need are compiled in (a list-valued ENVIRONMENT does not survive
  # gtest_discover_tests' PROPERTIES).
  target_compile_definitions(${name} PRIVATE
    DEDUP_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    DEDUP_BINARY_PATH="$<TARGET_FILE:dedupd>")
  add_dependencies(${name} dedupd)
  gtest_discover_tests(${name} PROPERTIES LABELS ${ARG_LABEL} DISCOVERY_TIMEOUT 60)
endfunction()
