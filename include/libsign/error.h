/**
 * @file
 * libsign: error reporting.
 *
 * Every failing call stores a message in thread-local storage before it
 * returns its status code, so each thread sees the error of its own last
 * failing call. A successful call does not clear it.
 */
#ifndef LIBSIGN_ERROR_H
#define LIBSIGN_ERROR_H

#include "libsign/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Message of this thread's last failing call, e.g.
 * "trust anchors: cannot open '/etc/x.pem': No such file or directory".
 * Never NULL ("no error" when none). The pointer stays valid until this
 * thread's next libsign call. Contains no secrets (PINs are never stored).
 */
LSIGN_EXTERN const char *lsign_last_error(void);

/** Status code of this thread's last failing call, LSIGN_OK when none. */
LSIGN_EXTERN int lsign_last_error_code(void);

/** Forget this thread's last error. */
LSIGN_EXTERN void lsign_error_clear(void);

#ifdef __cplusplus
}
#endif

#endif
