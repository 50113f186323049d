# Small helpers in the shape of abseil's absl_cc_library / absl_cc_test.
#
#   sprout_cc_library(NAME foo SRCS a.cc b.cc HDRS a.h DEPS bar absl::status)
#   sprout_cc_test(NAME foo_test SRCS foo_test.cc DEPS foo)
#   sprout_cc_binary(NAME sproutd SRCS main.cc DEPS api)
#
# Include paths are rooted at the repository top, so headers are included as
# "snomed/sctid.h", "server/store/store.h" and so on.

function(sprout_cc_library)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;HDRS;DEPS" ${ARGN})
  if(ARG_SRCS)
    add_library(${ARG_NAME} STATIC ${ARG_SRCS} ${ARG_HDRS})
    target_include_directories(${ARG_NAME} PUBLIC ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR}/proto)
    target_link_libraries(${ARG_NAME} PUBLIC ${ARG_DEPS})
    target_compile_options(${ARG_NAME} PRIVATE ${SPROUT_WARNINGS})
  else()
    add_library(${ARG_NAME} INTERFACE)
    target_include_directories(${ARG_NAME} INTERFACE ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR}/proto)
    target_link_libraries(${ARG_NAME} INTERFACE ${ARG_DEPS})
  endif()
endfunction()

function(sprout_cc_binary)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SRCS})
  target_include_directories(${ARG_NAME} PRIVATE ${PROJECT_SOURCE_DIR})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS})
  target_compile_options(${ARG_NAME} PRIVATE ${SPROUT_WARNINGS})
endfunction()

# Tests link GoogleTest's main unless they bring their own, and are registered
# with ctest under their NAME. LABELS lets ctest -L select unit / integration.
function(sprout_cc_test)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS;LABELS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SRCS})
  target_include_directories(${ARG_NAME} PRIVATE ${PROJECT_SOURCE_DIR})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} GTest::gmock GTest::gtest_main)
  target_compile_options(${ARG_NAME} PRIVATE ${SPROUT_WARNINGS})
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  add_test(NAME ${ARG_NAME} COMMAND ${ARG_NAME} WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
  set_tests_properties(${ARG_NAME} PROPERTIES LABELS "${ARG_LABELS}"
    ENVIRONMENT "SPROUT_SOURCE_DIR=${PROJECT_SOURCE_DIR};SPROUT_BINARY_DIR=${PROJECT_BINARY_DIR}")
endfunction()
