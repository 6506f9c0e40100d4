/*
 * Where a signature's signed bytes are: its /ByteRange checked against the
 * file, the dictionary's own /Contents and the revisions.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "pdf/pages.h"
#include "validate/sigcheck.h"

/* The ByteRange checks */

static int is_eol(unsigned char ch)
{
    return ch == '\r' || ch == '\n';
}

static int is_white(unsigned char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == '\f' || ch == '\0';
}

static int is_hex(unsigned char ch)
{
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

/* 1 if data[from, to) is at most two end-of-line bytes: what a writer signs after %%EOF. */
static int eol_tail(const unsigned char *data, size_t from, size_t to)
{
    if (from > to || to - from > 2)
        return 0;
    for (size_t i = from; i < to; i++)
        if (!is_eol(data[i]))
            return 0;
    return 1;
}

static int read_range(const lsi_pdf_obj *br, size_t len, lsi_sigcheck *c)
{
    if (br == NULL || br->type == LSI_PDF_NULL)
        return lsi_sc_fail(c, LSI_SC_FORMAT_FAILURE, "no /ByteRange");
    if (br->type != LSI_PDF_ARRAY || lsi_pdf_count(br) != 4)
        return lsi_sc_fail(c, LSI_SC_FORMAT_FAILURE, "/ByteRange is not an array of four numbers");
    for (size_t i = 0; i < 4; i++)
        if (!lsi_pdf_get_int(lsi_pdf_array_get(br, i), &c->range[i]) || c->range[i] < 0)
            return lsi_sc_fail(c, LSI_SC_FORMAT_FAILURE,
                               "/ByteRange item %zu is not a non-negative integer", i);
    const int64_t *r = c->range;
    if (r[0] != 0)
        return lsi_sc_fail(c, LSI_SC_FORMAT_FAILURE, "/ByteRange does not start at 0");
    if (r[1] > r[2] || r[2] - r[1] < 2)
        return lsi_sc_fail(c, LSI_SC_FORMAT_FAILURE, "/ByteRange ranges overlap or leave no gap");
    if ((uint64_t)r[2] > len || (uint64_t)r[3] > len - (uint64_t)r[2])
        return lsi_sc_fail(c, LSI_SC_FORMAT_FAILURE, "/ByteRange goes beyond the end of the file");
    return 1;
}

/* The gap [b, c) is exactly a hex string, and it is this dictionary's /Contents. */
static int check_gap(lsi_pdf_doc *doc, const unsigned char *data, const lsi_pdf_sig *sig,
                     lsi_sigcheck *c)
{
    size_t b = (size_t)c->range[1], e = (size_t)c->range[2];
    const lsi_pdf_obj *contents = lsi_pdf_dict_get(sig->dict, "Contents");
    lsi_xref_entry entry;

    if (data[b] != '<' || data[e - 1] != '>')
        return lsi_sc_fail(c, LSI_SC_FORMAT_FAILURE, "the /ByteRange gap is not a hex string");
    for (size_t i = b + 1; i < e - 1; i++)
        if (!is_hex(data[i]) && !is_white(data[i]))
            return lsi_sc_fail(c, LSI_SC_FORMAT_FAILURE,
                               "the /ByteRange gap holds more than a hex string");
    if (contents == NULL || contents->type != LSI_PDF_STRING || !contents->u.string.is_hex)
        return lsi_sc_fail(c, LSI_SC_FORMAT_FAILURE, "/Contents is not a hex string");
    if (sig->num != 0) {
        entry = lsi_pdf_doc_entry(doc, sig->num);
        if (entry.kind != LSI_XREF_OFFSET)
            return lsi_sc_fail(c, LSI_SC_FORMAT_FAILURE,
                               "the signature dictionary is not an uncompressed object");
    }
    if (contents->offset != b)
        return lsi_sc_fail(c, LSI_SC_FORMAT_FAILURE,
                           "the /ByteRange gap is not this signature's /Contents");
    return 1;
}

/* c + d is the end of a revision (plus at most two EOL bytes); records which. */
static int check_end(lsi_pdf_doc *doc, const unsigned char *data, size_t len, lsi_sigcheck *c)
{
    size_t end = (size_t)(c->range[2] + c->range[3]), n = lsi_pdf_doc_revision_count(doc);

    for (size_t k = 0; k < n; k++) {
        if (eol_tail(data, lsi_pdf_doc_revision(doc, k)->end, end)) {
            c->revision = k;
            c->covers_whole_document = eol_tail(data, end, len);
            return 1;
        }
    }
    return lsi_sc_fail(c, LSI_SC_FORMAT_FAILURE,
                       "/ByteRange does not end at the end of a revision");
}

int lsi_sc_check_byterange(lsi_pdf_doc *doc, const unsigned char *data, size_t len,
                           const lsi_pdf_sig *sig, lsi_sigcheck *c)
{
    return read_range(lsi_pdf_dict_get(sig->dict, "ByteRange"), len, c) &&
           check_gap(doc, data, sig, c) && check_end(doc, data, len, c);
}
