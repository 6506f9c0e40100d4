/* MAP_ANONYMOUS, MADV_DONTDUMP and mlock are outside POSIX.1-2008. */
#define _DEFAULT_SOURCE
#include "keys/pin.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "core/error.h"

enum source_kind {
    SOURCE_NONE,
    SOURCE_ENV,
    SOURCE_FILE,
    SOURCE_PROMPT,
    SOURCE_CALLBACK,
    SOURCE_VALUE
};

struct lsi_pin_source {
    enum source_kind kind;
    char *arg; /* variable name or path */
    lsign_pin_fn fn;
    void *userdata;
    lsi_pin fixed; /* SOURCE_VALUE: a copy of the URI's pin-value */
};

/* A whole page for the PIN: mlock'd and MADV_DONTDUMP so it never reaches swap or a core. */
static int pin_alloc(lsi_pin *pin)
{
    long page = sysconf(_SC_PAGESIZE);
    size_t size = page > LSI_PIN_MAX ? (size_t)page : LSI_PIN_MAX + 1;
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    pin->len = 0;
    pin->text = NULL;
    if (p == MAP_FAILED)
        return lsi_error_nomem();
#ifdef MADV_DONTDUMP
    (void)madvise(p, size, MADV_DONTDUMP);
#endif
    (void)mlock(p, size); /* best effort: RLIMIT_MEMLOCK may be small */
    pin->text = p;
    return LSIGN_OK;
}

void lsi_pin_clear(lsi_pin *pin)
{
    long page = sysconf(_SC_PAGESIZE);
    size_t size = page > LSI_PIN_MAX ? (size_t)page : LSI_PIN_MAX + 1;

    if (pin == NULL || pin->text == NULL)
        return;
    OPENSSL_cleanse(pin->text, size);
    (void)munlock(pin->text, size);
    munmap(pin->text, size);
    pin->text = NULL;
    pin->len = 0;
}

static int set_pin(lsi_pin *pin, const char *text, size_t len)
{
    if (len > LSI_PIN_MAX)
        return lsi_error(LSIGN_E_PIN, "PIN is longer than %d bytes", LSI_PIN_MAX);
    if (pin_alloc(pin) != LSIGN_OK)
        return LSIGN_E_NOMEM;
    memcpy(pin->text, text, len);
    pin->text[len] = '\0';
    pin->len = len;
    return LSIGN_OK;
}

static int parse_spec(lsi_pin_source *src, const char *spec)
{
    if (strncmp(spec, "env:", 4) == 0 && spec[4] != '\0') {
        src->kind = SOURCE_ENV;
        src->arg = strdup(spec + 4);
    } else if (strncmp(spec, "file:", 5) == 0 && spec[5] != '\0') {
        src->kind = SOURCE_FILE;
        src->arg = strdup(spec + 5);
    } else if (strcmp(spec, "prompt") == 0) {
        src->kind = SOURCE_PROMPT;
        return LSIGN_OK;
    } else {
        /* The spec itself may be a mistyped PIN: do not echo it. */
        return lsi_error(LSIGN_E_INVALID_ARG,
                         "PIN source must be env:VARIABLE, file:PATH or prompt");
    }
    return src->arg != NULL ? LSIGN_OK : lsi_error_nomem();
}

int lsi_pin_source_new(lsi_pin_source **out, const char *spec, lsign_pin_fn fn, void *userdata,
                       const char *uri_spec, const char *uri_value, size_t uri_value_len)
{
    lsi_pin_source *src = calloc(1, sizeof *src);
    int rc = LSIGN_OK;

    *out = NULL;
    if (src == NULL)
        return lsi_error_nomem();
    if (spec != NULL) {
        rc = parse_spec(src, spec);
    } else if (fn != NULL) {
        src->kind = SOURCE_CALLBACK;
        src->fn = fn;
        src->userdata = userdata;
    } else if (uri_spec != NULL) {
        rc = parse_spec(src, uri_spec);
    } else if (uri_value != NULL) {
        src->kind = SOURCE_VALUE;
        rc = set_pin(&src->fixed, uri_value, uri_value_len);
    }
    if (rc != LSIGN_OK) {
        lsi_pin_source_free(src);
        return rc;
    }
    *out = src;
    return LSIGN_OK;
}

void lsi_pin_source_free(lsi_pin_source *src)
{
    if (src == NULL)
        return;
    lsi_pin_clear(&src->fixed);
    free(src->arg);
    free(src);
}

int lsi_pin_source_present(const lsi_pin_source *src)
{
    return src != NULL && src->kind != SOURCE_NONE;
}

/* Strips one trailing "\n" or "\r\n", as files written by editors and echo have. */
static size_t strip_newline(const char *text, size_t len)
{
    if (len > 0 && text[len - 1] == '\n')
        len--;
    if (len > 0 && text[len - 1] == '\r')
        len--;
    return len;
}

static int pin_from_env(const lsi_pin_source *src, lsi_pin *pin)
{
    const char *value = getenv(src->arg);

    if (value == NULL)
        return lsi_error(LSIGN_E_PIN, "PIN source: environment variable %s is not set", src->arg);
    return set_pin(pin, value, strlen(value));
}

static int pin_from_file(const lsi_pin_source *src, lsi_pin *pin)
{
    int fd = open(src->arg, O_RDONLY | O_CLOEXEC);
    ssize_t n;
    int rc;

    if (fd < 0)
        return lsi_error(LSIGN_E_IO, "PIN source: cannot open '%s': %s", src->arg, strerror(errno));
    rc = pin_alloc(pin);
    if (rc != LSIGN_OK) {
        close(fd);
        return rc;
    }
    /* Read one byte more than allowed, to tell a too-long file from a full one. */
    n = read(fd, pin->text, LSI_PIN_MAX + 1);
    close(fd);
    if (n < 0) {
        lsi_pin_clear(pin);
        return lsi_error(LSIGN_E_IO, "PIN source: cannot read '%s'", src->arg);
    }
    pin->len = strip_newline(pin->text, (size_t)n);
    if (pin->len > LSI_PIN_MAX) {
        lsi_pin_clear(pin);
        return lsi_error(LSIGN_E_PIN, "PIN source: '%s' holds more than %d bytes", src->arg,
                         LSI_PIN_MAX);
    }
    pin->text[pin->len] = '\0';
    return LSIGN_OK;
}

static int pin_from_tty(const char *what, lsi_pin *pin)
{
    int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
    struct termios saved, quiet;
    ssize_t n;
    int rc;

    if (fd < 0)
        return lsi_error(LSIGN_E_PIN,
                         "%s: no terminal to ask on; give a PIN source "
                         "(env:VARIABLE or file:PATH)",
                         what);
    if (tcgetattr(fd, &saved) != 0) {
        close(fd);
        return lsi_error(LSIGN_E_PIN, "%s: cannot turn off echo on the terminal", what);
    }
    quiet = saved;
    quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
    quiet.c_lflag |= ICANON;
    rc = pin_alloc(pin);
    if (rc == LSIGN_OK && tcsetattr(fd, TCSAFLUSH, &quiet) == 0) {
        dprintf(fd, "%s: ", what);
        n = read(fd, pin->text, LSI_PIN_MAX + 1);
        (void)tcsetattr(fd, TCSAFLUSH, &saved);
        dprintf(fd, "\n");
        if (n < 0 || (pin->len = strip_newline(pin->text, (size_t)n)) > LSI_PIN_MAX) {
            lsi_pin_clear(pin);
            rc = lsi_error(LSIGN_E_PIN, "%s: no PIN read from the terminal", what);
        } else {
            pin->text[pin->len] = '\0';
        }
    } else if (rc == LSIGN_OK) {
        lsi_pin_clear(pin);
        rc = lsi_error(LSIGN_E_PIN, "%s: cannot turn off echo on the terminal", what);
    }
    close(fd);
    return rc;
}

static int pin_from_callback(const lsi_pin_source *src, const char *what, unsigned int flags,
                             lsi_pin *pin)
{
    size_t len = 0;
    int rc = pin_alloc(pin);

    if (rc != LSIGN_OK)
        return rc;
    if (src->fn(what, flags, pin->text, LSI_PIN_MAX, &len, src->userdata) != 0) {
        lsi_pin_clear(pin);
        return lsi_error(LSIGN_E_PIN, "%s: cancelled by the PIN callback", what);
    }
    if (len > LSI_PIN_MAX) {
        lsi_pin_clear(pin);
        return lsi_error(LSIGN_E_PIN, "%s: PIN callback returned %zu bytes, more than %d", what,
                         len, LSI_PIN_MAX);
    }
    pin->len = len;
    pin->text[len] = '\0';
    return LSIGN_OK;
}

int lsi_pin_get(const lsi_pin_source *src, const char *what, unsigned int flags, lsi_pin *pin)
{
    pin->text = NULL;
    pin->len = 0;
    switch (src != NULL ? src->kind : SOURCE_NONE) {
    case SOURCE_ENV: return pin_from_env(src, pin);
    case SOURCE_FILE: return pin_from_file(src, pin);
    case SOURCE_PROMPT: return pin_from_tty(what, pin);
    case SOURCE_CALLBACK: return pin_from_callback(src, what, flags, pin);
    case SOURCE_VALUE: return set_pin(pin, src->fixed.text, src->fixed.len);
    default: return lsi_error(LSIGN_E_PIN, "%s is needed but no PIN source was given", what);
    }
}
