/*
 * The visible-signature flags of `libsign sign`: gathered while parsing,
 * turned into an lsign_appearance once the whole command line is known.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libsign/libsign.h"

#include "cli.h"

static const cli_choice units[] = {{"mm", LSIGN_UNIT_MM}, {"pt", LSIGN_UNIT_PT}, {NULL, 0}};

/* Parses exactly `n` comma-separated numbers. */
static int parse_numbers(const char *flag, const char *arg, double *v, size_t n)
{
    const char *p = arg;

    for (size_t i = 0; i < n; i++) {
        char *end;
        errno = 0;
        v[i] = strtod(p, &end);
        if (end == p || errno != 0 || (i + 1 < n ? *end != ',' : *end != '\0'))
            return cli_usage_error("sign", "%s: '%s' is not %zu comma-separated numbers", flag, arg,
                                   n);
        p = end + 1;
    }
    return CLI_EXIT_OK;
}

/* "NAME=VALUE": a pointer to VALUE and NAME's length, or a usage error. */
static int split_pair(const char *flag, const char *arg, size_t *name_len, const char **value)
{
    const char *eq = strchr(arg, '=');

    if (eq == NULL || eq == arg)
        return cli_usage_error("sign", "%s: '%s' is not NAME=VALUE", flag, arg);
    *name_len = (size_t)(eq - arg);
    *value = eq + 1;
    return CLI_EXIT_OK;
}

int cli_appearance_option(cli_appearance_args *a, int option, const char *arg)
{
    int rc = CLI_EXIT_OK;

    switch (option) {
    case CLI_OPT_APPEARANCE: a->template_name = arg; break;
    case CLI_OPT_TEXT:
    case CLI_OPT_IMAGE:
        if (a->pair_count == CLI_MAX_PAIRS)
            return cli_usage_error("sign", "too many --text/--image flags");
        a->pairs[a->pair_count].is_image = option == CLI_OPT_IMAGE;
        a->pairs[a->pair_count].arg = arg;
        a->pair_count++;
        break;
    case CLI_OPT_SEAL_SIZE: rc = parse_numbers("--seal-size", arg, a->seal, 2); break;
    case CLI_OPT_FONT: a->font = arg; break;
    case CLI_OPT_FONT_SIZE: rc = parse_numbers("--font-size", arg, &a->font_size, 1); break;
    case CLI_OPT_UNITS: rc = cli_parse_choice("sign", "--units", arg, units, &a->unit); break;
    case CLI_OPT_PAGE: {
        double page;
        rc = parse_numbers("--page", arg, &page, 1);
        a->page = (int)page;
        if (rc == CLI_EXIT_OK && ((double)a->page != page || a->page == 0))
            rc = cli_usage_error("sign", "--page: '%s': 1 is the first page, -1 the last", arg);
        break;
    }
    case CLI_OPT_BOX: rc = parse_numbers("--box", arg, a->box, 4), a->has_box = 1; break;
    case CLI_OPT_BOX_SIZE: rc = parse_numbers("--box-size", arg, a->size, 2); break;
    case CLI_OPT_PRESET: a->preset = arg; break;
    case CLI_OPT_ANCHOR: a->anchor = arg; break;
    case CLI_OPT_ANCHOR_OFFSET: rc = parse_numbers("--anchor-offset", arg, a->offset, 2); break;
    case CLI_OPT_VISIBLE: { /* PAGE,X,Y,W,H: --page PAGE --box X,Y,W,H */
        double v[5];
        rc = parse_numbers("--visible", arg, v, 5);
        a->page = (int)v[0];
        if (rc == CLI_EXIT_OK && ((double)a->page != v[0] || a->page == 0))
            rc = cli_usage_error("sign", "--visible: '%s': the page is 1 (first) or -1 (last)...",
                                 arg);
        memcpy(a->box, v + 1, sizeof a->box);
        a->has_box = 1;
        break;
    }
    default: rc = cli_usage_error("sign", "internal: unknown appearance option %d", option);
    }
    return rc;
}

int cli_appearance_used(const cli_appearance_args *a)
{
    return a->template_name != NULL || a->pair_count > 0 || a->has_box || a->preset != NULL ||
           a->anchor != NULL || a->font != NULL;
}

/* The library's refusal of a flag's value, as a usage error naming the flag. */
static int refused(const char *flag, int status)
{
    if (status == LSIGN_OK)
        return CLI_EXIT_OK;
    return cli_usage_error("sign", "%s: %s", flag, lsign_last_error());
}

/*
 * A bare `--image FILE` (no SLOT=) fills the slots in order: the first is
 * the handwritten signature, the second the seal.
 */
static const char *bare_image_slot(size_t *bare)
{
    static const char *const slots[] = {"signature", "seal"};

    return *bare < 2 ? slots[(*bare)++] : NULL;
}

static int apply_pairs(const cli_appearance_args *a, lsign_appearance *ap)
{
    size_t bare = 0;

    for (size_t i = 0; i < a->pair_count; i++) {
        const char *flag = a->pairs[i].is_image ? "--image" : "--text", *value = NULL;
        const char *slot = a->pairs[i].is_image && strchr(a->pairs[i].arg, '=') == NULL
                               ? bare_image_slot(&bare)
                               : NULL;
        char name[32];
        size_t len = 0;
        int rc = CLI_EXIT_OK;
        if (slot != NULL)
            value = a->pairs[i].arg, len = strlen(slot);
        else
            rc = split_pair(flag, a->pairs[i].arg, &len, &value);
        if (rc != CLI_EXIT_OK)
            return rc;
        snprintf(name, sizeof name, "%.*s", (int)len, slot != NULL ? slot : a->pairs[i].arg);
        rc = refused(flag, a->pairs[i].is_image ? lsign_appearance_set_image(ap, name, value)
                                                : lsign_appearance_set_text(ap, name, value));
        if (rc != CLI_EXIT_OK)
            return rc;
    }
    return CLI_EXIT_OK;
}

static int apply_placement(const cli_appearance_args *a, lsign_appearance *ap)
{
    if ((a->has_box != 0) + (a->preset != NULL) + (a->anchor != NULL) > 1)
        return cli_usage_error("sign", "give one of --box, --preset and --anchor");
    if (a->has_box)
        return refused("--box", lsign_appearance_place(ap, a->page != 0 ? a->page : 1, a->box[0],
                                                       a->box[1], a->box[2], a->box[3], a->unit));
    if (a->preset != NULL)
        return refused("--preset", lsign_appearance_place_preset(
                                       ap, a->preset, a->size[0], a->size[1],
                                       a->unit == LSIGN_UNIT_MM ? 10 : 28.35, a->unit));
    if (a->anchor != NULL)
        return refused("--anchor", lsign_appearance_place_at_text(ap, a->page, a->anchor,
                                                                  a->offset[0], a->offset[1],
                                                                  a->size[0], a->size[1], a->unit));
    return CLI_EXIT_OK;
}

int cli_appearance_build(const cli_appearance_args *a, lsign_appearance **out)
{
    lsign_appearance *ap = NULL;
    int rc;

    *out = NULL;
    if (!cli_appearance_used(a))
        return CLI_EXIT_OK;
    rc = refused("--appearance",
                 lsign_appearance_new(&ap, a->template_name != NULL ? a->template_name : "text"));
    if (rc == CLI_EXIT_OK)
        rc = apply_pairs(a, ap);
    if (rc == CLI_EXIT_OK && a->seal[0] != 0)
        rc = refused("--seal-size",
                     lsign_appearance_set_seal_size(ap, a->seal[0], a->seal[1], a->unit));
    if (rc == CLI_EXIT_OK && a->font != NULL)
        rc = refused("--font", lsign_appearance_set_font(ap, a->font));
    if (rc == CLI_EXIT_OK && a->font_size != 0)
        rc = refused("--font-size", lsign_appearance_set_font_size(ap, a->font_size));
    if (rc == CLI_EXIT_OK)
        rc = apply_placement(a, ap);
    if (rc != CLI_EXIT_OK) {
        lsign_appearance_free(ap);
        return rc;
    }
    *out = ap;
    return CLI_EXIT_OK;
}
