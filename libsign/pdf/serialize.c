#include "pdf/serialize.h"

#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "pdf/lexer.h"

static int put(lsi_output *out, const char *text)
{
    return lsi_output_write(out, text, strlen(text));
}

/* Fixed point with up to 6 decimals and at least one, so a real stays a real; no exponent. */
static int put_real(lsi_output *out, double value)
{
    char text[64];
    int n;

    if (value != value || value > 1e15 || value < -1e15)
        return lsi_error(LSIGN_E_INVALID_ARG, "PDF: real %g cannot be written", value);
    n = snprintf(text, sizeof text, "%.6f", value);
    while (n > 2 && text[n - 1] == '0' && text[n - 2] != '.')
        text[--n] = '\0';
    if (strcmp(text, "-0.0") == 0)
        strcpy(text, "0.0");
    return put(out, text);
}

static int printable(const unsigned char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] < 0x20 || s[i] > 0x7e)
            return 0;
    return 1;
}

static int put_string(lsi_output *out, const unsigned char *s, size_t len, int is_hex)
{
    static const char hex[] = "0123456789ABCDEF";
    int rc = LSIGN_OK;

    if (is_hex || !printable(s, len)) {
        rc = put(out, "<");
        for (size_t i = 0; i < len && rc == LSIGN_OK; i++) {
            char pair[2] = {hex[s[i] >> 4], hex[s[i] & 15]};
            rc = lsi_output_write(out, pair, 2);
        }
        return rc == LSIGN_OK ? put(out, ">") : rc;
    }
    rc = put(out, "(");
    for (size_t i = 0; i < len && rc == LSIGN_OK; i++) {
        if (s[i] == '(' || s[i] == ')' || s[i] == '\\')
            rc = put(out, "\\");
        if (rc == LSIGN_OK)
            rc = lsi_output_write(out, &s[i], 1);
    }
    return rc == LSIGN_OK ? put(out, ")") : rc;
}

static int put_name(lsi_output *out, const char *name, size_t len)
{
    int rc = put(out, "/");

    for (size_t i = 0; i < len && rc == LSIGN_OK; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c < 0x21 || c > 0x7e || c == '#' || !lsi_pdf_is_regular(c)) {
            char esc[4];
            snprintf(esc, sizeof esc, "#%02X", c);
            rc = put(out, esc);
        } else {
            rc = lsi_output_write(out, &c, 1);
        }
    }
    return rc;
}

static int serialize(const lsi_pdf_obj *obj, lsi_output *out, unsigned int depth);

static int put_container(const lsi_pdf_obj *obj, lsi_output *out, unsigned int depth)
{
    int is_dict = obj->type != LSI_PDF_ARRAY;
    const lsi_pdf_obj *dict = obj->type == LSI_PDF_STREAM ? obj->u.stream.dict : obj;
    size_t count = lsi_pdf_count(obj);
    int rc = put(out, is_dict ? "<<" : "[");

    for (size_t i = 0; i < count && rc == LSIGN_OK; i++) {
        if (is_dict) {
            rc = put_name(out, dict->u.dict.keys[i].bytes, dict->u.dict.keys[i].len);
            if (rc == LSIGN_OK)
                rc = put(out, " ");
            if (rc == LSIGN_OK)
                rc = serialize(dict->u.dict.values[i], out, depth);
        } else {
            rc = i > 0 ? put(out, " ") : LSIGN_OK;
            if (rc == LSIGN_OK)
                rc = serialize(obj->u.array.items[i], out, depth);
        }
    }
    if (rc == LSIGN_OK)
        rc = put(out, is_dict ? ">>" : "]");
    if (rc == LSIGN_OK && obj->type == LSI_PDF_STREAM)
        rc = put(out, "\nstream\n");
    return rc;
}

static int serialize(const lsi_pdf_obj *obj, lsi_output *out, unsigned int depth)
{
    char text[64];

    if (depth == 0)
        return lsi_error(LSIGN_E_LIMIT, "PDF: object nested too deeply to write");
    switch (obj != NULL ? obj->type : LSI_PDF_NULL) {
    case LSI_PDF_NULL: return put(out, "null");
    case LSI_PDF_BOOL: return put(out, obj->u.boolean ? "true" : "false");
    case LSI_PDF_INT:
        snprintf(text, sizeof text, "%lld", (long long)obj->u.integer);
        return put(out, text);
    case LSI_PDF_REAL: return put_real(out, obj->u.real);
    case LSI_PDF_STRING:
        return put_string(out, obj->u.string.bytes, obj->u.string.len, obj->u.string.is_hex);
    case LSI_PDF_NAME: return put_name(out, obj->u.name.bytes, obj->u.name.len);
    case LSI_PDF_REF:
        snprintf(text, sizeof text, "%u %u R", obj->u.ref.num, (unsigned)obj->u.ref.gen);
        return put(out, text);
    default: return put_container(obj, out, depth - 1);
    }
}

int lsi_pdf_serialize_stream_head(const lsi_pdf_obj *dict, uint64_t length, lsi_output *out,
                                  unsigned int max_depth)
{
    char tail[64];
    int rc = LSIGN_OK;

    if (dict == NULL || dict->type != LSI_PDF_DICT)
        return lsi_error(LSIGN_E_INVALID_ARG, "PDF writer: a stream needs a dictionary");
    rc = put(out, "<<");
    for (size_t i = 0; i < dict->u.dict.count && rc == LSIGN_OK; i++) {
        const lsi_pdf_name *key = &dict->u.dict.keys[i];
        if (key->len == 6 && memcmp(key->bytes, "Length", 6) == 0)
            continue;
        rc = put_name(out, key->bytes, key->len);
        if (rc == LSIGN_OK)
            rc = put(out, " ");
        if (rc == LSIGN_OK)
            rc = serialize(dict->u.dict.values[i], out, max_depth);
    }
    snprintf(tail, sizeof tail, "/Length %llu>>\nstream\n", (unsigned long long)length);
    return rc == LSIGN_OK ? put(out, tail) : rc;
}

int lsi_pdf_serialize(const lsi_pdf_obj *obj, lsi_output *out, unsigned int max_depth)
{
    return serialize(obj, out, max_depth + 1);
}
