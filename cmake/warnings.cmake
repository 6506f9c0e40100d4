# Warnings are errors on every compiler we support (gcc, clang).
set(LIBSIGN_WARNINGS
  -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
  -Wformat=2 -Wundef -Wvla -Wpointer-arith)
# -Wconversion is applied to library sources only (tests compare ints freely).
set(LIBSIGN_LIBRARY_WARNINGS ${LIBSIGN_WARNINGS} -Wconversion)
