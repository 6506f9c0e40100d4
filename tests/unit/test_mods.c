/*
 * lsi_mods_analyse() against testvectors/attacks/MANIFEST.tsv: every row with
 * an expected modification verdict, judged from its first signature.
 */
#define _GNU_SOURCE /* memmem */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "libsign/libsign.h"
#include "pdf/document.h"
#include "support/testenv.h"
#include "validate/modifications.h"
#include "validate/sigcheck.h"

typedef struct row {
    char file[128], cls[48], expected[16];
} row;

static const char *verdict_name(lsi_mods_verdict v)
{
    return lsi_mods_verdict_name(v);
}

/* The data before `end` is "%%EOF" and at most two end-of-line bytes. */
static int ends_with_eof(const unsigned char *data, size_t end)
{
    for (int eol = 0; eol <= 2 && end >= 5; eol++, end--) {
        if (memcmp(data + end - 5, "%%EOF", 5) == 0)
            return 1;
        if (data[end - 1] != '\r' && data[end - 1] != '\n')
            return 0;
    }
    return 0;
}

/* The last revision that ends before the signature's gap: the document before it was signed. */
static size_t before_gap(lsi_pdf_doc *doc, int64_t gap)
{
    size_t best = 0;

    for (size_t i = 0; i < lsi_pdf_doc_revision_count(doc); i++)
        if ((int64_t)lsi_pdf_doc_revision(doc, i)->end <= gap &&
            lsi_pdf_doc_revision(doc, i)->end > best)
            best = lsi_pdf_doc_revision(doc, i)->end;
    return best;
}

/*
 * Runs the analysis for the first signature of `data`; *how says which
 * signed extent was used. Returns 0 when the row is skipped (a USF file
 * whose signature is malformed and whose expected verdict is NONE).
 */
static int analyse(const unsigned char *data, size_t len, const char *expected, lsi_mods *m,
                   const char **how, int *level)
{
    lsi_pdf_doc *doc = NULL;
    lsi_pdf_sig *sigs = NULL;
    lsi_sigcheck c;
    size_t n = 0, end;
    int docmdp, ran = 1;

    memset(&c, 0, sizeof c);
    assert_int_equal(lsi_pdf_doc_open(data, len, NULL, &doc), LSIGN_OK);
    assert_int_equal(lsi_pdf_signatures(doc, &sigs, &n), LSIGN_OK);
    assert_true(n >= 1);
    assert_int_equal(lsi_sigcheck_run(doc, data, len, &sigs[0], &c), LSIGN_OK);
    docmdp = lsi_mods_docmdp_level(doc, sigs[0].dict);
    *level = docmdp;
    end = (size_t)(c.range[2] + c.range[3]);
    if (c.verdict == LSI_SC_OK) {
        *how = "revision";
        assert_int_equal(lsi_mods_analyse(doc, data, len, c.revision, docmdp, m), LSIGN_OK);
    } else if (c.verdict == LSI_SC_FORMAT_FAILURE && strcmp(expected, "NONE") == 0) {
        *how = "skipped";
        ran = 0;
    } else if (c.range[1] > 0 && end > (size_t)c.range[1] && end < len &&
               ends_with_eof(data, end)) {
        *how = "range end";
        assert_int_equal(lsi_mods_analyse_prefix(doc, data, len, end, docmdp, m), LSIGN_OK);
    } else {
        *how = "before gap";
        assert_true(c.range[1] > 0);
        assert_int_equal(
            lsi_mods_analyse_prefix(doc, data, len, before_gap(doc, c.range[1]), docmdp, m),
            LSIGN_OK);
    }
    if (c.verdict == LSI_SC_OK && strcmp(expected, "DISALLOWED") != 0) {
        /* the signature's own revision only adds what signing adds */
        lsi_mods own;
        assert_int_equal(
            lsi_mods_analyse_prefix(doc, data, len, before_gap(doc, c.range[1]), 0, &own),
            LSIGN_OK);
        for (size_t k = 0; own.verdict != LSI_MODS_ALLOWED && k < own.count; k++)
            printf("  own revision: %s\n", own.details[k]);
        assert_int_equal(own.verdict, LSI_MODS_ALLOWED);
        lsi_mods_clear(&own);
    }
    lsi_sigcheck_clear(&c);
    lsi_pdf_signatures_free(sigs, n);
    lsi_pdf_doc_free(doc);
    return ran;
}

static size_t read_manifest(row *rows, size_t max)
{
    FILE *f = fopen(test_path("LIBSIGN_TEST_DATA", "attacks/MANIFEST.tsv"), "r");
    char line[8192];
    size_t n = 0;

    assert_non_null(f);
    assert_non_null(fgets(line, sizeof line, f)); /* header */
    while (n < max && fgets(line, sizeof line, f) != NULL) {
        char *fields[8] = {0}, *save = NULL, *p = line;
        int k = 0;
        for (char *t; k < 8 && (t = strtok_r(p, "\t", &save)) != NULL; p = NULL)
            fields[k++] = t;
        if (k < 7)
            continue;
        snprintf(rows[n].file, sizeof rows[n].file, "%s", fields[0]);
        snprintf(rows[n].cls, sizeof rows[n].cls, "%s", fields[1]);
        snprintf(rows[n].expected, sizeof rows[n].expected, "%s", fields[6]);
        n++;
    }
    fclose(f);
    return n;
}

static void test_manifest(void **state)
{
    row rows[128];
    size_t n = read_manifest(rows, 128), failures = 0, checked = 0;

    (void)state;
    assert_true(n >= 40);
    printf("%-40s %-24s %-10s %-10s %s %-10s %s\n", "file", "class", "expected", "got", "P",
           "signed", "first disallowed change");
    for (size_t i = 0; i < n; i++) {
        char rel[256];
        size_t len;
        unsigned char *data;
        lsi_mods m = {0};
        const char *how = "", *detail = "";
        int ran, ok, level = 0;

        if (strcmp(rows[i].expected, "NONE") && strcmp(rows[i].expected, "ALLOWED") &&
            strcmp(rows[i].expected, "DISALLOWED"))
            continue;
        snprintf(rel, sizeof rel, "attacks/%s", rows[i].file);
        data = test_read_file(test_path("LIBSIGN_TEST_DATA", rel), &len);
        ran = analyse(data, len, rows[i].expected, &m, &how, &level);
        detail = m.count ? m.details[0] : "";
        for (size_t k = m.count; k-- > 0;) /* the first disallowed change, else the first */
            if (strstr(m.details[k], "DISALLOWED") != NULL)
                detail = m.details[k];
        ok = !ran || strcmp(verdict_name(m.verdict), rows[i].expected) == 0;
        checked += (size_t)ran;
        failures += (size_t)!ok;
        printf("%-40s %-24s %-10s %-10s %d %-10s %s%s\n", rows[i].file, rows[i].cls,
               rows[i].expected, ran ? verdict_name(m.verdict) : "-", level, how, detail,
               ok ? "" : "   <-- MISMATCH");
        for (size_t k = 1; !ok && k < m.count; k++)
            printf("%80s %s\n", "", m.details[k]);
        lsi_mods_clear(&m);
        free(data);
    }
    printf("%zu rows analysed, %zu mismatches\n", checked, failures);
    assert_true(checked >= 25);
    assert_int_equal(failures, 0);
}

/* The last revision of a signed file: nothing after it. Bad arguments. */
static void test_api(void **state)
{
    size_t len;
    unsigned char *data = test_read_file(
        test_path("LIBSIGN_TEST_DATA", "attacks/control-second-signature.pdf"), &len);
    lsi_pdf_doc *doc = NULL;
    lsi_mods m;
    size_t last;

    (void)state;
    assert_int_equal(lsi_pdf_doc_open(data, len, NULL, &doc), LSIGN_OK);
    last = lsi_pdf_doc_revision_count(doc) - 1;
    assert_int_equal(lsi_mods_analyse(doc, data, len, last, 0, &m), LSIGN_OK);
    assert_int_equal(m.verdict, LSI_MODS_NONE);
    assert_int_equal(m.count, 0);
    lsi_mods_clear(&m);
    /* the revision before the second signature: only that signature was added */
    assert_int_equal(lsi_mods_analyse(doc, data, len, last - 1, 0, &m), LSIGN_OK);
    assert_int_equal(m.verdict, LSI_MODS_ALLOWED);
    lsi_mods_clear(&m);
    /* the same update under a P=1 certification: a new approval signature is not allowed */
    assert_int_equal(lsi_mods_analyse(doc, data, len, last - 1, 1, &m), LSIGN_OK);
    assert_int_equal(m.verdict, LSI_MODS_DISALLOWED);
    lsi_mods_clear(&m);
    assert_int_equal(lsi_mods_analyse(doc, data, len, last + 1, 0, &m), LSIGN_E_INVALID_ARG);
    assert_int_equal(lsi_mods_analyse(doc, data, len, 0, 4, &m), LSIGN_E_INVALID_ARG);
    lsi_mods_clear(&m);
    /* trailing garbage after the final %%EOF */
    {
        unsigned char *more = malloc(len + 16);
        lsi_pdf_doc *d2 = NULL;
        memcpy(more, data, len);
        memcpy(more + len, "\n1 0 obj (x)\n", 13);
        assert_int_equal(lsi_pdf_doc_open(more, len + 13, NULL, &d2), LSIGN_OK);
        assert_int_equal(lsi_mods_analyse(d2, more, len + 13, last, 0, &m), LSIGN_OK);
        assert_int_equal(m.verdict, LSI_MODS_DISALLOWED);
        assert_non_null(strstr(m.details[0], "after the last %%EOF"));
        lsi_mods_clear(&m);
        lsi_pdf_doc_free(d2);
        free(more);
    }
    lsi_pdf_doc_free(doc);
    free(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_manifest),
        cmocka_unit_test(test_api),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
