/*
 * Reading and writing documents.
 *
 * Inputs are memory-mapped read-only (a 1 GB PDF costs address space, not
 * RAM) or wrap a caller's buffer without copying. Outputs go to a path (a
 * temporary file in the same folder, fsync'd and renamed over the target only
 * on commit, so a failure never leaves a half-written file and never touches
 * the input), to a file descriptor, or to memory. Written bytes can be
 * patched in place (the signature's /ByteRange and /Contents are filled in
 * after the rest is written).
 */
#ifndef LSI_CORE_IO_H
#define LSI_CORE_IO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>

typedef struct lsi_input {
    const unsigned char *data;
    size_t len;
    void *mapping; /* non-NULL when mmap'd: unmapped by lsi_input_close() */
    void *owned;   /* non-NULL when read into memory: freed by lsi_input_close() */
} lsi_input;

/*
 * A regular file's bytes: read into memory when small, else mapped
 * read-only. LSIGN_E_IO names the path and the reason. `st` (may be NULL)
 * receives the file's status, from the descriptor that was read.
 */
int lsi_input_open_file(const char *path, lsi_input *in, struct stat *st);
/*
 * The whole file behind `fd` (from offset 0), read or mapped as above; a pipe or socket is
 * read to its end instead, up to `max_bytes` (beyond: LSIGN_E_LIMIT).
 * The descriptor stays the caller's.
 */
int lsi_input_open_fd(int fd, uint64_t max_bytes, lsi_input *in);
/*
 * Lets the kernel drop the pages of [p, p+len) when they belong to a file
 * input mapped by this module (they come back from the file if read
 * again); does nothing for other memory. Readers of large inputs call it
 * behind them, so reading a 1 GB file does not make it resident.
 */
void lsi_input_release(const void *p, size_t len);

/* Wraps a buffer the caller keeps alive; nothing is copied. */
void lsi_input_from_memory(const void *data, size_t len, lsi_input *in);
void lsi_input_close(lsi_input *in);

typedef struct lsi_output lsi_output;

int lsi_output_to_path(const char *path, lsi_output **out);
/* Writes at the descriptor's current position; patching needs a seekable descriptor. */
int lsi_output_to_fd(int fd, lsi_output **out);
int lsi_output_to_memory(lsi_output **out);

/* Buffered for files and descriptors: flushed by lsi_output_flush(), a patch and commit. */
int lsi_output_write(lsi_output *out, const void *data, size_t len);
/* Hands the buffered bytes to the descriptor (a no-op for memory outputs). */
int lsi_output_flush(lsi_output *out);
/*
 * Copies in[offset, offset+len) to `out` in chunks, releasing each chunk's
 * pages of a mapped input afterwards, so copying a 1 GB file does not make
 * it resident.
 */
int lsi_output_copy_input(lsi_output *out, const lsi_input *in, size_t offset, size_t len);

/*
 * Calls `tap` with every byte range lsi_output_write() writes from now on
 * (NULL stops it); a non-zero return fails that write with the tap's status.
 * Patches do not pass through the tap. Used to hash while copying.
 */
typedef int (*lsi_output_tap_fn)(void *userdata, const unsigned char *data, size_t len);
void lsi_output_set_tap(lsi_output *out, lsi_output_tap_fn tap, void *userdata);

/*
 * Keeps a copy of every byte written from now on, with later patches applied,
 * so a small tail can be read back from outputs that cannot be read (fds,
 * write-only files). lsi_output_captured() gives the bytes and the offset of
 * the first one.
 */
int lsi_output_capture(lsi_output *out);
const unsigned char *lsi_output_captured(const lsi_output *out, uint64_t *offset, size_t *len);

/* 1 if written bytes can be patched (not a pipe). */
int lsi_output_can_patch(const lsi_output *out);

/* Bytes written so far. */
uint64_t lsi_output_size(const lsi_output *out);
/* Overwrites `len` bytes at `offset` (relative to the first byte written). */
int lsi_output_patch(lsi_output *out, uint64_t offset, const void *data, size_t len);

/*
 * Finishes: a path output is fsync'd and renamed over its target; an fd
 * output is fsync'd (where the descriptor supports it).
 */
int lsi_output_commit(lsi_output *out);

/* A memory output's bytes; ownership passes to the caller (free()). */
unsigned char *lsi_output_take_memory(lsi_output *out, size_t *len);

/*
 * Releases. An uncommitted path output's temporary file is removed; an
 * uncommitted output to a regular file's descriptor is truncated back to
 * where it started, so a failure leaves no partial output.
 */
void lsi_output_free(lsi_output *out);

/*
 * A scratch file for a result that is read again (a signed revision that
 * another revision extends): anonymous, removed when closed.
 */
typedef struct lsi_temp {
    FILE *file;
    lsi_output *out;
} lsi_temp;

int lsi_temp_open(lsi_temp *t);
/* Maps what was written so far as an input (closed with lsi_input_close). */
int lsi_temp_input(lsi_temp *t, lsi_input *in);
void lsi_temp_close(lsi_temp *t);

#endif
