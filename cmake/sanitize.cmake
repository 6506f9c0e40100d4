# LIBSIGN_SANITIZE=address,undefined builds everything with those sanitizers;
# any report is fatal, so a test with a finding fails.
if(LIBSIGN_SANITIZE)
  set(LIBSIGN_SANITIZE_FLAGS
    -fsanitize=${LIBSIGN_SANITIZE} -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_compile_options(${LIBSIGN_SANITIZE_FLAGS})
  add_link_options(-fsanitize=${LIBSIGN_SANITIZE})
endif()
