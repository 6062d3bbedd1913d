# version.cmake — run at every build (cmake -P): writes OUT, the header of the build's version and
# commit, from `git describe` when SRC is a git checkout, else FALLBACK (the project version of a
# release tarball). OUT is rewritten only when its text changes, so that a build at the same
# commit recompiles nothing.
#   -DSRC=<source tree> -DOUT=<header> -DFALLBACK=<project version> -DGIT=<git executable>
set(version "${FALLBACK}")
set(commit "")
if(GIT AND EXISTS "${SRC}/.git")
  execute_process(COMMAND "${GIT}" rev-parse HEAD WORKING_DIRECTORY "${SRC}"
    OUTPUT_VARIABLE head RESULT_VARIABLE rc OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(rc EQUAL 0 AND head MATCHES "^[0-9a-f]+$")
    set(commit "${head}")
    # a release tag v<major>.<minor>.<patch> when there is one: 0.2.0, 0.2.0-5-g1234abc(-dirty)
    execute_process(COMMAND "${GIT}" describe --tags --match "v[0-9]*" --dirty
      WORKING_DIRECTORY "${SRC}" OUTPUT_VARIABLE described RESULT_VARIABLE rc
      OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    if(rc EQUAL 0)
      string(REGEX REPLACE "^v" "" version "${described}")
    else()
      # no tag yet: the project version and the commit, as describe would write them
      execute_process(COMMAND "${GIT}" describe --always --abbrev=7 --dirty
        WORKING_DIRECTORY "${SRC}" OUTPUT_VARIABLE described RESULT_VARIABLE rc
        OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
      if(rc EQUAL 0)
        set(version "${FALLBACK}-g${described}")
      endif()
    endif()
  endif()
endif()
set(text "/* hopsweep_version.h — generated at build time by cmake/version.cmake; do not edit. */
#define HS_BUILD_VERSION \"${version}\"
#define HS_BUILD_COMMIT \"${commit}\"
")
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
else()
  set(old "")
endif()
if(NOT old STREQUAL text)
  file(WRITE "${OUT}" "${text}")
endif()
