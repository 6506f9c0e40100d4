/* Strict UTF-8 decoding (RFC 3629): no overlong forms, surrogates or code points past U+10FFFF. */
#ifndef LSI_CORE_UTF8_H
#define LSI_CORE_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Decodes the sequence at s[*i] into *cp and advances *i; 0 when it is not valid UTF-8. */
int lsi_utf8_next(const unsigned char *s, size_t len, size_t *i, uint32_t *cp);

/* LSIGN_OK when `len` bytes of `s` are valid UTF-8, else LSIGN_E_INVALID_ARG naming the byte. */
int lsi_utf8_check(const char *s, size_t len);

#endif
