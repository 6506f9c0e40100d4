/*
 * Text extraction against poppler on the corpus: for every PDF of a folder,
 * the words `pdftotext -f 1 -l 1 -bbox` finds on page 1 are looked up with
 * lsi_pdf_find_text(), trying occurrence after occurrence until one lies
 * where poppler saw the word: left edges within TOLERANCE points, and the
 * vertical middles of the boxes too. The middle stands for the baseline:
 * both boxes are the baseline plus the font's ascent and descent, and where
 * the font has none (or zeros, as LibreOffice writes), poppler's defaults
 * (0.95, -0.35 em) and ours (0.8, -0.2 em) put the middle at the same 0.3 em
 * above the baseline, while their bottoms differ by 0.15 em.
 *
 * Words inside the rectangle of a form field or of an annotation with an
 * appearance (a stamp) are left out and counted apart: poppler draws
 * annotations (a field without an appearance from its value and /DA),
 * lsi_pdf_page_glyphs() reads the page's content only.
 *
 * Prints each file's match rate; fails when a file with text on page 1 is
 * below MIN_RATE, unless it is a known exception below (with its reason),
 * or when an exception passes.
 *
 *   text_corpus [CORPUS_DIR]          the check (default: $LIBSIGN_TEST_DATA/pdf/corpus)
 *   text_corpus --dump FILE [PAGE]    prints the glyphs of a page, one per line
 */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/io.h"
#include "libsign/libsign.h"
#include "pdf/document.h"
#include "pdf/pages.h"
#include "pdf/text.h"

#define TOLERANCE       2.0  /* points */
#define MIN_RATE        0.90 /* of poppler's words */
#define MAX_OCCURRENCES 500
#define MAX_WORDS       20000

typedef struct word {
    double x0, y0, x1, y1; /* poppler: top-left origin, rotated page */
    char text[256];
} word;

/* Files known to stay below MIN_RATE, and why. */
static const struct {
    const char *file;
    const char *reason;
} exceptions[] = {
    {NULL, NULL},
};

static const char *exception_reason(const char *file)
{
    for (size_t i = 0; exceptions[i].file != NULL; i++)
        if (strcmp(exceptions[i].file, file) == 0)
            return exceptions[i].reason;
    return NULL;
}

/* Replaces the XML entities pdftotext writes, in place. */
static void unescape(char *s)
{
    static const char *const from[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"};
    static const char to[] = "&<>\"'";
    char *out = s;

    while (*s != '\0') {
        size_t k = 0;
        while (k < 5 && strncmp(s, from[k], strlen(from[k])) != 0)
            k++;
        if (k < 5) {
            *out++ = to[k];
            s += strlen(from[k]);
        } else {
            *out++ = *s++;
        }
    }
    *out = '\0';
}

/* Runs pdftotext on page 1; returns the number of words (-1 on failure). */
static long poppler_words(const char *path, word *words, size_t max)
{
    char cmd[4200], line[2048];
    long n = 0;
    FILE *p;

    snprintf(cmd, sizeof cmd, "pdftotext -q -f 1 -l 1 -bbox '%s' - 2>/dev/null", path);
    if ((p = popen(cmd, "r")) == NULL)
        return -1;
    while (fgets(line, sizeof line, p) != NULL && (size_t)n < max) {
        word *w = &words[n];
        int end = 0;
        if (sscanf(line, " <word xMin=\"%lf\" yMin=\"%lf\" xMax=\"%lf\" yMax=\"%lf\">%n", &w->x0,
                   &w->y0, &w->x1, &w->y1, &end) != 4 ||
            end == 0)
            continue;
        char *text = line + end, *close = strstr(text, "</word>");
        if (close == NULL || (size_t)(close - text) >= sizeof w->text)
            continue;
        memcpy(w->text, text, (size_t)(close - text));
        w->text[close - text] = '\0';
        unescape(w->text);
        n++;
    }
    return pclose(p) == 0 ? n : -1;
}

static double number_at(const lsi_pdf_obj *array, size_t i, double dflt)
{
    double v;

    return lsi_pdf_get_number(lsi_pdf_array_get(array, i), &v) ? v : dflt;
}

/*
 * Poppler's display coordinates back to default user space: pdftotext
 * draws the MediaBox upside down and rotated by /Rotate (GfxState's CTM).
 */
static void to_user(const lsi_pdf_page *page, double X, double Y, double *x, double *y)
{
    const lsi_pdf_obj *mb = page->media_box;
    double x1 = number_at(mb, 0, 0), y1 = number_at(mb, 1, 0);
    double x2 = number_at(mb, 2, 612), y2 = number_at(mb, 3, 792);

    switch (page->rotate) {
    case 90: *x = Y + x1, *y = X + y1; break;
    case 180: *x = x2 - X, *y = Y + y1; break;
    case 270: *x = x2 - Y, *y = y2 - X; break;
    default: *x = X + x1, *y = y2 - Y; break;
    }
}

static void user_box(const lsi_pdf_page *page, const word *w, double box[4])
{
    double ax, ay, bx, by;

    to_user(page, w->x0, w->y0, &ax, &ay);
    to_user(page, w->x1, w->y1, &bx, &by);
    box[0] = fmin(ax, bx);
    box[1] = fmin(ay, by);
    box[2] = fmax(ax, bx);
    box[3] = fmax(ay, by);
}

/* Is the middle of `box` inside the /Rect of a widget or an annotation with an appearance? */
static int in_annotation(lsi_pdf_doc *doc, const lsi_pdf_page *page, const double box[4])
{
    double mx = (box[0] + box[2]) / 2, my = (box[1] + box[3]) / 2;

    for (size_t i = 0; i < lsi_pdf_count(page->annots); i++) {
        const lsi_pdf_obj *annot, *rect;
        double r[4];
        if (lsi_pdf_doc_deref(doc, lsi_pdf_array_get(page->annots, i), &annot) != LSIGN_OK ||
            (lsi_pdf_dict_get(annot, "AP") == NULL &&
             !lsi_pdf_name_is(lsi_pdf_dict_get(annot, "Subtype"), "Widget")) ||
            lsi_pdf_doc_deref(doc, lsi_pdf_dict_get(annot, "Rect"), &rect) != LSIGN_OK)
            continue;
        for (size_t k = 0; k < 4; k++)
            r[k] = number_at(rect, k, 0);
        if (mx >= fmin(r[0], r[2]) && mx <= fmax(r[0], r[2]) && my >= fmin(r[1], r[3]) &&
            my <= fmax(r[1], r[3]))
            return 1;
    }
    return 0;
}

typedef struct result {
    long words, matched, in_annots;
    double dx, dy; /* the largest differences seen in matched words */
} result;

/* Is some occurrence of the word where poppler saw it? */
static int found_at_place(lsi_pdf_doc *doc, const lsi_pdf_page *page, const word *w, result *r)
{
    double want[4], box[4];

    user_box(page, w, want);
    for (unsigned k = 1; k <= MAX_OCCURRENCES; k++) {
        double dx, dy;
        if (lsi_pdf_find_text(doc, page, w->text, k, box) != LSIGN_OK)
            return 0;
        dx = fabs(box[0] - want[0]);
        dy = fabs((box[1] + box[3]) / 2 - (want[1] + want[3]) / 2);
        if (dx <= TOLERANCE && dy <= TOLERANCE) {
            r->dx = fmax(r->dx, dx);
            r->dy = fmax(r->dy, dy);
            return 1;
        }
    }
    return 0;
}

static int check_file(const char *path, word *words, result *r, int verbose)
{
    lsi_input in;
    lsi_pdf_doc *doc = NULL;
    lsi_pdf_page *pages = NULL;
    size_t npages = 0;
    int rc = -1;

    long all;

    memset(r, 0, sizeof *r);
    if ((all = poppler_words(path, words, MAX_WORDS)) < 0)
        return -1;
    if (lsi_input_open_file(path, &in, NULL) != LSIGN_OK)
        return -1;
    if (lsi_pdf_doc_open(in.data, in.len, NULL, &doc) == LSIGN_OK &&
        lsi_pdf_doc_pages(doc, &pages, &npages) == LSIGN_OK && npages > 0) {
        for (long i = 0; i < all; i++) {
            double box[4];
            int ok;
            user_box(&pages[0], &words[i], box);
            if (in_annotation(doc, &pages[0], box)) {
                r->in_annots++;
                continue;
            }
            ok = found_at_place(doc, &pages[0], &words[i], r);
            r->words++;
            r->matched += ok;
            if (!ok && verbose)
                printf("    missed '%s' at %.1f %.1f\n", words[i].text, words[i].x0, words[i].y1);
        }
        rc = 0;
    }
    free(pages);
    lsi_pdf_doc_free(doc);
    lsi_input_close(&in);
    return rc;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.pdf names of `dir`, sorted. */
static size_t list_pdfs(const char *dir, char **names, size_t max)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    size_t n = 0;

    if (d == NULL)
        return 0;
    while ((e = readdir(d)) != NULL && n < max) {
        size_t len = strlen(e->d_name);
        if (len > 4 && strcmp(e->d_name + len - 4, ".pdf") == 0)
            names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, name_cmp);
    return n;
}

/* Checks one file against MIN_RATE and the exceptions; returns 1 when it fails. */
static int judge(const char *name, const result *r)
{
    double rate = (double)r->matched / (double)r->words;
    const char *reason = exception_reason(name);
    int below = rate < MIN_RATE;

    char annots[64] = "";

    if (r->in_annots > 0)
        snprintf(annots, sizeof annots, " (+%ld in annotations)", r->in_annots);
    printf("%-32s %4ld/%-4ld %5.1f%%  max dx %.2f dy %.2f%s%s%s\n", name, r->matched, r->words,
           100 * rate, r->dx, r->dy, annots,
           below ? (reason != NULL ? "  below, known: " : "  BELOW THE THRESHOLD") : "",
           below && reason != NULL ? reason : "");
    if (!below && reason != NULL)
        printf("    FAIL: listed as an exception but passes: remove it from the list\n");
    return below != (reason != NULL);
}

static int check_corpus(const char *dir)
{
    char *names[256], path[4096];
    size_t n = list_pdfs(dir, names, 256), failures = 0, checked = 0;
    long words = 0, matched = 0, in_annots = 0;
    word *buf = malloc(MAX_WORDS * sizeof *buf);
    int verbose = getenv("TEXT_CORPUS_VERBOSE") != NULL;

    for (size_t i = 0; i < n && buf != NULL; i++) {
        result r;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (check_file(path, buf, &r, verbose) != 0) {
            printf("%-32s FAIL: cannot read (%s)\n", names[i], lsign_last_error());
            failures++;
        } else if (r.words == 0) {
            printf("%-32s skipped: pdftotext finds no text on page 1\n", names[i]);
        } else {
            failures += (size_t)judge(names[i], &r);
            checked++;
            words += r.words;
            matched += r.matched;
            in_annots += r.in_annots;
        }
        free(names[i]);
    }
    free(buf);
    printf("%zu files with text, %ld of %ld words (%.1f%%) found in place, %ld in annotations "
           "left out; %zu failures\n",
           checked, matched, words, words ? 100.0 * (double)matched / (double)words : 0.0,
           in_annots, failures);
    return failures == 0 && checked >= 40 ? 0 : 1;
}

static int dump(const char *path, size_t page_no)
{
    lsi_input in;
    lsi_pdf_doc *doc = NULL;
    lsi_pdf_page *pages = NULL;
    lsi_pdf_glyph *g = NULL;
    size_t npages = 0, count = 0;
    int rc = 1;

    if (lsi_input_open_file(path, &in, NULL) != LSIGN_OK)
        return 1;
    if (lsi_pdf_doc_open(in.data, in.len, NULL, &doc) == LSIGN_OK &&
        lsi_pdf_doc_pages(doc, &pages, &npages) == LSIGN_OK && page_no >= 1 && page_no <= npages &&
        lsi_pdf_page_glyphs(doc, &pages[page_no - 1], &g, &count) == 0) {
        for (size_t i = 0; i < count; i++)
            printf("U+%04X %8.2f %8.2f %8.2f %8.2f\n", (unsigned)g[i].cp, g[i].x0, g[i].y0, g[i].x1,
                   g[i].y1);
        rc = 0;
    } else {
        fprintf(stderr, "text_corpus: %s: %s\n", path, lsign_last_error());
    }
    free(g);
    free(pages);
    lsi_pdf_doc_free(doc);
    lsi_input_close(&in);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "--dump") == 0)
        return dump(argv[2], argc > 3 ? (size_t)strtoul(argv[3], NULL, 10) : 1);
    if (argc == 1 && getenv("LIBSIGN_TEST_DATA") != NULL) {
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/pdf/corpus", getenv("LIBSIGN_TEST_DATA"));
        return check_corpus(dir);
    }
    if (argc != 2) {
        fprintf(stderr, "usage: text_corpus [CORPUS_DIR] | text_corpus --dump FILE [PAGE]\n"
                        "(without CORPUS_DIR, LIBSIGN_TEST_DATA must be set)\n");
        return 2;
    }
    return check_corpus(argv[1]);
}
