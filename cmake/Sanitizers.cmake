# Applies REAPI_SANITIZE to everything built after this point (tests run under it in CI).
if(REAPI_SANITIZE)
  add_compile_options(-fsanitize=${REAPI_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${REAPI_SANITIZE})
endif()
