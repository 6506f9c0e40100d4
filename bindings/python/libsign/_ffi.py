"""The C declarations of libsign's public headers (ABI mode) and the loaded library.

Only the exported lsign_* API is declared; option structs are declared field
for field as the headers define them (version 1), and passed by pointer.
The library is found, in order: $LIBSIGN_LIBRARY, a build tree next to this
source tree (build/libsign.so.1), then the system's libsign.so.1.
"""
from __future__ import annotations

import os

from cffi import FFI

CDEF = """
typedef struct lsign_ctx lsign_ctx;
typedef struct lsign_signer lsign_signer;
typedef struct lsign_input lsign_input;
typedef struct lsign_output lsign_output;
typedef struct lsign_report lsign_report;
typedef struct lsign_appearance lsign_appearance;
typedef struct lsign_token_list lsign_token_list;
typedef struct lsign_inspection lsign_inspection;

const char *lsign_strerror(int status);
const char *lsign_version(void);
void lsign_free_string(char *s);
const char *lsign_last_error(void);
int lsign_last_error_code(void);
void lsign_error_clear(void);

typedef struct lsign_ctx_options {
    unsigned int version;
    unsigned int max_depth;
    uint64_t max_objects;
    uint64_t max_stream_bytes;
    unsigned int timeout_ms;
    uint64_t max_response_bytes;
    unsigned int retries;
    int offline;
    int revocation;
} lsign_ctx_options;
int lsign_ctx_options_init(lsign_ctx_options *opts, unsigned int version);
int lsign_ctx_new(lsign_ctx **out, const lsign_ctx_options *opts);
void lsign_ctx_free(lsign_ctx *ctx);
int lsign_ctx_add_trust_file(lsign_ctx *ctx, const char *path);
int lsign_ctx_add_trust_dir(lsign_ctx *ctx, const char *path);
int lsign_ctx_add_intermediates(lsign_ctx *ctx, const char *path);
int lsign_ctx_set_tsa(lsign_ctx *ctx, const char *url, const char *user, const char *password_source);
int lsign_ctx_set_language(lsign_ctx *ctx, int lang);

int lsign_input_from_path(lsign_input **out, const char *path);
int lsign_input_from_fd(lsign_input **out, int fd);
int lsign_input_from_memory(lsign_input **out, const void *data, size_t len);
void lsign_input_free(lsign_input *in);
int lsign_output_to_path(lsign_output **out, const char *path);
int lsign_output_to_memory(lsign_output **out);
int lsign_output_memory(const lsign_output *out, const unsigned char **data, size_t *len);
void lsign_output_free(lsign_output *out);

typedef int (*lsign_pin_fn)(const char *what, unsigned int flags, char *buf, size_t size,
                            size_t *len, void *userdata);
typedef struct lsign_signer_options {
    unsigned int version;
    const char *module;
    const char *cert_file;
    const char *chain_file;
    const char *pin_source;
    lsign_pin_fn pin_callback;
    void *pin_userdata;
    int allow_invalid_cert;
    int64_t check_time;
    unsigned int max_parallel;
} lsign_signer_options;
int lsign_signer_options_init(lsign_signer_options *opts, unsigned int version);
int lsign_signer_open(lsign_signer **out, const lsign_ctx *ctx, const char *key,
                      const lsign_signer_options *opts);
void lsign_signer_free(lsign_signer *signer);
size_t lsign_signer_cert_count(const lsign_signer *signer);
int lsign_signer_cert_der(const lsign_signer *signer, size_t index, const unsigned char **der,
                          size_t *der_len);
const char *lsign_signer_subject(const lsign_signer *signer);

int lsign_appearance_new(lsign_appearance **out, const char *name);
void lsign_appearance_free(lsign_appearance *ap);
int lsign_appearance_set_text(lsign_appearance *ap, const char *field, const char *text);
int lsign_appearance_set_image(lsign_appearance *ap, const char *slot, const char *path);
int lsign_appearance_set_font(lsign_appearance *ap, const char *path);
int lsign_appearance_place(lsign_appearance *ap, int page, double x, double y, double width,
                           double height, int unit);
int lsign_appearance_place_preset(lsign_appearance *ap, const char *preset, double width,
                                  double height, double margin, int unit);
int lsign_appearance_place_at_text(lsign_appearance *ap, int page, const char *text, double dx,
                                   double dy, double width, double height, int unit);

typedef struct lsign_pdf_sign_options {
    unsigned int version;
    int level;
    int digest;
    int scheme;
    int subfilter;
    const char *reason;
    const char *location;
    const char *contact_info;
    const char *name;
    const char *field_name;
    int certify;
    int lock;
    const char *const *lock_fields;
    size_t lock_field_count;
    int include_root;
    int64_t signing_time;
    size_t reserved_size;
    const lsign_appearance *appearance;
} lsign_pdf_sign_options;
int lsign_pdf_sign_options_init(lsign_pdf_sign_options *opts, unsigned int version);
int lsign_pdf_sign(const lsign_ctx *ctx, lsign_signer *signer, const lsign_input *input, lsign_output *output,
                   const lsign_pdf_sign_options *opts);

typedef struct lsign_xml_sign_options {
    unsigned int version;
    int profile;
    int placement;
    int c14n;
    int digest;
    int scheme;
    int level;
    const char *parent_xpath;
    const char *reference_id;
    const char *detached_uri;
    const char *mime_type;
    const char *signature_id;
    const char *policy_id;
    const unsigned char *policy_sha256;
    const char *signer_role;
    const char *countersign_id;
    int include_root;
    int64_t signing_time;
} lsign_xml_sign_options;
int lsign_xml_sign_options_init(lsign_xml_sign_options *opts, unsigned int version);
int lsign_xml_sign(const lsign_ctx *ctx, lsign_signer *signer, const lsign_input *input, lsign_output *output,
                   const lsign_xml_sign_options *opts);

typedef struct lsign_xml_verify_options {
    unsigned int version;
    int allow_any_element_reference;
    const char *detached_uri;
    const lsign_input *detached_data;
} lsign_xml_verify_options;
int lsign_xml_verify_options_init(lsign_xml_verify_options *opts, unsigned int version);
int lsign_xml_verify(const lsign_ctx *ctx, const lsign_input *input, const char *name,
                     const lsign_xml_verify_options *opts, lsign_report **report);
int lsign_pdf_verify(const lsign_ctx *ctx, const lsign_input *input, const char *name, lsign_report **report);
int lsign_verify(const lsign_ctx *ctx, const lsign_input *input, const char *name, lsign_report **report);

void lsign_report_free(lsign_report *r);
const char *lsign_report_file(const lsign_report *r);
const char *lsign_report_format(const lsign_report *r);
const char *lsign_report_status(const lsign_report *r);
const char *lsign_report_subindication(const lsign_report *r);
int lsign_report_json(const lsign_report *r, char **json, size_t *len);
const char *lsign_report_text(const lsign_report *r);
int lsign_report_sig_covered_content(const lsign_report *r, size_t i, size_t k,
                                     const unsigned char **data, size_t *len);

typedef struct lsign_token_list_options {
    unsigned int version;
    const char *module;
    const char *token;
    const char *pin_source;
    lsign_pin_fn pin_callback;
    void *pin_userdata;
} lsign_token_list_options;
int lsign_token_list_options_init(lsign_token_list_options *opts, unsigned int version);
int lsign_token_list_new(lsign_token_list **out, const lsign_ctx *ctx,
                         const lsign_token_list_options *opts);
void lsign_token_list_free(lsign_token_list *list);
size_t lsign_token_list_count(const lsign_token_list *list);
int lsign_token_list_kind(const lsign_token_list *list, size_t index);
const char *lsign_token_list_uri(const lsign_token_list *list, size_t index);
const char *lsign_token_list_label(const lsign_token_list *list, size_t index);
const char *lsign_token_list_details(const lsign_token_list *list, size_t index);

int lsign_inspect(const lsign_ctx *ctx, const lsign_input *input, lsign_inspection **out);
void lsign_inspection_free(lsign_inspection *inspection);
const char *lsign_inspection_json(const lsign_inspection *inspection);
"""

ffi = FFI()
ffi.cdef(CDEF)


def _candidates():
    env = os.environ.get("LIBSIGN_LIBRARY")
    if env:
        yield env
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(os.path.dirname(os.path.dirname(here)))
    for build in ("build", "build-asan"):
        yield os.path.join(repo, build, "libsign.so.1")
    yield "libsign.so.1"


def _load():
    errors = []
    for path in _candidates():
        if os.sep in path and not os.path.exists(path):
            continue
        try:
            return ffi.dlopen(path)
        except OSError as e:  # the next candidate
            errors.append(f"{path}: {e}")
    raise OSError("libsign.so.1 not found (set LIBSIGN_LIBRARY): " + "; ".join(errors))


lib = _load()


class Handle:
    """Owns one C handle (freed by its lsign_*_free when closed or collected)."""

    _ptr = None
    _what = "handle"

    def _own(self, ptr, free) -> None:
        self._ptr = ffi.gc(ptr, free)

    @property
    def ptr(self):
        """The C handle, for the other classes of this package."""
        if self._ptr is None:
            from .errors import InvalidArgumentError
            raise InvalidArgumentError(f"the {self._what} is closed", -1)
        return self._ptr

    def close(self) -> None:
        """Releases the C handle now (otherwise when collected)."""
        if self._ptr is not None:
            ffi.release(self._ptr)
            self._ptr = None

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
