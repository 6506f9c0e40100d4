/**
 * @file
 * libsign: error reporting.
 *
 * Every failing call stores a message in thread-local storage before it
 * returns its status code, so each thread sees the error of its own last
 * failing call. The status code returned is what tells success from
 * failure: a successful call does not reliably clear the stored error (most
 * leave it, a few clear it), so read it right after the call that failed.
 * These functions never fail and are thread-safe (each thread has its own
 * error).
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
 * In English (names quoted in it are UTF-8), at most 1023 bytes: longer
 * messages are cut. The outer operation comes first ("PDF signing: ...").
 * Contains no secrets (PINs and passwords are never stored).
 * @return "no error" when there is none; never NULL. The string is owned by
 *         libsign (do not free it) and stays valid until this thread's next
 *         libsign call, which may overwrite it: copy it to keep it.
 */
LSIGN_EXTERN const char *lsign_last_error(void);

/**
 * Status code of this thread's last failing call.
 * @return a negative LSIGN_E_* code, or LSIGN_OK when there is none (no
 *         failure since the thread started or the error was cleared).
 */
LSIGN_EXTERN int lsign_last_error_code(void);

/**
 * Forget this thread's last error: lsign_last_error() then gives "no error"
 * and lsign_last_error_code() LSIGN_OK. Other threads' errors are untouched.
 */
LSIGN_EXTERN void lsign_error_clear(void);

#ifdef __cplusplus
}
#endif

#endif
