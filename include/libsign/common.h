/**
 * @file
 * libsign: common definitions shared by every public header.
 *
 * Conventions (see README.md, "API conventions"):
 *  - every exported symbol starts with lsign_;
 *  - functions return an int status: LSIGN_OK (0) or a negative LSIGN_E_*
 *    category (an ::lsign_status); lsign_last_error() then explains the
 *    failure in words;
 *  - handles are opaque, created by lsign_X_new() (or _open()) and released
 *    by lsign_X_free(), which accepts NULL;
 *  - option structs start with `unsigned int version` and are initialised
 *    with LSIGN_*_OPTIONS_INIT or lsign_*_options_init(); later versions
 *    only append fields;
 *  - enumerations are passed as `int`; their values never change.
 */
#ifndef LIBSIGN_COMMON_H
#define LIBSIGN_COMMON_H

#include <stdint.h>

#include "libsign/version.h"

/**
 * @def LSIGN_EXTERN
 * Marks a function exported by libsign (the library is built with
 * -fvisibility=hidden and defines LSIGN_BUILDING). For users it is plain
 * `extern`; there is no need to use it.
 */
#if defined(LSIGN_BUILDING)
#define LSIGN_EXTERN extern __attribute__((visibility("default")))
#else
#define LSIGN_EXTERN extern
#endif

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Status codes: what every int-returning function gives back. Values are
 * part of the ABI and never change; any negative value is a failure.
 * lsign_strerror() names a code, lsign_last_error() explains the failure.
 */
typedef enum lsign_status {
    LSIGN_OK = 0,             /**< success */
    LSIGN_E_INVALID_ARG = -1, /**< a caller passed a bad argument or option */
    LSIGN_E_IO = -2,          /**< a file or stream could not be read or written */
    LSIGN_E_PARSE = -3,       /**< input is malformed (PDF, XML, DER, URI, ...) */
    LSIGN_E_UNSUPPORTED = -4, /**< valid input using a feature libsign lacks */
    LSIGN_E_KEY = -5,         /**< key or certificate unusable or not found */
    LSIGN_E_TOKEN = -6,       /**< PKCS#11 module or token failure */
    LSIGN_E_PIN = -7,         /**< PIN wrong, missing, or token locked */
    LSIGN_E_CRYPTO = -8,      /**< a cryptographic operation failed */
    LSIGN_E_NETWORK = -9,     /**< TSA/OCSP/CRL/HTTP request failed */
    LSIGN_E_POLICY = -10,     /**< refused by policy (expired cert, trust, ...) */
    LSIGN_E_NOMEM = -11,      /**< out of memory */
    LSIGN_E_LIMIT = -12       /**< a configured limit against hostile input was hit */
} lsign_status;

/**
 * Short, fixed English name of a status category, e.g. "parse error".
 * Thread-safe.
 * @param status an ::lsign_status value (any int is accepted).
 * @return a static string, never NULL: "success" for LSIGN_OK, "unknown
 *         error" for a code this library does not know. Do not free it.
 */
LSIGN_EXTERN const char *lsign_strerror(int status);

/**
 * Version of the library running, as a string, e.g. "1.0.0". It may be
 * newer than the headers a program was compiled with (LSIGN_VERSION_STRING).
 * Thread-safe.
 * @return a static "MAJOR.MINOR.PATCH" string, never NULL. Do not free it.
 */
LSIGN_EXTERN const char *lsign_version(void);

/**
 * Version of the library running, as a number encoded as
 * LSIGN_VERSION_NUMBER: 0xMMmmpp. A program can check at run time that the
 * library is not older than the headers it was built with:
 * `lsign_version_number() >= LSIGN_VERSION_NUMBER`. Thread-safe.
 * @return (major << 16) | (minor << 8) | patch.
 */
LSIGN_EXTERN unsigned int lsign_version_number(void);

/**
 * Release a string that libsign allocated for the caller: one returned
 * through a `char **` parameter, e.g. by lsign_report_json(). Never pass a
 * `const char *` that an accessor returned (those belong to their object)
 * or memory the caller allocated. Thread-safe.
 * @param s the string, taken over and freed; NULL is accepted.
 */
LSIGN_EXTERN void lsign_free_string(char *s);

#ifdef __cplusplus
}
#endif

#endif
