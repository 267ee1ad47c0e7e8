# Project code builds with -Wall -Wextra (and -Werror under REAPI_WERROR, as CI sets it).
# Generated protobuf code is compiled without these flags.
set(REAPI_WARNING_FLAGS -Wall -Wextra -Wpedantic)
if(REAPI_WERROR)
  list(APPEND REAPI_WARNING_FLAGS -Werror)
endif()

function(reapi_warnings target)
  target_compile_options(${target} PRIVATE ${REAPI_WARNING_FLAGS})
endfunction()
