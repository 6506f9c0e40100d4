/* RFC 7512 PKCS#11 URI parser; the rules and why are in p11uri.h. */
#include "keys/p11uri.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "core/error.h"
#include "core/strbuf.h"

#define PREFIX     "PKCS#11 URI: "
#define SCHEME     "pkcs11:"
#define SCHEME_LEN (sizeof SCHEME - 1)
/* Names quoted from the input in messages are cut here: enough to recognise a typo. */
#define MAX_SHOWN_NAME 64

enum component { PATH, QUERY };

/* How an attribute's decoded value is checked and stored. */
enum kind {
    KIND_TEXT,        /* NUL-free UTF-8, in a char * member */
    KIND_TYPE,        /* text: one of the five object classes, stored in lower case */
    KIND_VERSION,     /* text: "M" or "M.m" */
    KIND_MODULE_PATH, /* text: an absolute path */
    KIND_SECRET,      /* text never shown in messages or output: pin-value */
    KIND_ID,          /* raw bytes in id/id_len/has_id */
    KIND_SLOT_ID,     /* a decimal number in slot_id/has_slot_id */
};

struct attr {
    const char *name;
    enum component where;
    enum kind kind;
    size_t field; /* offsetof the char * member; unused for KIND_ID and KIND_SLOT_ID */
};

#define MEMBER(m) offsetof(lsi_p11uri, m)

/* In RFC 7512's ABNF order, which is also the order of the canonical form. */
static const struct attr attrs[] = {
    {"token", PATH, KIND_TEXT, MEMBER(token)},
    {"manufacturer", PATH, KIND_TEXT, MEMBER(manufacturer)},
    {"serial", PATH, KIND_TEXT, MEMBER(serial)},
    {"model", PATH, KIND_TEXT, MEMBER(model)},
    {"library-manufacturer", PATH, KIND_TEXT, MEMBER(library_manufacturer)},
    {"library-version", PATH, KIND_VERSION, MEMBER(library_version)},
    {"library-description", PATH, KIND_TEXT, MEMBER(library_description)},
    {"object", PATH, KIND_TEXT, MEMBER(object)},
    {"type", PATH, KIND_TYPE, MEMBER(type)},
    {"id", PATH, KIND_ID, 0},
    {"slot-description", PATH, KIND_TEXT, MEMBER(slot_description)},
    {"slot-manufacturer", PATH, KIND_TEXT, MEMBER(slot_manufacturer)},
    {"slot-id", PATH, KIND_SLOT_ID, 0},
    {"pin-source", QUERY, KIND_TEXT, MEMBER(pin_source)},
    {"pin-value", QUERY, KIND_SECRET, MEMBER(pin_value)},
    {"module-name", QUERY, KIND_TEXT, MEMBER(module_name)},
    {"module-path", QUERY, KIND_MODULE_PATH, MEMBER(module_path)},
};

#define N_ATTRS (sizeof attrs / sizeof attrs[0])

static const char *const object_types[] = {"cert", "data", "private", "public", "secret-key"};

struct parser {
    const char *text; /* the whole input: offsets in messages count from its start */
    lsi_p11uri *uri;
};

/* One name=value run of the input, as offsets into parser.text. */
struct item {
    size_t start, eq, end; /* name at [start, eq), value at (eq, end) */
    enum component where;
    const struct attr *spec; /* NULL for a vendor-specific attribute */
};

/* ---- characters (ASCII only: the C locale must not change what a URI means) ---- */

static int is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static unsigned char to_lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

static int hex_value(unsigned char c)
{
    if (is_digit(c))
        return c - '0';
    c = to_lower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Characters RFC 7512 allows unencoded in a value: pk11-pchar / pk11-qchar minus pct-encoded. */
static int is_plain(unsigned char c, enum component where)
{
    if (is_alpha(c) || is_digit(c) || (c != '\0' && strchr("-._~:[]@!$'()*+,=", c) != NULL))
        return 1;
    if (where == PATH)
        return c == '&';
    return c == '/' || c == '?' || c == '|';
}

/* pk11-v-attr-nm-char, which every attribute name, standard or vendor, is made of. */
static int is_name_char(unsigned char c)
{
    return is_alpha(c) || is_digit(c) || c == '-' || c == '_';
}

static int ascii_caseeq(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (to_lower((unsigned char)a[i]) != to_lower((unsigned char)b[i]))
            return 0;
    return 1;
}

/* ---- the table ---- */

/* ABNF literals are case-insensitive (RFC 5234 section 2.3), so "TOKEN" is "token". */
static const struct attr *find_attr(const char *name, size_t len)
{
    for (size_t i = 0; i < N_ATTRS; i++)
        if (strlen(attrs[i].name) == len && ascii_caseeq(name, attrs[i].name, len))
            return &attrs[i];
    return NULL;
}

static int is_text_kind(enum kind kind)
{
    return kind != KIND_ID && kind != KIND_SLOT_ID;
}

static char **field_of(lsi_p11uri *uri, const struct attr *spec)
{
    return (char **)(void *)((char *)uri + spec->field);
}

static const char *value_of(const lsi_p11uri *uri, const struct attr *spec)
{
    return *(const char *const *)(const void *)((const char *)uri + spec->field);
}

static int is_set(const lsi_p11uri *uri, const struct attr *spec)
{
    switch (spec->kind) {
    case KIND_ID: return uri->has_id != 0;
    case KIND_SLOT_ID: return uri->has_slot_id != 0;
    default: return value_of(uri, spec) != NULL;
    }
}

/* Wipes before freeing: a value being dropped may be the PIN. */
static void wipe_free(void *p, size_t len)
{
    if (p != NULL) {
        OPENSSL_cleanse(p, len);
        free(p);
    }
}

/* ---- messages: they quote attribute names, never values ---- */

static int shown_len(const struct item *it)
{
    size_t len = it->spec != NULL ? strlen(it->spec->name) : it->eq - it->start;

    return (int)(len < MAX_SHOWN_NAME ? len : MAX_SHOWN_NAME);
}

static const char *shown_name(const struct parser *p, const struct item *it)
{
    return it->spec != NULL ? it->spec->name : p->text + it->start;
}

static int is_secret(const struct item *it)
{
    return it->spec != NULL && it->spec->kind == KIND_SECRET;
}

/* `problem` completes "attribute "NAME" at offset N ...". */
static int attr_error(const struct parser *p, const struct item *it, const char *problem)
{
    return lsi_error(LSIGN_E_PARSE, PREFIX "attribute \"%.*s\" at offset %zu %s", shown_len(it),
                     shown_name(p, it), it->start, problem);
}

/* A bad '%' or character at `at`; inside the PIN even its position stays hidden. */
static int encoding_error(const struct parser *p, const struct item *it, size_t at)
{
    unsigned char c = (unsigned char)p->text[at];

    if (is_secret(it))
        return attr_error(p, it,
                          "has a bad percent-encoding or a character that must be "
                          "percent-encoded (value hidden)");
    if (c == '%')
        return lsi_error(LSIGN_E_PARSE,
                         PREFIX "bad percent-encoding at offset %zu in attribute "
                                "\"%.*s\" (%% must be followed by two hex digits)",
                         at, shown_len(it), shown_name(p, it));
    return lsi_error(LSIGN_E_PARSE,
                     PREFIX "byte 0x%02X at offset %zu in attribute \"%.*s\" "
                            "must be percent-encoded",
                     c, at, shown_len(it), shown_name(p, it));
}

/* ---- values ---- */

/*
 * Percent-decodes the value of `it` into a new NUL-terminated buffer, checking that every
 * character is one its component allows unencoded.
 */
static int decode(const struct parser *p, const struct item *it, unsigned char **out,
                  size_t *out_len)
{
    const unsigned char *s = (const unsigned char *)p->text;
    size_t cap = it->end - it->eq, i = it->eq + 1, n = 0;
    unsigned char *buf = malloc(cap);
    int hi, lo;

    *out = NULL;
    if (buf == NULL)
        return lsi_error_nomem();
    while (i < it->end) {
        if (s[i] == '%') {
            if (it->end - i < 3 || (hi = hex_value(s[i + 1])) < 0 || (lo = hex_value(s[i + 2])) < 0)
                break;
            buf[n++] = (unsigned char)(hi << 4 | lo);
            i += 3;
        } else if (is_plain(s[i], it->where)) {
            buf[n++] = s[i++];
        } else {
            break;
        }
    }
    if (i < it->end) {
        wipe_free(buf, cap);
        return encoding_error(p, it, i);
    }
    buf[n] = '\0';
    *out = buf;
    *out_len = n;
    return LSIGN_OK;
}

/* Length of the UTF-8 sequence `s` starts (RFC 3629), or 0 when it is not valid UTF-8. */
static size_t utf8_sequence(const unsigned char *s, size_t avail)
{
    size_t n;
    unsigned long cp, min;

    if (s[0] < 0x80)
        return 1;
    if ((s[0] & 0xE0) == 0xC0) {
        n = 2;
        cp = s[0] & 0x1Fu;
        min = 0x80;
    } else if ((s[0] & 0xF0) == 0xE0) {
        n = 3;
        cp = s[0] & 0x0Fu;
        min = 0x800;
    } else if ((s[0] & 0xF8) == 0xF0) {
        n = 4;
        cp = s[0] & 0x07u;
        min = 0x10000;
    } else {
        return 0; /* a continuation byte, or a lead byte of a form RFC 3629 removed */
    }
    if (avail < n)
        return 0;
    for (size_t k = 1; k < n; k++) {
        if ((s[k] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (s[k] & 0x3Fu);
    }
    /* Overlong forms, UTF-16 surrogates and values past Unicode are not UTF-8. */
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

static int is_utf8(const unsigned char *s, size_t len)
{
    size_t i = 0, n;

    while (i < len) {
        if ((n = utf8_sequence(s + i, len - i)) == 0)
            return 0;
        i += n;
    }
    return 1;
}

/* One CK_VERSION byte in decimal: 1*DIGIT, at most 255. */
static int is_version_byte(const char *s, size_t len)
{
    unsigned int v = 0;

    if (len == 0 || len > 3)
        return 0;
    for (size_t i = 0; i < len; i++) {
        if (!is_digit((unsigned char)s[i]))
            return 0;
        v = v * 10 + (unsigned int)(s[i] - '0');
    }
    return v <= 255;
}

/* library-version: 1*DIGIT ["." 1*DIGIT]. */
static int is_version(const char *s)
{
    const char *dot = strchr(s, '.');

    if (dot == NULL)
        return is_version_byte(s, strlen(s));
    return is_version_byte(s, (size_t)(dot - s)) && is_version_byte(dot + 1, strlen(dot + 1));
}

/* type: lower-cases `s` in place, then checks it is one of the five classes. */
static int is_object_type(char *s)
{
    for (char *c = s; *c != '\0'; c++)
        *c = (char)to_lower((unsigned char)*c);
    for (size_t i = 0; i < sizeof object_types / sizeof object_types[0]; i++)
        if (strcmp(s, object_types[i]) == 0)
            return 1;
    return 0;
}

/* slot-id: 1*DIGIT, without strtoul's leniency (spaces, signs, silent wrap to ULONG_MAX). */
static int parse_ulong(const char *s, unsigned long *out)
{
    unsigned long v = 0, d;

    if (*s == '\0')
        return 0;
    for (; *s != '\0'; s++) {
        if (!is_digit((unsigned char)*s))
            return 0;
        d = (unsigned long)(*s - '0');
        if (v > (ULONG_MAX - d) / 10)
            return 0;
        v = v * 10 + d;
    }
    *out = v;
    return 1;
}

/* The checks every text value gets, then the ones of its kind. */
static int check_text(const struct parser *p, const struct item *it, char *value, size_t len)
{
    if (memchr(value, '\0', len) != NULL)
        return attr_error(p, it, "contains a NUL byte (%00)");
    if (!is_utf8((const unsigned char *)value, len))
        return attr_error(p, it, "is not valid UTF-8");
    switch (it->spec->kind) {
    case KIND_TYPE:
        if (!is_object_type(value))
            return attr_error(p, it, "must be one of cert, data, private, public, secret-key");
        break;
    case KIND_VERSION:
        if (!is_version(value))
            return attr_error(p, it, "must be M or M.m, each a number from 0 to 255");
        break;
    case KIND_MODULE_PATH:
        if (value[0] != '/')
            return attr_error(p, it, "must be an absolute path");
        break;
    default: break;
    }
    return LSIGN_OK;
}

static int store_slot_id(const struct parser *p, const struct item *it, const char *value)
{
    char problem[96];

    if (!parse_ulong(value, &p->uri->slot_id)) {
        (void)snprintf(problem, sizeof problem, "must be a decimal number from 0 to %lu",
                       ULONG_MAX);
        return attr_error(p, it, problem);
    }
    p->uri->has_slot_id = 1;
    return LSIGN_OK;
}

/* Decodes and checks the value of a standard attribute, then keeps it in the URI. */
static int store(const struct parser *p, const struct item *it)
{
    lsi_p11uri *uri = p->uri;
    unsigned char *value = NULL;
    size_t len = 0;
    int rc = decode(p, it, &value, &len);

    if (rc != LSIGN_OK)
        return rc;
    if (it->spec->kind == KIND_ID) {
        uri->id = value;
        uri->id_len = len;
        uri->has_id = 1;
        return LSIGN_OK;
    }
    rc = check_text(p, it, (char *)value, len);
    if (rc == LSIGN_OK && it->spec->kind == KIND_SLOT_ID)
        rc = store_slot_id(p, it, (const char *)value);
    /* slot-id keeps the number, not its text. */
    if (rc != LSIGN_OK || it->spec->kind == KIND_SLOT_ID) {
        wipe_free(value, len);
        return rc;
    }
    *field_of(uri, it->spec) = (char *)value;
    if (it->spec->kind == KIND_SECRET)
        uri->pin_value_len = len;
    return LSIGN_OK;
}

/* ---- attributes and components ---- */

/* RFC 7512 section 2.4: a URI with both PIN attributes should be refused. */
static const char *conflicting_attr(const lsi_p11uri *uri, const struct attr *spec)
{
    if (strcmp(spec->name, "pin-value") == 0 && uri->pin_source != NULL)
        return "pin-source";
    if (strcmp(spec->name, "pin-source") == 0 && uri->pin_value != NULL)
        return "pin-value";
    return NULL;
}

static int vendor_attr(const struct parser *p, const struct item *it)
{
    unsigned char *value = NULL;
    size_t len = 0;
    int rc;

    if (it->where == PATH)
        return lsi_error(LSIGN_E_PARSE,
                         PREFIX "unknown attribute \"%.*s\" at offset %zu (a URI "
                                "with an unrecognised path attribute matches nothing, RFC 7512 "
                                "section 2.5)",
                         shown_len(it), shown_name(p, it), it->start);
    /* Ignored, but still held to the grammar so that the whole URI is well-formed. */
    rc = decode(p, it, &value, &len);
    wipe_free(value, len);
    return rc;
}

static int standard_attr(const struct parser *p, const struct item *it)
{
    const char *other = conflicting_attr(p->uri, it->spec);
    char problem[96];

    if (it->spec->where != it->where)
        return attr_error(p, it,
                          it->spec->where == QUERY ? "belongs in the query (after '?')"
                                                   : "belongs in the path (before '?')");
    if (is_set(p->uri, it->spec))
        return lsi_error(LSIGN_E_PARSE,
                         PREFIX "attribute \"%s\" appears twice (again at offset %zu)",
                         it->spec->name, it->start);
    if (other != NULL) {
        (void)snprintf(problem, sizeof problem, "conflicts with \"%s\": give one of the two",
                       other);
        return attr_error(p, it, problem);
    }
    return store(p, it);
}

/* One name=value run, text[start, end). */
static int parse_item(const struct parser *p, size_t start, size_t end, enum component where)
{
    struct item it = {start, 0, end, where, NULL};
    const char *eq = memchr(p->text + start, '=', end - start);

    if (start == end)
        return lsi_error(LSIGN_E_PARSE,
                         PREFIX "empty attribute at offset %zu (two '%c' in a "
                                "row, or one at an end)",
                         start, where == PATH ? ';' : '&');
    if (eq == NULL)
        return lsi_error(LSIGN_E_PARSE,
                         PREFIX "attribute at offset %zu has no '=' (expected "
                                "name=value)",
                         start);
    it.eq = (size_t)(eq - p->text);
    if (it.eq == start)
        return lsi_error(LSIGN_E_PARSE, PREFIX "attribute name missing before '=' at offset %zu",
                         start);
    for (size_t i = start; i < it.eq; i++)
        if (!is_name_char((unsigned char)p->text[i]))
            return lsi_error(LSIGN_E_PARSE,
                             PREFIX "invalid attribute name at offset %zu (only "
                                    "letters, digits, '-' and '_')",
                             start);
    it.spec = find_attr(p->text + start, it.eq - start);
    return it.spec != NULL ? standard_attr(p, &it) : vendor_attr(p, &it);
}

/* The attributes of one component, text[start, end), which may be empty as a whole. */
static int parse_component(const struct parser *p, size_t start, size_t end, enum component where)
{
    char sep = where == PATH ? ';' : '&';
    const char *hit;
    size_t stop;
    int rc;

    if (start == end)
        return LSIGN_OK;
    for (;;) {
        hit = memchr(p->text + start, sep, end - start);
        stop = hit != NULL ? (size_t)(hit - p->text) : end;
        rc = parse_item(p, start, stop, where);
        if (rc != LSIGN_OK || hit == NULL)
            return rc;
        start = stop + 1;
    }
}

int lsi_p11uri_parse(const char *text, lsi_p11uri **out)
{
    struct parser p = {text, NULL};
    const char *mark;
    size_t len, query;
    int rc;

    if (out != NULL)
        *out = NULL;
    if (text == NULL || out == NULL)
        return lsi_error(LSIGN_E_INVALID_ARG, PREFIX "%s is NULL", text == NULL ? "text" : "out");
    len = strnlen(text, LSI_P11URI_MAX_LEN + 1);
    if (len > LSI_P11URI_MAX_LEN)
        return lsi_error(LSIGN_E_LIMIT, PREFIX "longer than %zu bytes", LSI_P11URI_MAX_LEN);
    if (len < SCHEME_LEN || !ascii_caseeq(text, SCHEME, SCHEME_LEN))
        return lsi_error(LSIGN_E_PARSE, PREFIX "must start with \"pkcs11:\" (at offset 0)");
    p.uri = calloc(1, sizeof *p.uri);
    if (p.uri == NULL)
        return lsi_error_nomem();
    mark = memchr(text + SCHEME_LEN, '?', len - SCHEME_LEN);
    query = mark != NULL ? (size_t)(mark - text) : len;
    rc = parse_component(&p, SCHEME_LEN, query, PATH);
    if (rc == LSIGN_OK && mark != NULL)
        rc = parse_component(&p, query + 1, len, QUERY);
    if (rc != LSIGN_OK) {
        lsi_p11uri_free(p.uri);
        return rc;
    }
    *out = p.uri;
    return LSIGN_OK;
}

void lsi_p11uri_free(lsi_p11uri *uri)
{
    if (uri == NULL)
        return;
    /* strlen, not pin_value_len: covers the PIN even if a caller set it by hand. */
    if (uri->pin_value != NULL)
        OPENSSL_cleanse(uri->pin_value, strlen(uri->pin_value));
    for (size_t i = 0; i < N_ATTRS; i++)
        if (is_text_kind(attrs[i].kind))
            free(*field_of(uri, &attrs[i]));
    free(uri->id);
    free(uri);
}

/* ---- canonical form ---- */

/* Percent-encodes what the component needs encoded (`all`: every byte, as ids are written). */
static void sb_encode(lsi_strbuf *b, const unsigned char *s, size_t n, enum component where,
                      int all)
{
    static const char hex[] = "0123456789ABCDEF";
    char enc[3] = {'%', 0, 0};

    for (size_t i = 0; i < n; i++) {
        if (!all && is_plain(s[i], where)) {
            lsi_strbuf_add(b, (const char *)&s[i], 1);
            continue;
        }
        enc[1] = hex[s[i] >> 4];
        enc[2] = hex[s[i] & 0x0F];
        lsi_strbuf_add(b, enc, sizeof enc);
    }
}

static void sb_value(lsi_strbuf *b, const lsi_p11uri *uri, const struct attr *spec)
{
    char number[3 * sizeof(unsigned long) + 1];
    const char *text;

    switch (spec->kind) {
    case KIND_ID: sb_encode(b, uri->id, uri->id_len, spec->where, 1); break;
    case KIND_SECRET: lsi_strbuf_puts(b, "<hidden>"); break;
    case KIND_SLOT_ID:
        (void)snprintf(number, sizeof number, "%lu", uri->slot_id);
        lsi_strbuf_puts(b, number);
        break;
    default:
        text = value_of(uri, spec);
        sb_encode(b, (const unsigned char *)text, strlen(text), spec->where, 0);
        break;
    }
}

static void sb_component(lsi_strbuf *b, const lsi_p11uri *uri, enum component where)
{
    const char *sep = "";

    for (size_t i = 0; i < N_ATTRS; i++) {
        if (attrs[i].where != where || !is_set(uri, &attrs[i]))
            continue;
        lsi_strbuf_puts(b, sep);
        lsi_strbuf_puts(b, attrs[i].name);
        lsi_strbuf_puts(b, "=");
        sb_value(b, uri, &attrs[i]);
        sep = where == PATH ? ";" : "&";
    }
}

static int has_query(const lsi_p11uri *uri)
{
    for (size_t i = 0; i < N_ATTRS; i++)
        if (attrs[i].where == QUERY && is_set(uri, &attrs[i]))
            return 1;
    return 0;
}

char *lsi_p11uri_to_string(const lsi_p11uri *uri)
{
    lsi_strbuf b = {0};
    char *text;

    if (uri == NULL) {
        lsi_error(LSIGN_E_INVALID_ARG, PREFIX "uri is NULL");
        return NULL;
    }
    lsi_strbuf_puts(&b, SCHEME);
    sb_component(&b, uri, PATH);
    if (has_query(uri)) {
        lsi_strbuf_puts(&b, "?");
        sb_component(&b, uri, QUERY);
    }
    if ((text = lsi_strbuf_take(&b)) == NULL)
        lsi_error_nomem();
    return text;
}

/* ---- comparison ---- */

static int attr_equal(const lsi_p11uri *a, const lsi_p11uri *b, const struct attr *spec)
{
    if (is_set(a, spec) != is_set(b, spec))
        return 0;
    if (!is_set(a, spec))
        return 1;
    switch (spec->kind) {
    case KIND_ID:
        return a->id_len == b->id_len && (a->id_len == 0 || memcmp(a->id, b->id, a->id_len) == 0);
    case KIND_SLOT_ID: return a->slot_id == b->slot_id;
    case KIND_SECRET:
        /* Constant time: how long a comparison takes should not tell how much of a PIN matched. */
        return a->pin_value_len == b->pin_value_len &&
               CRYPTO_memcmp(a->pin_value, b->pin_value, a->pin_value_len) == 0;
    default: return strcmp(value_of(a, spec), value_of(b, spec)) == 0;
    }
}

int lsi_p11uri_equal(const lsi_p11uri *a, const lsi_p11uri *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    for (size_t i = 0; i < N_ATTRS; i++)
        if (!attr_equal(a, b, &attrs[i]))
            return 0;
    return 1;
}
