/**
 * @file
 * libsign: common definitions shared by every public header.
 *
 * Conventions (see README.md, "API conventions"):
 *  - every exported symbol starts with lsign_;
 *  - functions return an int status: LSIGN_OK (0) or a negative LSIGN_E_*
 *    category; lsign_last_error() then explains the failure in words;
 *  - handles are opaque, created by lsign_X_new() and released by
 *    lsign_X_free(), which accepts NULL;
 *  - option structs start with `unsigned int version` and are initialised
 *    with LSIGN_*_OPTIONS_INIT or lsign_*_options_init().
 */
#ifndef LIBSIGN_COMMON_H
#define LIBSIGN_COMMON_H

#include <stdint.h>

#include "libsign/version.h"

/* Marks exported functions; the library is built with -fvisibility=hidden. */
#if defined(LSIGN_BUILDING)
#define LSIGN_EXTERN extern __attribute__((visibility("default")))
#else
#define LSIGN_EXTERN extern
#endif

#ifdef __cplusplus
extern "C" {
#endif

/** Status codes. Values are part of the ABI and never change. */
typedef enum lsign_status {
    LSIGN_OK = 0,
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
 * Never NULL; unknown codes give "unknown error". Thread-safe.
 */
LSIGN_EXTERN const char *lsign_strerror(int status);

/** Library version as a string, e.g. "0.1.0". Thread-safe. */
LSIGN_EXTERN const char *lsign_version(void);

/** Library version as LSIGN_VERSION_NUMBER: 0xMMmmpp. Thread-safe. */
LSIGN_EXTERN unsigned int lsign_version_number(void);

/**
 * Release a string that libsign allocated for the caller (e.g. by
 * lsign_report_json()); NULL is accepted.
 */
LSIGN_EXTERN void lsign_free_string(char *s);

#ifdef __cplusplus
}
#endif

#endif
