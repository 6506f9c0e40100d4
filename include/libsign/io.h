/**
 * @file
 * libsign: where documents come from and where results go.
 *
 * An input is a file path, a file descriptor or a memory buffer. Files
 * larger than 1 MiB are memory-mapped, so a 1 GB PDF costs address space,
 * not memory; smaller ones are read; a pipe is read to its end. An input is
 * never written to.
 *
 * An output is a file path, a file descriptor or memory. A path output is
 * written to a temporary file beside the target and renamed over it only
 * when the operation succeeds: on any failure the target is untouched. A
 * descriptor output is written at the descriptor's position; on failure a
 * regular file is truncated back to that position. An output that is the
 * input file itself is refused (write elsewhere, then rename).
 *
 * Operations (lsign_pdf_sign(), lsign_verify(), ...) use inputs and outputs
 * during the call only and keep no reference to them; one handle may serve
 * several operations in turn. Handles are not shared between threads while
 * an operation uses them; distinct handles may be used by different threads
 * at once.
 */
#ifndef LIBSIGN_IO_H
#define LIBSIGN_IO_H

#include <stddef.h>

#include "libsign/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Opaque document source. Created by lsign_input_from_path(),
 * lsign_input_from_fd() or lsign_input_from_memory(), released by
 * lsign_input_free(); may be freed as soon as an operation using it returns.
 */
typedef struct lsign_input lsign_input;

/**
 * Opaque destination of an operation's result. Created by
 * lsign_output_to_path(), lsign_output_to_fd() or lsign_output_to_memory(),
 * released by lsign_output_free().
 */
typedef struct lsign_output lsign_output;

/**
 * Open the regular file at `path` for reading, now: a file of up to 1 MiB is
 * read into memory, a larger one mapped, so a missing or unreadable file
 * fails here. A mapped file must not be truncated or rewritten in place
 * while the input exists (replacing it with rename() is safe).
 * @param[out] out receives the input, owned by the caller (release it with
 *        lsign_input_free()). Not NULL. Set to NULL on failure, except that
 *        it is left untouched when `path` is NULL.
 * @param path the file; not NULL, used during the call only.
 * @return LSIGN_OK; LSIGN_E_INVALID_ARG (NULL argument); LSIGN_E_IO
 *   (missing, not a regular file, unreadable, cannot be mapped);
 *   LSIGN_E_PARSE (empty); LSIGN_E_NOMEM.
 */
LSIGN_EXTERN int lsign_input_from_path(lsign_input **out, const char *path);

/**
 * Read from `fd`: a regular file is used whole (from offset 0, whatever the
 * descriptor's position), read into memory up to 1 MiB and mapped beyond,
 * so a larger file must not be truncated or rewritten in place while the
 * input exists; a pipe or socket is read to its end now, up to 4 GiB.
 * @param[out] out receives the input, owned by the caller (release it with
 *        lsign_input_free()). Not NULL. Set to NULL on failure, except that
 *        it is left untouched when `fd` is negative.
 * @param fd a descriptor open for reading. It stays the caller's: libsign
 *        does not close it, and the caller may close it after this call.
 * @return LSIGN_OK; LSIGN_E_INVALID_ARG (NULL `out`, negative `fd`);
 *   LSIGN_E_IO (not an open descriptor, read or mapping failed);
 *   LSIGN_E_PARSE (empty); LSIGN_E_LIMIT (a pipe delivering more than
 *   4 GiB); LSIGN_E_NOMEM.
 */
LSIGN_EXTERN int lsign_input_from_fd(lsign_input **out, int fd);

/**
 * Read from `len` bytes at `data`. Nothing is copied.
 * @param[out] out receives the input, owned by the caller (release it with
 *        lsign_input_free()). Not NULL. Set to NULL on failure, except that
 *        it is left untouched when `data` is NULL and `len` is not 0.
 * @param data the document; not NULL. The caller keeps it, valid and
 *        unchanged, until lsign_input_free().
 * @param len its size in bytes; not 0.
 * @return LSIGN_OK; LSIGN_E_INVALID_ARG (NULL argument); LSIGN_E_PARSE
 *   (`len` is 0); LSIGN_E_NOMEM.
 */
LSIGN_EXTERN int lsign_input_from_memory(lsign_input **out, const void *data, size_t len);

/**
 * Whether the input looks like XML rather than PDF: its first byte that is
 * not blank (space, tab, CR, LF), after a UTF-8 byte order mark, is '<'.
 * This is how lsign_verify() and the command line choose; it reads no more
 * than that byte and does not check that the XML is well-formed.
 * @param in the input; NULL gives 0.
 * @return 1 when it looks like XML, else 0.
 * @since 1.1 (version node LIBSIGN_1.1).
 */
LSIGN_EXTERN int lsign_input_is_xml(const lsign_input *in);

/**
 * Release an input: unmaps a file, frees a pipe's bytes; a memory input's
 * buffer stays the caller's. Not while an operation uses the input.
 * @param in the input, or NULL (then nothing happens).
 */
LSIGN_EXTERN void lsign_input_free(lsign_input *in);

/**
 * Write to the file at `path`, created or replaced when an operation
 * succeeds. Nothing is created now. Each operation writes a temporary file
 * in the same directory (which must be writable) and renames it over
 * `path`, so a new file gets mode 0666 minus the umask, not the old file's
 * permissions.
 * @param[out] out receives the output, owned by the caller (release it with
 *        lsign_output_free()). Not NULL.
 * @param path the target; not NULL nor empty; copied.
 * @return LSIGN_OK; LSIGN_E_INVALID_ARG (NULL `out`, NULL or empty `path`);
 *   LSIGN_E_NOMEM.
 */
LSIGN_EXTERN int lsign_output_to_path(lsign_output **out, const char *path);

/**
 * Write to `fd` at its current position. A pipe works too (the result is
 * then assembled in memory first, since a signature is filled in last, and
 * written only when the operation succeeds).
 * @param[out] out receives the output, owned by the caller (release it with
 *        lsign_output_free()). Not NULL.
 * @param fd a descriptor open for writing, not in O_APPEND mode (the
 *        signature is written in place with positioned writes). It stays
 *        the caller's: libsign never closes it, and it must stay open until
 *        the last operation on this output has returned.
 * @return LSIGN_OK; LSIGN_E_INVALID_ARG (NULL `out`, negative `fd`);
 *   LSIGN_E_NOMEM.
 */
LSIGN_EXTERN int lsign_output_to_fd(lsign_output **out, int fd);

/**
 * Keep the result in memory; read it with lsign_output_memory().
 * @param[out] out receives the output, owned by the caller (release it with
 *        lsign_output_free()). Not NULL.
 * @return LSIGN_OK; LSIGN_E_INVALID_ARG (NULL `out`); LSIGN_E_NOMEM.
 */
LSIGN_EXTERN int lsign_output_to_memory(lsign_output **out);

/**
 * The bytes of the last successful operation on a memory output. A failed
 * operation leaves them as they were.
 * @param out a memory output (lsign_output_to_memory()); not NULL.
 * @param[out] data receives a pointer to the bytes, owned by the output (do
 *        not free them); valid until the next successful operation on the
 *        output or lsign_output_free(). Not NULL.
 * @param[out] len receives their number. Not NULL.
 * @return LSIGN_OK, or LSIGN_E_INVALID_ARG (NULL argument, not a memory
 *         output, or no operation has succeeded on it yet).
 */
LSIGN_EXTERN int lsign_output_memory(const lsign_output *out, const unsigned char **data,
                                     size_t *len);

/**
 * Release an output and a memory output's result. A descriptor stays open;
 * a path's file is not touched. Not while an operation uses the output.
 * @param out the output, or NULL (then nothing happens).
 */
LSIGN_EXTERN void lsign_output_free(lsign_output *out);

#ifdef __cplusplus
}
#endif

#endif
