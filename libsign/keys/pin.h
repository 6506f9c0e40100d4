/*
 * PIN and password sources. A PIN lives only in an lsi_pin: a page of its
 * own, locked in memory, excluded from core dumps, wiped when released.
 */
#ifndef LSI_KEYS_PIN_H
#define LSI_KEYS_PIN_H

#include <stddef.h>

#include "libsign/signer.h"

#define LSI_PIN_MAX 256

typedef struct lsi_pin {
    char *text; /* NUL-terminated, `len` bytes */
    size_t len;
} lsi_pin;

/* Where PINs come from: a spec ("env:VAR", "file:PATH", "prompt"), a callback, or a fixed value. */
typedef struct lsi_pin_source lsi_pin_source;

/*
 * Builds a source from the caller's spec and callback, falling back to a
 * URI's pin-source spec or pin-value (may be NULL). Checks the spec's syntax
 * only; nothing is read yet.
 */
int lsi_pin_source_new(lsi_pin_source **out, const char *spec, lsign_pin_fn fn, void *userdata,
                       const char *uri_spec, const char *uri_value, size_t uri_value_len);
void lsi_pin_source_free(lsi_pin_source *src);

/* Whether the source has anything to ask at all. */
int lsi_pin_source_present(const lsi_pin_source *src);

/*
 * Obtains a PIN. `what` names what it is for ("PIN for token 'x'"); flags
 * are LSIGN_PIN_*. Returns LSIGN_OK, LSIGN_E_PIN (no source, cancelled, no
 * TTY, unset variable), LSIGN_E_IO (unreadable file) or LSIGN_E_NOMEM.
 * On success the caller releases `pin` with lsi_pin_clear().
 */
int lsi_pin_get(const lsi_pin_source *src, const char *what, unsigned int flags, lsi_pin *pin);

/* Wipes and releases a PIN; safe on a cleared one. */
void lsi_pin_clear(lsi_pin *pin);

#endif
