#include "core/utf8.h"

#include "core/error.h"

int lsi_utf8_next(const unsigned char *s, size_t len, size_t *i, uint32_t *cp)
{
    static const uint32_t min_by_len[] = {0, 0, 0x80, 0x800, 0x10000};
    unsigned char c = s[*i];
    size_t n = c < 0x80             ? 1
               : (c & 0xE0) == 0xC0 ? 2
               : (c & 0xF0) == 0xE0 ? 3
               : (c & 0xF8) == 0xF0 ? 4
                                    : 0;
    uint32_t v;

    if (n == 0 || *i + n > len)
        return 0;
    v = n == 1 ? c : c & (0xFFu >> (n + 1));
    for (size_t k = 1; k < n; k++) {
        if ((s[*i + k] & 0xC0) != 0x80)
            return 0;
        v = v << 6 | (s[*i + k] & 0x3Fu);
    }
    if ((n > 1 && v < min_by_len[n]) || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *i += n;
    *cp = v;
    return 1;
}

int lsi_utf8_check(const char *s, size_t len)
{
    uint32_t cp;

    for (size_t i = 0; i < len;)
        if (!lsi_utf8_next((const unsigned char *)s, len, &i, &cp))
            return lsi_error(LSIGN_E_INVALID_ARG, "not valid UTF-8 at byte %zu", i);
    return LSIGN_OK;
}
