#include "pades/sigdict.h"

#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "pdf/serialize.h"

/* Each ByteRange number gets 20 columns: enough for any 64-bit offset. */
#define RANGE_FIELD 20
#define RANGE_WIDTH (3 * RANGE_FIELD + 2)
#define DICT_DEPTH  64

static int put(lsi_output *out, const char *text)
{
    return lsi_output_write(out, text, strlen(text));
}

static int put_entries(lsi_output *out, const lsi_pdf_obj *dict)
{
    int rc = LSIGN_OK;

    for (size_t i = 0; i < dict->u.dict.count && rc == LSIGN_OK; i++) {
        lsi_pdf_obj key = {.type = LSI_PDF_NAME};
        key.u.name = dict->u.dict.keys[i];
        rc = lsi_pdf_serialize(&key, out, DICT_DEPTH);
        if (rc == LSIGN_OK)
            rc = put(out, " ");
        if (rc == LSIGN_OK)
            rc = lsi_pdf_serialize(dict->u.dict.values[i], out, DICT_DEPTH);
        if (rc == LSIGN_OK)
            rc = put(out, "\n");
    }
    return rc;
}

/* `count` copies of `c`, in blocks. */
static int put_repeated(lsi_output *out, char c, uint64_t count)
{
    char block[4096];
    int rc = LSIGN_OK;

    memset(block, c, sizeof block);
    while (count > 0 && rc == LSIGN_OK) {
        size_t n = count < sizeof block ? (size_t)count : sizeof block;
        rc = lsi_output_write(out, block, n);
        count -= n;
    }
    return rc;
}

static int put_placeholders(lsi_output *out, size_t reserved, lsi_sig_slots *slots)
{
    int rc = put(out, "/ByteRange [0 ");

    slots->byterange_at = lsi_output_size(out);
    if (rc == LSIGN_OK)
        rc = put_repeated(out, ' ', RANGE_WIDTH);
    if (rc == LSIGN_OK)
        rc = put(out, "]\n/Contents ");
    slots->contents_at = lsi_output_size(out);
    if (rc == LSIGN_OK)
        rc = put(out, "<");
    if (rc == LSIGN_OK)
        rc = put_repeated(out, '0', 2 * (uint64_t)reserved);
    if (rc == LSIGN_OK)
        rc = put(out, ">");
    slots->contents_end = lsi_output_size(out);
    return rc;
}

int lsi_sigdict_write(lsi_pdf_writer *w, uint32_t num, const lsi_pdf_obj *dict, size_t reserved,
                      lsi_sig_slots *slots)
{
    lsi_output *out = lsi_pdf_writer_output(w);
    int rc = lsi_pdf_writer_begin_raw(w, num);

    if (rc == LSIGN_OK)
        rc = put(out, "<<\n");
    if (rc == LSIGN_OK)
        rc = put_entries(out, dict);
    if (rc == LSIGN_OK)
        rc = put_placeholders(out, reserved, slots);
    if (rc == LSIGN_OK)
        rc = put(out, "\n>>");
    return rc == LSIGN_OK ? lsi_pdf_writer_end_raw(w) : rc;
}

int lsi_sigdict_close_range(lsi_output *out, const lsi_sig_slots *slots, EVP_MD_CTX *md)
{
    uint64_t total = lsi_output_size(out), start;
    char range[RANGE_WIDTH + 1];
    const unsigned char *tail;
    size_t tail_len;
    int n, rc;

    n = snprintf(range, sizeof range, "%llu %llu %llu", (unsigned long long)slots->contents_at,
                 (unsigned long long)slots->contents_end,
                 (unsigned long long)(total - slots->contents_end));
    if (n < 0 || n > RANGE_WIDTH)
        return lsi_error(LSIGN_E_LIMIT, "PDF: file too large for the /ByteRange");
    memset(range + n, ' ', (size_t)(RANGE_WIDTH - n));
    if ((rc = lsi_output_patch(out, slots->byterange_at, range, RANGE_WIDTH)) != LSIGN_OK)
        return rc;
    tail = lsi_output_captured(out, &start, &tail_len);
    if (tail == NULL || start > slots->byterange_at || start + tail_len != total)
        return lsi_error(LSIGN_E_INVALID_ARG, "PDF: internal: the signed tail was not captured");
    if (EVP_DigestUpdate(md, tail, (size_t)(slots->contents_at - start)) != 1 ||
        EVP_DigestUpdate(md, tail + (slots->contents_end - start),
                         (size_t)(total - slots->contents_end)) != 1)
        return lsi_error_openssl(LSIGN_E_CRYPTO, "PDF: hashing the signed bytes failed");
    return LSIGN_OK;
}

int lsi_sigdict_fill(lsi_output *out, const lsi_sig_slots *slots, const unsigned char *der,
                     size_t len)
{
    static const char digits[] = "0123456789ABCDEF";
    uint64_t room = (slots->contents_end - slots->contents_at - 2) / 2;
    char chunk[4096];
    int rc = LSIGN_OK;

    if (len > room)
        return lsi_error(LSIGN_E_LIMIT,
                         "PDF: the signature needs %zu bytes but only %llu were reserved", len,
                         (unsigned long long)room);
    for (size_t done = 0; done < len && rc == LSIGN_OK;) {
        size_t n = len - done < sizeof chunk / 2 ? len - done : sizeof chunk / 2;
        for (size_t i = 0; i < n; i++) {
            chunk[2 * i] = digits[der[done + i] >> 4];
            chunk[2 * i + 1] = digits[der[done + i] & 15];
        }
        rc = lsi_output_patch(out, slots->contents_at + 1 + 2 * done, chunk, 2 * n);
        done += n;
    }
    return rc;
}
