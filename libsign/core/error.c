#include "core/error.h"

#include <stdio.h>
#include <string.h>

#include <openssl/err.h>

#define LSI_ERROR_MAX 1024

struct error_state {
    int code;
    char message[LSI_ERROR_MAX];
};

/* One per thread: each thread reads back the failure of its own last call. */
static _Thread_local struct error_state tls_error;

const char *lsign_last_error(void)
{
    return tls_error.code == LSIGN_OK ? "no error" : tls_error.message;
}

int lsign_last_error_code(void)
{
    return tls_error.code;
}

void lsign_error_clear(void)
{
    tls_error.code = LSIGN_OK;
    tls_error.message[0] = '\0';
}

int lsi_verror(int code, const char *fmt, va_list ap)
{
    char buf[LSI_ERROR_MAX];

    /* Format into a copy first: callers may pass lsign_last_error() as an arg. */
    vsnprintf(buf, sizeof buf, fmt, ap);
    memcpy(tls_error.message, buf, sizeof buf);
    tls_error.code = code;
    return code;
}

int lsi_error(int code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    lsi_verror(code, fmt, ap);
    va_end(ap);
    return code;
}

static void append(const char *text)
{
    size_t used = strlen(tls_error.message);

    snprintf(tls_error.message + used, sizeof tls_error.message - used, "%s", text);
}

int lsi_error_openssl(int code, const char *fmt, ...)
{
    va_list ap;
    unsigned long last = 0, e;

    va_start(ap, fmt);
    lsi_verror(code, fmt, ap);
    va_end(ap);

    while ((e = ERR_get_error()) != 0)
        last = e;
    if (last != 0) {
        const char *reason = ERR_reason_error_string(last);
        char buf[256];

        if (reason == NULL) {
            ERR_error_string_n(last, buf, sizeof buf);
            reason = buf;
        }
        append(": ");
        append(reason);
    }
    return code;
}

int lsi_error_nomem(void)
{
    return lsi_error(LSIGN_E_NOMEM, "out of memory");
}

int lsi_error_wrap(const char *fmt, ...)
{
    char prefix[LSI_ERROR_MAX];
    char old[LSI_ERROR_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, tls_error.message, sizeof old);
    /* Truncation is fine: the message is for people and stays terminated. */
    memcpy(tls_error.message, prefix, sizeof prefix);
    append(": ");
    append(old);
    return tls_error.code;
}

const char *lsign_strerror(int status)
{
    switch (status) {
    case LSIGN_OK: return "success";
    case LSIGN_E_INVALID_ARG: return "invalid argument";
    case LSIGN_E_IO: return "input/output error";
    case LSIGN_E_PARSE: return "parse error";
    case LSIGN_E_UNSUPPORTED: return "unsupported feature";
    case LSIGN_E_KEY: return "key or certificate error";
    case LSIGN_E_TOKEN: return "token error";
    case LSIGN_E_PIN: return "PIN error";
    case LSIGN_E_CRYPTO: return "cryptographic error";
    case LSIGN_E_NETWORK: return "network error";
    case LSIGN_E_POLICY: return "refused by policy";
    case LSIGN_E_NOMEM: return "out of memory";
    case LSIGN_E_LIMIT: return "limit exceeded";
    default: return "unknown error";
    }
}
