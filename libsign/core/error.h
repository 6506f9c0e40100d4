/* Internal error helpers: set the thread-local error and return its code. */
#ifndef LSI_CORE_ERROR_H
#define LSI_CORE_ERROR_H

#include <stdarg.h>

#include "libsign/error.h"

#define LSI_PRINTF(fmt_index, first_arg) __attribute__((format(printf, fmt_index, first_arg)))

/* Sets this thread's error to `code` and the formatted message; returns code. */
int lsi_error(int code, const char *fmt, ...) LSI_PRINTF(2, 3);
int lsi_verror(int code, const char *fmt, va_list ap) LSI_PRINTF(2, 0);

/*
 * As lsi_error(), then appends ": <reason>" from OpenSSL's error queue (the
 * innermost reason) when it has one, and empties the queue.
 */
int lsi_error_openssl(int code, const char *fmt, ...) LSI_PRINTF(2, 3);

/* lsi_error(LSIGN_E_NOMEM, ...) with a fixed message. */
int lsi_error_nomem(void);

/*
 * Prefixes the current message with context, "prefix: old message", and
 * returns the current code, so callers can add where a failure happened.
 */
int lsi_error_wrap(const char *fmt, ...) LSI_PRINTF(1, 2);

#endif
