/*
 * libsign sign: signs PDF files (PAdES) with one key, opened once.
 *
 * The whole command line is checked before the key is opened, so a mistake
 * costs no token login; the key is opened once (one login) and every FILE is
 * then signed in turn. A file that fails is reported and skipped, and its
 * output is not created (the library writes to a temporary file and renames
 * it only on success).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libsign/libsign.h"

#include "batch.h"
#include "cli.h"

/* Long options without a short form. */
enum {
    OPT_KEY = 256,
    OPT_MODULE,
    OPT_CERT,
    OPT_CHAIN,
    OPT_PIN_SOURCE,
    OPT_DIGEST,
    OPT_SCHEME,
    OPT_SUBFILTER,
    OPT_REASON,
    OPT_LOCATION,
    OPT_CONTACT,
    OPT_NAME,
    OPT_FIELD,
    OPT_CERTIFY,
    OPT_LOCK_ALL,
    OPT_LOCK_INCLUDE,
    OPT_LOCK_EXCLUDE,
    OPT_INCLUDE_ROOT,
    OPT_TIME,
    OPT_TRUST,
    OPT_OUTPUT_DIR,
    OPT_HELP,
    OPT_LEVEL,
    OPT_TSA,
    OPT_TSA_USER,
    OPT_TSA_PASSWORD_SOURCE,
    OPT_ALLOW_INVALID_CERT,
    OPT_XML_PROFILE,
    OPT_XML_PLACEMENT,
    OPT_XML_C14N,
    OPT_XML_PARENT,
    OPT_XML_REFERENCE,
    OPT_SIGNER_ROLE,
    OPT_XML_COUNTERSIGN,
    OPT_FORMAT,
    OPT_MANIFEST,
    OPT_JOBS,
    OPT_RESUME,
    OPT_FORCE,
    OPT_JSON,
    OPT_RSA_PSS
};

static const struct option long_options[] = {
    {"key", required_argument, NULL, OPT_KEY},
    {"module", required_argument, NULL, OPT_MODULE},
    {"cert", required_argument, NULL, OPT_CERT},
    {"chain", required_argument, NULL, OPT_CHAIN},
    {"pin-source", required_argument, NULL, OPT_PIN_SOURCE},
    {"digest", required_argument, NULL, OPT_DIGEST},
    {"scheme", required_argument, NULL, OPT_SCHEME},
    {"subfilter", required_argument, NULL, OPT_SUBFILTER},
    {"reason", required_argument, NULL, OPT_REASON},
    {"location", required_argument, NULL, OPT_LOCATION},
    {"contact", required_argument, NULL, OPT_CONTACT},
    {"name", required_argument, NULL, OPT_NAME},
    {"field", required_argument, NULL, OPT_FIELD},
    {"certify", required_argument, NULL, OPT_CERTIFY},
    {"lock-all", no_argument, NULL, OPT_LOCK_ALL},
    {"lock-include", required_argument, NULL, OPT_LOCK_INCLUDE},
    {"lock-exclude", required_argument, NULL, OPT_LOCK_EXCLUDE},
    {"include-root", no_argument, NULL, OPT_INCLUDE_ROOT},
    {"time", required_argument, NULL, OPT_TIME},
    {"trust", required_argument, NULL, OPT_TRUST},
    {"verbose", no_argument, NULL, 'v'},
    {"quiet", no_argument, NULL, 'q'},
    {"output", required_argument, NULL, 'o'},
    {"output-dir", required_argument, NULL, OPT_OUTPUT_DIR},
    {"out-dir", required_argument, NULL, OPT_OUTPUT_DIR},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"manifest", required_argument, NULL, OPT_MANIFEST},
    {"jobs", required_argument, NULL, OPT_JOBS},
    {"resume", no_argument, NULL, OPT_RESUME},
    {"force", no_argument, NULL, OPT_FORCE},
    {"json", no_argument, NULL, OPT_JSON},
    {"rsa-pss", no_argument, NULL, OPT_RSA_PSS},
    {"xml-mode", required_argument, NULL, OPT_XML_PLACEMENT},
    {"help", no_argument, NULL, OPT_HELP},
    {"level", required_argument, NULL, OPT_LEVEL},
    {"tsa", required_argument, NULL, OPT_TSA},
    {"tsa-user", required_argument, NULL, OPT_TSA_USER},
    {"tsa-password-source", required_argument, NULL, OPT_TSA_PASSWORD_SOURCE},
    {"allow-invalid-cert", no_argument, NULL, OPT_ALLOW_INVALID_CERT},
    {"xml-profile", required_argument, NULL, OPT_XML_PROFILE},
    {"xml-placement", required_argument, NULL, OPT_XML_PLACEMENT},
    {"xml-c14n", required_argument, NULL, OPT_XML_C14N},
    {"xml-parent", required_argument, NULL, OPT_XML_PARENT},
    {"xml-reference", required_argument, NULL, OPT_XML_REFERENCE},
    {"signer-role", required_argument, NULL, OPT_SIGNER_ROLE},
    {"xml-countersign", required_argument, NULL, OPT_XML_COUNTERSIGN},
    {"appearance", required_argument, NULL, CLI_OPT_APPEARANCE},
    {"text", required_argument, NULL, CLI_OPT_TEXT},
    {"image", required_argument, NULL, CLI_OPT_IMAGE},
    {"seal-size", required_argument, NULL, CLI_OPT_SEAL_SIZE},
    {"font", required_argument, NULL, CLI_OPT_FONT},
    {"font-size", required_argument, NULL, CLI_OPT_FONT_SIZE},
    {"units", required_argument, NULL, CLI_OPT_UNITS},
    {"page", required_argument, NULL, CLI_OPT_PAGE},
    {"box", required_argument, NULL, CLI_OPT_BOX},
    {"visible", required_argument, NULL, CLI_OPT_VISIBLE},
    {"template", required_argument, NULL, CLI_OPT_APPEARANCE},
    {"box-size", required_argument, NULL, CLI_OPT_BOX_SIZE},
    {"preset", required_argument, NULL, CLI_OPT_PRESET},
    {"anchor", required_argument, NULL, CLI_OPT_ANCHOR},
    {"anchor-offset", required_argument, NULL, CLI_OPT_ANCHOR_OFFSET},
    {NULL, 0, NULL, 0}};

static const cli_choice digests[] = {{"sha256", LSIGN_DIGEST_SHA256},
                                     {"sha384", LSIGN_DIGEST_SHA384},
                                     {"sha512", LSIGN_DIGEST_SHA512},
                                     {NULL, 0}};

static const cli_choice schemes[] = {{"auto", LSIGN_SCHEME_AUTO},
                                     {"pkcs1", LSIGN_SCHEME_RSA_PKCS1},
                                     {"pss", LSIGN_SCHEME_RSA_PSS},
                                     {"ecdsa", LSIGN_SCHEME_ECDSA},
                                     {NULL, 0}};

static const cli_choice subfilters[] = {
    {"cades", LSIGN_SUBFILTER_CADES}, {"pkcs7", LSIGN_SUBFILTER_PKCS7}, {NULL, 0}};

const cli_choice cli_pades_levels[] = {{"b-b", LSIGN_PADES_B_B},
                                       {"b-t", LSIGN_PADES_B_T},
                                       {"b-lt", LSIGN_PADES_B_LT},
                                       {"b-lta", LSIGN_PADES_B_LTA},
                                       {NULL, 0}};

/* The names, and the DocMDP /P numbers. */
static const cli_choice certify_levels[] = {{"none", LSIGN_CERTIFY_NONE},
                                            {"no-changes", LSIGN_CERTIFY_NO_CHANGES},
                                            {"form-filling", LSIGN_CERTIFY_FORM_FILLING},
                                            {"annotations", LSIGN_CERTIFY_ANNOTATIONS},
                                            {"1", LSIGN_CERTIFY_NO_CHANGES},
                                            {"2", LSIGN_CERTIFY_FORM_FILLING},
                                            {"3", LSIGN_CERTIFY_ANNOTATIONS},
                                            {NULL, 0}};

enum { FORMAT_AUTO, FORMAT_PDF, FORMAT_XML };

static const cli_choice formats[] = {
    {"auto", FORMAT_AUTO}, {"pdf", FORMAT_PDF}, {"xml", FORMAT_XML}, {NULL, 0}};

static const cli_choice xml_profiles[] = {{"xades", LSIGN_XML_PROFILE_XADES},
                                          {"edxml", LSIGN_XML_PROFILE_EDXML},
                                          {"einvoice", LSIGN_XML_PROFILE_EINVOICE},
                                          {NULL, 0}};

static const cli_choice xml_placements[] = {{"enveloped", LSIGN_XML_ENVELOPED},
                                            {"enveloping", LSIGN_XML_ENVELOPING},
                                            {"detached", LSIGN_XML_DETACHED},
                                            {NULL, 0}};

static const cli_choice xml_c14ns[] = {{"exc", LSIGN_XML_C14N_EXCLUSIVE},
                                       {"c14n", LSIGN_XML_C14N_1_0},
                                       {"c14n11", LSIGN_XML_C14N_1_1},
                                       {NULL, 0}};

/* Everything the command line asked for. Strings point into argv unless noted. */
typedef struct sign_args {
    const char *key;
    const char *trust;
    const char *output;     /* -o: one FILE */
    const char *output_dir; /* --output-dir: every FILE */
    const char *lock_flag;  /* the --lock-* flag given, for messages */
    cli_tsa_args tsa;
    int verbose;
    int quiet;
    lsign_signer_options signer;
    lsign_pdf_sign_options pdf;
    lsign_xml_sign_options xml; /* digest, scheme, level, include_root, time: from pdf */
    int xml_forced;             /* an --xml-* option was given */
    int format;                 /* FORMAT_* */
    const char *manifest;       /* --manifest: a file of input paths */
    unsigned int jobs;
    int resume, force, json;
    char **manifest_lines; /* owned, each owned */
    size_t manifest_count;
    char **lock_names; /* owned, each owned */
    size_t lock_count;
    const char **inputs; /* owned array: the FILE operands, then the manifest's */
    size_t input_count;
    char **outputs; /* owned, each owned: where each FILE goes ("-": stdout) */
    cli_appearance_args appearance;
    lsign_appearance *visible; /* owned; NULL: an invisible signature */
} sign_args;

static void args_free(sign_args *a)
{
    lsign_appearance_free(a->visible);
    for (size_t i = 0; i < a->lock_count; i++)
        free(a->lock_names[i]);
    free(a->lock_names);
    if (a->outputs != NULL) {
        for (size_t i = 0; i < a->input_count; i++)
            free(a->outputs[i]);
        free(a->outputs);
    }
    for (size_t i = 0; i < a->manifest_count; i++)
        free(a->manifest_lines[i]);
    free(a->manifest_lines);
    free(a->inputs);
}

void cli_sign_help(void)
{
    fputs("Usage: libsign sign --key KEY [OPTION]... FILE -o OUT\n"
          "   or: libsign sign --key KEY [OPTION]... FILE... --output-dir DIR\n"
          "Signs PDF files (PAdES) as incremental updates: every input's bytes stay an\n"
          "exact prefix of its output; signs XML files (XAdES, edXML, e-invoices) with an\n"
          "added ds:Signature. Inputs are never changed.\n"
          "\n"
          "Key:\n"
          "  --key KEY            a PKCS#11 URI (pkcs11:token=LABEL;id=%01;type=private), a\n"
          "                       PKCS#12 file (.p12, .pfx) or a PEM/DER private key file\n"
          "  --module PATH        PKCS#11 module (else the URI's module-path, else\n"
          "                       $LIBSIGN_PKCS11_MODULE, else p11-kit's proxy)\n"
          "  --cert FILE          signer certificate, when neither the token nor KEY has it\n"
          "  --chain FILE         intermediate certificates (PEM), leaf to root\n"
          "  --pin-source SRC     where the PIN or file password comes from: env:VAR,\n"
          "                       file:PATH (one trailing newline stripped) or prompt (asked\n"
          "                       on the terminal); else the URI's pin-source. There is no\n"
          "                       option taking the PIN itself: command lines are visible to\n"
          "                       other users. Default: prompt when standard input is a\n"
          "                       terminal; otherwise a token that needs a PIN is an error.\n"
          "  --trust FILE         trust anchors to load (a PEM file, or a directory)\n"
          "\n"
          "Signature:\n"
          "  --digest ALG         sha256 (default), sha384 or sha512\n"
          "  --rsa-pss            the same as --scheme pss\n"
          "  --scheme S           auto (default: PKCS#1 v1.5 for RSA, ECDSA for EC), pkcs1,\n"
          "                       pss or ecdsa\n"
          "  --subfilter F        cades (default: ETSI.CAdES.detached) or pkcs7\n"
          "                       (adbe.pkcs7.detached, for older readers)\n"
          "  --reason TEXT        /Reason of the signature\n"
          "  --location TEXT      /Location\n"
          "  --contact TEXT       /ContactInfo\n"
          "  --name TEXT          /Name of the signer\n"
          "  --field NAME         fill the empty signature field NAME, or make a new field\n"
          "                       of that name (default: a new field Signature<N>)\n"
          "  --certify LEVEL      none (default: an approval signature), no-changes,\n"
          "                       form-filling or annotations: a certification (DocMDP),\n"
          "                       which must be the document's first signature\n"
          "  --lock-all           lock every form field (FieldMDP)\n"
          "  --lock-include NAME[,NAME...]  lock these fields\n"
          "  --lock-exclude NAME[,NAME...]  lock every field but these\n"
          "                       (one --lock-* kind at most; a kind may be repeated)\n"
          "  --include-root       embed the root certificate too\n"
          "  --time SECONDS       the claimed signing time (/M), seconds since 1970 (default:\n"
          "                       now); the certificate is still checked against now\n"
          "\n"
          "XML (a FILE starting with '<', --format xml, or any --xml-* option):\n"
          "  --xml-profile P      xades (default), edxml or einvoice\n"
          "  --xml-placement P, --xml-mode P\n"
          "                       enveloped (default), enveloping, or detached (the output is\n"
          "                       a signature referencing FILE by its name)\n"
          "  --xml-c14n C         exc (default; einvoice: c14n), c14n or c14n11\n"
          "  --xml-parent XPATH   the element the signature goes into (default: the root)\n"
          "  --xml-reference ID   sign the element with this Id (default: the whole document;\n"
          "                       einvoice: data)\n"
          "  --signer-role R      XAdES SignerRoleV2 claimed role\n"
          "  --xml-countersign ID counter-sign the XAdES signature with this Id\n"
          "\n"
          "Level (PAdES or XAdES baseline):\n"
          "  --level L            b-b (default), b-t (a signature timestamp), b-lt (plus\n"
          "                       certificates, OCSP responses and CRLs in a /DSS) or b-lta\n"
          "                       (plus a document timestamp)\n"
          "  --tsa URL            the time-stamping authority (RFC 3161), for b-t and up\n"
          "  --allow-invalid-cert sign even with an expired, not yet valid or revoked\n"
          "                       certificate (refused by default; b-lt and up check revocation)\n"
          "  --tsa-user USER      HTTP basic authentication at the TSA, with the password\n"
          "  --tsa-password-source SRC  from env:VAR or file:PATH\n"
          "  --trust FILE         also the anchors that the TSA's and the chains' evidence\n"
          "                       must reach\n"
          "\n"
          "Visible signature (default: invisible):\n"
          "  --appearance T, --template T\n"
          "                       template: person, agency, copy, attachment or text\n"
          "  --text FIELD=VALUE   title, name, organization, time, copy_form, document or\n"
          "                       text (the text template's body; \\n is not special here)\n"
          "  --image SLOT=FILE    signature or seal: a PNG (transparency kept) or JPEG; a\n"
          "                       bare --image FILE is the signature, a second one the seal\n"
          "  --seal-size W,H      the seal's real size (default: from the image, else 40 mm)\n"
          "  --font FILE          a TrueType font (default: Liberation Serif)\n"
          "  --font-size PT       the largest font size (default 11, copy: 10)\n"
          "  --units U            mm (default) or pt, for every length below\n"
          "  --box X,Y,W,H        the box on --page (default 1), from the lower left of the\n"
          "                       page as displayed\n"
          "  --visible PAGE,X,Y,W,H  the same as --page PAGE --box X,Y,W,H\n"
          "  --preset P           first-page-top-right or last-page-bottom-right (10 mm margin)\n"
          "  --anchor TEXT        put the box under TEXT (e.g. 'CHỦ TỊCH') on --page (default:\n"
          "                       the last page holding it), moved by --anchor-offset DX,DY\n"
          "  --box-size W,H       the box's size for --preset and --anchor\n"
          "\n"
          "Files:\n"
          "  FILE                 a PDF or XML file; '-' reads standard input (with -o only)\n"
          "  --manifest LIST      also every path of LIST, one per line\n"
          "  --format F           auto (default: XML when the file starts with '<'), pdf, xml\n"
          "  -o, --output OUT     where the one FILE goes; '-' writes standard output\n"
          "  --out-dir DIR, --output-dir DIR\n"
          "                       each FILE goes to DIR/<its base name>; needed for several\n"
          "                       FILEs. An output that would overwrite its input, or two\n"
          "                       FILEs with the same base name, are refused.\n"
          "  --force              overwrite outputs that exist (refused by default)\n"
          "  --resume             skip FILEs whose output exists (outputs appear only when\n"
          "                       complete) and remove temporaries an interrupted run left:\n"
          "                       finishes a batch that was killed\n"
          "  --jobs N             sign N files at a time (1 to 64; default 1)\n"
          "  --json               a summary on stdout: {\"signed\", \"failed\", \"skipped\",\n"
          "                       \"files\": [{\"input\", \"output\", \"result\", \"error\"}]}\n"
          "With --out-dir, every event (batch, start, signed, failed, skipped, end) is\n"
          "appended to DIR/.libsign-journal, one tab-separated line each.\n"
          "\n"
          "Messages:\n"
          "  -v, --verbose        log what the library does (-v info, -vv debug)\n"
          "  -q, --quiet          print nothing but errors\n"
          "  --help               show this help\n"
          "On a terminal a progress line shows done/total, the rate and the time left;\n"
          "otherwise each file gives one line on stderr, \"signed FILE -> OUT\". The\n"
          "library's warnings (e.g. a token reconnected) are shown.\n"
          "\n"
          "The key is opened once (one token login, one PIN), then every FILE is signed.\n"
          "A FILE that fails is reported as \"libsign: FILE: REASON\" and gets no output;\n"
          "the others are still signed.\n"
          "\n"
          "Exit status:\n"
          "  0  every FILE was signed\n"
          "  2  usage error: unknown option, missing or bad value; nothing was done\n"
          "  3  a FILE could not be read, is damaged, or refuses the signature; or --trust\n"
          "     could not be loaded\n"
          "  4  the key could not be opened or used (wrong PIN, token or module missing,\n"
          "     certificate expired, ...); no FILE was signed\n"
          "  5  the TSA, an OCSP responder or a CRL server failed\n"
          "  6  some FILEs were signed and others failed\n",
          stdout);
}

/* Splits "A,B,C" onto a->lock_names. */
static int add_lock_names(sign_args *a, const char *flag, const char *list)
{
    const char *p = list;

    for (;;) {
        size_t len = strcspn(p, ",");
        char **grown;

        if (len == 0)
            return cli_usage_error("sign", "%s: empty field name in '%s'", flag, list);
        grown = realloc(a->lock_names, (a->lock_count + 1) * sizeof *grown);
        if (grown == NULL)
            goto nomem;
        a->lock_names = grown;
        if ((a->lock_names[a->lock_count] = strndup(p, len)) == NULL)
            goto nomem;
        a->lock_count++;
        if (p[len] == '\0')
            return CLI_EXIT_OK;
        p += len + 1;
    }
nomem:
    cli_error("out of memory");
    return CLI_EXIT_USAGE;
}

static int set_lock(sign_args *a, const char *flag, int lock, const char *list)
{
    if (a->pdf.lock != LSIGN_LOCK_NONE && a->pdf.lock != lock)
        return cli_usage_error("sign",
                               "%s: only one of --lock-all, --lock-include and "
                               "--lock-exclude may be given",
                               flag);
    a->pdf.lock = lock;
    a->lock_flag = flag;
    return list != NULL ? add_lock_names(a, flag, list) : CLI_EXIT_OK;
}

static int parse_time(const char *arg, int64_t *out)
{
    char *end;
    long long v;

    errno = 0;
    v = strtoll(arg, &end, 10);
    if (arg[0] < '0' || arg[0] > '9' || *end != '\0' || errno != 0 || v <= 0)
        return cli_usage_error("sign",
                               "--time: '%s' is not accepted; give the signing time as a "
                               "positive number of seconds since 1970 (e.g. %s)",
                               arg, "1735689600");
    *out = (int64_t)v;
    return CLI_EXIT_OK;
}

/* The PIN source is checked here so that a mistake costs no token login. Its value is never
 * printed: it may be a PIN typed in the wrong place. */
static int check_pin_source(const char *src)
{
    if ((strncmp(src, "env:", 4) == 0 && src[4] != '\0') ||
        (strncmp(src, "file:", 5) == 0 && src[5] != '\0') || strcmp(src, "prompt") == 0)
        return CLI_EXIT_OK;
    return cli_usage_error("sign", "--pin-source: use env:VAR, file:PATH or prompt (the value "
                                   "given is not shown: it might be a PIN)");
}

/* --manifest: one input path per line; blank lines are skipped. */
static int read_manifest(sign_args *a)
{
    FILE *f = fopen(a->manifest, "r");
    char *line = NULL;
    size_t cap = 0, slots = 0;
    ssize_t n;
    int rc = CLI_EXIT_OK;

    if (f == NULL) {
        cli_error("--manifest: cannot read '%s': %s", a->manifest, strerror(errno));
        return CLI_EXIT_INPUT;
    }
    while (rc == CLI_EXIT_OK && (n = getline(&line, &cap, f)) >= 0) {
        char **grown;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n == 0)
            continue;
        if (a->manifest_count == slots) {
            slots = slots ? slots * 2 : 64;
            grown = realloc(a->manifest_lines, slots * sizeof *grown);
            if (grown == NULL) {
                rc = CLI_EXIT_USAGE;
                cli_error("out of memory");
                break;
            }
            a->manifest_lines = grown;
        }
        if ((a->manifest_lines[a->manifest_count] = strdup(line)) == NULL) {
            rc = CLI_EXIT_USAGE;
            cli_error("out of memory");
        } else {
            a->manifest_count++;
        }
    }
    free(line);
    fclose(f);
    return rc;
}

static int parse_options(sign_args *a, int argc, char *argv[])
{
    int c, rc = CLI_EXIT_OK;

    opterr = 0;
    optind = 1;
    while (rc == CLI_EXIT_OK && (c = getopt_long(argc, argv, ":o:vq", long_options, NULL)) != -1) {
        switch (c) {
        case OPT_KEY: a->key = optarg; break;
        case OPT_MODULE: a->signer.module = optarg; break;
        case OPT_CERT: a->signer.cert_file = optarg; break;
        case OPT_CHAIN: a->signer.chain_file = optarg; break;
        case OPT_PIN_SOURCE:
            a->signer.pin_source = optarg;
            rc = check_pin_source(optarg);
            break;
        case OPT_DIGEST:
            rc = cli_parse_choice("sign", "--digest", optarg, digests, &a->pdf.digest);
            break;
        case OPT_SCHEME:
            rc = cli_parse_choice("sign", "--scheme", optarg, schemes, &a->pdf.scheme);
            break;
        case OPT_SUBFILTER:
            rc = cli_parse_choice("sign", "--subfilter", optarg, subfilters, &a->pdf.subfilter);
            break;
        case OPT_REASON: a->pdf.reason = optarg; break;
        case OPT_LOCATION: a->pdf.location = optarg; break;
        case OPT_CONTACT: a->pdf.contact_info = optarg; break;
        case OPT_NAME: a->pdf.name = optarg; break;
        case OPT_FIELD: a->pdf.field_name = optarg; break;
        case OPT_CERTIFY:
            rc = cli_parse_choice("sign", "--certify", optarg, certify_levels, &a->pdf.certify);
            break;
        case OPT_LOCK_ALL: rc = set_lock(a, "--lock-all", LSIGN_LOCK_ALL, NULL); break;
        case OPT_LOCK_INCLUDE:
            rc = set_lock(a, "--lock-include", LSIGN_LOCK_INCLUDE, optarg);
            break;
        case OPT_LOCK_EXCLUDE:
            rc = set_lock(a, "--lock-exclude", LSIGN_LOCK_EXCLUDE, optarg);
            break;
        case OPT_INCLUDE_ROOT: a->pdf.include_root = 1; break;
        case OPT_TIME: rc = parse_time(optarg, &a->pdf.signing_time); break;
        case OPT_TRUST: a->trust = optarg; break;
        case 'v': a->verbose++; break;
        case 'q': a->quiet = 1; break;
        case 'o':
            if (a->output != NULL)
                rc = cli_usage_error("sign", "-o/--output: given twice");
            a->output = optarg;
            break;
        case OPT_OUTPUT_DIR:
            if (a->output_dir != NULL)
                rc = cli_usage_error("sign", "--output-dir: given twice");
            a->output_dir = optarg;
            break;
        case OPT_HELP: return -1;
        case OPT_XML_PROFILE:
            a->xml_forced = 1;
            rc = cli_parse_choice("sign", "--xml-profile", optarg, xml_profiles, &a->xml.profile);
            break;
        case OPT_XML_PLACEMENT:
            a->xml_forced = 1;
            rc = cli_parse_choice("sign", "--xml-placement", optarg, xml_placements,
                                  &a->xml.placement);
            break;
        case OPT_XML_C14N:
            a->xml_forced = 1;
            rc = cli_parse_choice("sign", "--xml-c14n", optarg, xml_c14ns, &a->xml.c14n);
            break;
        case OPT_XML_PARENT: a->xml_forced = 1, a->xml.parent_xpath = optarg; break;
        case OPT_XML_REFERENCE: a->xml_forced = 1, a->xml.reference_id = optarg; break;
        case OPT_SIGNER_ROLE: a->xml.signer_role = optarg; break;
        case OPT_FORMAT:
            rc = cli_parse_choice("sign", "--format", optarg, formats, &a->format);
            break;
        case OPT_MANIFEST: a->manifest = optarg; break;
        case OPT_JOBS: rc = cli_parse_jobs("sign", optarg, &a->jobs); break;
        case OPT_RESUME: a->resume = 1; break;
        case OPT_FORCE: a->force = 1; break;
        case OPT_JSON: a->json = 1; break;
        case OPT_RSA_PSS: a->pdf.scheme = LSIGN_SCHEME_RSA_PSS; break;
        case OPT_XML_COUNTERSIGN: a->xml_forced = 1, a->xml.countersign_id = optarg; break;
        case OPT_LEVEL:
            rc = cli_parse_choice("sign", "--level", optarg, cli_pades_levels, &a->pdf.level);
            break;
        case OPT_TSA: a->tsa.url = optarg; break;
        case OPT_TSA_USER: a->tsa.user = optarg; break;
        case OPT_TSA_PASSWORD_SOURCE: a->tsa.password_source = optarg; break;
        case OPT_ALLOW_INVALID_CERT: a->signer.allow_invalid_cert = 1; break;
        default:
            rc = c >= CLI_OPT_APPEARANCE ? cli_appearance_option(&a->appearance, c, optarg)
                                         : cli_bad_option("sign", argv, c, optopt);
            break;
        }
    }
    if (rc != CLI_EXIT_OK)
        return rc;
    if (a->manifest != NULL && (rc = read_manifest(a)) != CLI_EXIT_OK)
        return rc;
    a->input_count = (size_t)(argc - optind) + a->manifest_count;
    if ((a->inputs = calloc(a->input_count + 1, sizeof *a->inputs)) == NULL) {
        cli_error("out of memory");
        return CLI_EXIT_USAGE;
    }
    for (int k = optind; k < argc; k++)
        a->inputs[k - optind] = argv[k];
    for (size_t k = 0; k < a->manifest_count; k++)
        a->inputs[(size_t)(argc - optind) + k] = a->manifest_lines[k];
    return CLI_EXIT_OK;
}

/* Where FILE goes with --output-dir: DIR/<base name of FILE>. NULL when out of memory. */
static char *output_in_dir(const char *dir, const char *file)
{
    const char *slash = strrchr(file, '/');
    const char *base = slash != NULL ? slash + 1 : file;
    size_t dir_len = strlen(dir);
    size_t size;
    char *path;

    while (dir_len > 1 && dir[dir_len - 1] == '/')
        dir_len--;
    size = dir_len + 1 + strlen(base) + 1;
    if ((path = malloc(size)) != NULL)
        snprintf(path, size, "%.*s/%s", (int)dir_len, dir, base);
    return path;
}

/* The file behind FILE or OUT ("-": the standard descriptor); 0 when there is none yet. */
static int identify(const char *name, int std_fd, struct stat *st)
{
    if (strcmp(name, "-") == 0)
        return fstat(std_fd, st) == 0 && S_ISREG(st->st_mode);
    return stat(name, st) == 0;
}

static const char *shown(const char *name, int is_output)
{
    if (strcmp(name, "-") == 0)
        return is_output ? "<stdout>" : "<stdin>";
    return name;
}

/* Checks the operands and decides every output before anything is opened. */
static int plan_outputs(sign_args *a)
{
    struct stat st;

    if (a->key == NULL)
        return cli_usage_error("sign", "--key KEY is required (a pkcs11: URI, a .p12/.pfx file "
                                       "or a PEM key file)");
    if (a->input_count == 0)
        return cli_usage_error("sign", "no FILE to sign");
    if (a->output != NULL && a->output_dir != NULL)
        return cli_usage_error("sign", "give either -o OUT or --output-dir DIR, not both");
    if (a->output == NULL && a->output_dir == NULL)
        return cli_usage_error("sign", "%s",
                               a->input_count == 1
                                   ? "missing -o OUT (or --output-dir DIR)"
                                   : "missing --output-dir DIR (needed for several FILEs)");
    if (a->output != NULL && a->input_count > 1)
        return cli_usage_error("sign", "-o takes one FILE; for %zu FILEs use --output-dir DIR",
                               a->input_count);
    if (a->output_dir != NULL && (stat(a->output_dir, &st) != 0 || !S_ISDIR(st.st_mode)))
        return cli_usage_error("sign", "--output-dir: '%s' is not a directory", a->output_dir);
    if (a->pdf.lock != LSIGN_LOCK_NONE && a->pdf.lock != LSIGN_LOCK_ALL && a->lock_count == 0)
        return cli_usage_error("sign", "%s: no field named", a->lock_flag);

    a->outputs = calloc(a->input_count, sizeof *a->outputs);
    if (a->outputs == NULL) {
        cli_error("out of memory");
        return CLI_EXIT_USAGE;
    }
    for (size_t i = 0; i < a->input_count; i++) {
        const char *in = a->inputs[i];
        struct stat in_st, out_st;

        if (a->output_dir != NULL) {
            if (strcmp(in, "-") == 0)
                return cli_usage_error("sign", "standard input ('-') needs -o OUT, not "
                                               "--output-dir");
            if (in[0] == '\0' || in[strlen(in) - 1] == '/')
                return cli_usage_error("sign", "'%s' is not a file name", in);
            a->outputs[i] = output_in_dir(a->output_dir, in);
        } else {
            a->outputs[i] = strdup(a->output);
        }
        if (a->outputs[i] == NULL) {
            cli_error("out of memory");
            return CLI_EXIT_USAGE;
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(a->outputs[i], a->outputs[j]) == 0)
                return cli_usage_error("sign", "'%s' and '%s' would both be written to '%s'",
                                       a->inputs[j], in, a->outputs[i]);
        if (identify(in, 0, &in_st) && identify(a->outputs[i], 1, &out_st) &&
            in_st.st_dev == out_st.st_dev && in_st.st_ino == out_st.st_ino)
            return cli_usage_error("sign",
                                   "%s: the output '%s' is the input file itself; inputs are "
                                   "never overwritten, write elsewhere",
                                   shown(in, 0), shown(a->outputs[i], 1));
    }
    if (a->output != NULL && strcmp(a->output, "-") == 0 && a->json)
        return cli_usage_error("sign", "--json prints on standard output, which -o - already "
                                       "writes the signed file to");
    if (a->output != NULL && strcmp(a->output, "-") == 0 && isatty(1))
        return cli_usage_error("sign", "-o -: standard output is a terminal; redirect it to a "
                                       "file or a pipe");
    return CLI_EXIT_OK;
}

/* A pin-value in the URI works, but the whole command line can be read by other users. */
static void warn_pin_in_uri(const sign_args *a)
{
    if (a->quiet || strncasecmp(a->key, "pkcs11:", 7) != 0)
        return;
    if (strstr(a->key, "pin-value=") != NULL)
        cli_warning("the key URI holds a pin-value: a PIN on the command line is visible to "
                    "other users of this machine; use --pin-source env:VAR, file:PATH or "
                    "prompt");
}

static int setup(const sign_args *a, lsign_ctx **ctx, lsign_signer **signer)
{
    int rc;

    if (lsign_ctx_new(ctx, NULL) != LSIGN_OK) {
        cli_error("%s", lsign_last_error());
        return CLI_EXIT_INPUT;
    }
    if (!a->quiet) {
        int level = a->verbose >= 2   ? LSIGN_LOG_DEBUG
                    : a->verbose == 1 ? LSIGN_LOG_INFO
                                      : LSIGN_LOG_WARNING;
        lsign_ctx_set_log(*ctx, level, cli_log_to_stderr, NULL);
    }
    if ((rc = cli_load_trust(*ctx, a->trust)) != CLI_EXIT_OK)
        return rc;
    if ((rc = cli_apply_tsa("sign", &a->tsa, *ctx)) != CLI_EXIT_OK)
        return rc;
    warn_pin_in_uri(a);
    /* The key is not named in the message: a URI may hold a PIN. */
    if (lsign_signer_open(signer, *ctx, a->key, &a->signer) != LSIGN_OK) {
        cli_error("cannot open the key: %s", lsign_last_error());
        return CLI_EXIT_KEY;
    }
    if (a->verbose)
        fprintf(stderr, "%s: key opened: %s\n", CLI_NAME, lsign_signer_subject(*signer));
    return CLI_EXIT_OK;
}

/* XML when --format or an --xml-* option says so, or (auto) when the input starts with '<'. */
static int is_xml(const sign_args *a, const lsign_input *in)
{
    if (a->format != FORMAT_AUTO)
        return a->format == FORMAT_XML;
    return a->xml_forced || lsign_input_is_xml(in);
}

/* The XML signature of one FILE, with the options PDF and XML share taken from --digest etc. */
static int sign_xml(const sign_args *a, lsign_ctx *ctx, lsign_signer *signer, lsign_input *in,
                    lsign_output *out, const char *in_name)
{
    lsign_xml_sign_options o = a->xml;
    const char *base = strrchr(in_name, '/');

    o.digest = a->pdf.digest;
    o.scheme = a->pdf.scheme;
    o.level = a->pdf.level;
    o.include_root = a->pdf.include_root;
    o.signing_time = a->pdf.signing_time;
    o.detached_uri = base != NULL ? base + 1 : in_name;
    return lsign_xml_sign(ctx, signer, in, out, &o);
}

/* What every worker of the batch uses. */
typedef struct signing {
    const sign_args *a;
    lsign_ctx *ctx;
    lsign_signer *signer;
} signing;

/* Signs FILE i to its output (a cli_batch_fn); the batch reports the outcome. */
static int sign_one(void *userdata, size_t i)
{
    const signing *s = userdata;
    const sign_args *a = s->a;
    lsign_ctx *ctx = s->ctx;
    lsign_signer *signer = s->signer;
    const char *in_name = a->inputs[i], *out_name = a->outputs[i];
    lsign_input *in = NULL;
    lsign_output *out = NULL;
    int rc;

    rc = strcmp(in_name, "-") == 0 ? lsign_input_from_fd(&in, 0)
                                   : lsign_input_from_path(&in, in_name);
    if (rc == LSIGN_OK)
        rc = strcmp(out_name, "-") == 0 ? lsign_output_to_fd(&out, 1)
                                        : lsign_output_to_path(&out, out_name);
    if (rc == LSIGN_OK)
        rc = is_xml(a, in) ? sign_xml(a, ctx, signer, in, out, in_name)
                           : lsign_pdf_sign(ctx, signer, in, out, &a->pdf);
    lsign_output_free(out);
    lsign_input_free(in);
    return rc;
}

/* Every FILE through the batch runner, with a journal in --output-dir. */
static int run_batch(const sign_args *a, lsign_ctx *ctx, lsign_signer *signer)
{
    signing s = {a, ctx, signer};
    cli_batch_options o = {a->jobs, a->resume, a->force, a->quiet, a->json, NULL};
    cli_batch_item *items = calloc(a->input_count, sizeof *items);
    char *journal = a->output_dir != NULL ? output_in_dir(a->output_dir, ".libsign-journal") : NULL;
    int rc;

    if (items == NULL || (a->output_dir != NULL && journal == NULL)) {
        free(items);
        cli_error("out of memory");
        return CLI_EXIT_INPUT;
    }
    for (size_t i = 0; i < a->input_count; i++) {
        items[i].input = a->inputs[i];
        items[i].output = a->outputs[i];
    }
    o.journal = journal;
    rc = cli_batch_run(items, a->input_count, &o, sign_one, &s);
    cli_batch_free_errors(items, a->input_count);
    free(items);
    free(journal);
    return rc;
}

int cli_cmd_sign(int argc, char *argv[])
{
    sign_args a;
    lsign_ctx *ctx = NULL;
    lsign_signer *signer = NULL;
    int rc;

    memset(&a, 0, sizeof a);
    if (lsign_signer_options_init(&a.signer, LSIGN_SIGNER_OPTIONS_VERSION) != LSIGN_OK ||
        lsign_pdf_sign_options_init(&a.pdf, LSIGN_PDF_SIGN_OPTIONS_VERSION) != LSIGN_OK ||
        lsign_xml_sign_options_init(&a.xml, LSIGN_XML_SIGN_OPTIONS_VERSION) != LSIGN_OK) {
        cli_error("%s", lsign_last_error());
        return CLI_EXIT_USAGE;
    }
    a.appearance.unit = LSIGN_UNIT_MM;
    a.jobs = 1;
    rc = parse_options(&a, argc, argv);
    if (rc < 0) {
        cli_sign_help();
        args_free(&a);
        return CLI_EXIT_OK;
    }
    /* Without --pin-source a person at a terminal is asked; a batch job gets an error. */
    if (rc == CLI_EXIT_OK && a.signer.pin_source == NULL && isatty(STDIN_FILENO))
        a.signer.pin_source = "prompt";
    if (rc == CLI_EXIT_OK && a.verbose && a.quiet)
        rc = cli_usage_error("sign", "-v/--verbose and -q/--quiet exclude each other");
    if (rc == CLI_EXIT_OK)
        rc = plan_outputs(&a);
    if (rc == CLI_EXIT_OK)
        rc = cli_appearance_build(&a.appearance, &a.visible);
    if (rc == CLI_EXIT_OK) {
        a.pdf.appearance = a.visible;
        a.pdf.lock_fields = (const char *const *)a.lock_names;
        a.pdf.lock_field_count = a.lock_count;
        rc = setup(&a, &ctx, &signer);
    }
    if (rc == CLI_EXIT_OK)
        rc = run_batch(&a, ctx, signer);
    lsign_signer_free(signer);
    lsign_ctx_free(ctx);
    args_free(&a);
    return rc;
}
