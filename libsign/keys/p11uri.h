/*
 * PKCS#11 URIs (RFC 7512): "pkcs11:token=My%20Token;object=sign-key;type=private?pin-source=..."
 *
 * Parsing is strict, so that a mistyped URI fails here with a message naming the problem
 * instead of later as "no such key":
 *  - the scheme is case-insensitive; attribute names and type values are matched
 *    case-insensitively too (RFC 5234 section 2.3: ABNF literals are case-insensitive) and
 *    the type is stored in lower case;
 *  - path attributes are separated by ';', query attributes (after the first '?') by '&';
 *    an empty attribute between separators ("a=1;;b=2", a trailing ';') is an error;
 *  - every character must be one the RFC 7512 ABNF allows in that component, anything else
 *    (space, '#', raw UTF-8, ';' in the query, '/' in the path) must be percent-encoded;
 *  - "%XX" (hex digits in either case) is decoded; a '%' not followed by two hex digits is an
 *    error;
 *  - no standard attribute may appear twice, nor in the wrong component (pin-value in the path);
 *  - every string attribute decodes to NUL-free, valid UTF-8; id may hold any bytes;
 *  - vendor-specific attributes (RFC 7512 section 2.3 allows any 1*(ALPHA / DIGIT / "-" / "_")
 *    name; it defines no "x-" prefix, that convention being deprecated by RFC 6648):
 *      in the path they are rejected as unknown attributes, because RFC 7512 section 2.5 says
 *      a URI with an unrecognised path attribute, vendor-specific or not, matches nothing; we
 *      say so at parse time, naming the attribute, rather than find no key later. Ignoring
 *      them (even "x-" ones) would match objects the URI's author meant to exclude.
 *      In the query they are accepted, may repeat (section 2.4) and are ignored: they only
 *      tune how a consumer reaches the object, and we know none.
 *  - module-path must be absolute (section 2.4; a relative path would load a library from
 *    wherever the process happens to run), and pin-source and pin-value must not both be
 *    present (section 2.4: such a URI should be refused);
 *  - input longer than LSI_P11URI_MAX_LEN bytes fails with LSIGN_E_LIMIT.
 *
 * Error messages start with "PKCS#11 URI: ", name the problem, the attribute and the byte
 * offset in the input, and never contain any attribute value, so never the pin-value.
 */
#ifndef LSI_KEYS_P11URI_H
#define LSI_KEYS_P11URI_H

#include <stddef.h>

/* Longest URI accepted: far more than any real token needs, small enough to bound the work. */
#define LSI_P11URI_MAX_LEN ((size_t)64 * 1024)

typedef struct lsi_p11uri {
    /* path attributes (RFC 7512 section 2.3); NULL when absent; percent-decoded, NUL-terminated
     * UTF-8; "" when present with an empty value (e.g. "serial=") */
    char *token, *manufacturer, *serial, *model; /* token=, manufacturer=, serial=, model= */
    char *object;                                /* object= (label) */
    char *type;        /* type=: one of cert, data, private, public, secret-key */
    unsigned char *id; /* id=: raw bytes after percent-decoding (may contain NUL) */
    size_t id_len;
    int has_id;
    char *library_manufacturer, *library_description;
    char *library_version; /* "M" or "M.m", each number 0-255 (a CK_VERSION byte) */
    char *slot_manufacturer, *slot_description;
    int has_slot_id;
    unsigned long slot_id; /* slot-id=, decimal */
    /* query attributes (section 2.4) */
    char *module_name, *module_path, *pin_source; /* module-path is absolute */
    char *pin_value; /* pin-value=: a SECRET, wiped on free; pin_value_len == strlen(pin_value) */
    size_t pin_value_len;
} lsi_p11uri;

/*
 * Parses `text` into a new *out (free with lsi_p11uri_free()). "pkcs11:" alone is valid and
 * matches everything. Returns LSIGN_OK, LSIGN_E_PARSE, LSIGN_E_LIMIT, LSIGN_E_NOMEM or
 * LSIGN_E_INVALID_ARG (a NULL argument). On failure *out is NULL (when out is not NULL).
 */
int lsi_p11uri_parse(const char *text, lsi_p11uri **out);

/* Frees `uri` and its strings, wiping pin_value first. Accepts NULL. */
void lsi_p11uri_free(lsi_p11uri *uri);

/*
 * Canonical form for display and logging: attributes in RFC 7512 ABNF order, values
 * percent-encoded where the component requires it (id entirely, upper-case hex). Never
 * contains the pin-value: "pin-value=<hidden>" stands in for it, so a URI with a pin-value
 * does not round-trip (and is not meant to). Without one, lsi_p11uri_parse() of the result
 * gives a URI lsi_p11uri_equal() to `uri`. Caller frees with free(); NULL on NULL or when out
 * of memory (LSIGN_E_NOMEM set).
 */
char *lsi_p11uri_to_string(const lsi_p11uri *uri);

/*
 * 1 when `a` and `b` hold the same attributes with the same decoded values (RFC 7512
 * section 2.6: order and percent-encoding do not matter), else 0. Two NULLs are equal.
 */
int lsi_p11uri_equal(const lsi_p11uri *a, const lsi_p11uri *b);

#endif
