/* attnlog.h — the attention log (DESIGN §3 `attn.zst`): the attention maps of a few probe
 * examples at chosen training steps, as independent zstd frames, one per logged step, so that
 * anyone can open it with the zstd CLI or numpy (format: docs/attention-log.md).
 *
 * Each frame decompresses to one self-describing record: a header (magic, version, step,
 * layers, heads, examples, T, dtype), the chain id and chain index of every position of every
 * example (so a reader can sort positions along their chains), then the weights
 * [layers][heads][examples][T][T] (row = attending position) in f32, f16 or u8. Frames carry
 * zstd's content size and checksum.
 *
 * The writer appends to a memory buffer: a job's log travels between MPI ranks as these bytes,
 * unchanged, and rank 0 writes them to jobs/<id>/attn.zst. The reader checks everything and
 * reports corruption or truncation with the byte offset; it never trusts a size it has not
 * checked against the file. */
#ifndef HOPSWEEP_ATTNLOG_H
#define HOPSWEEP_ATTNLOG_H

#include <stddef.h>
#include <stdint.h>

#include "hopsweep/config.h" /* hs_dtype: HS_DTYPE_F32, HS_DTYPE_F16, HS_DTYPE_U8 */
#include "hopsweep/error.h"

/* Shape of every frame of one log. */
typedef struct hs_attnlog_shape {
    int layers, heads, examples, T;
    hs_dtype dtype;
} hs_attnlog_shape;

typedef struct hs_attnlog_writer {
    hs_attnlog_shape shape;
    void *cctx;             /* ZSTD_CCtx */
    unsigned char *staging; /* one frame's uncompressed record (bounded: one frame) */
    size_t staging_size;
    unsigned char *out; /* the compressed log so far */
    size_t out_len, out_cap;
    int frames;    /* frames in out (since the last take) */
    int last_step; /* step of the last frame appended, -1 before the first */
} hs_attnlog_writer;

/* Every dimension >= 1 and at most HS_ATTNLOG_MAX_WEIGHTS weights per frame, else HS_EINPUT
 * (HS_ENOMEM when memory runs out). A refused writer holds nothing; freeing it is harmless. */
hs_status hs_attnlog_writer_init(hs_attnlog_writer *w, const hs_attnlog_shape *shape, hs_err *err);
/* Appends one frame. att[l] points to layer l's probabilities [examples][heads][T][T] (the
 * model's activation layout, row = attending position); chain and index are [examples][T].
 * Steps must be >= 0 and increase from frame to frame, also across hs_attnlog_take (the pieces
 * taken, concatenated, are one log); anything else is HS_EINTERNAL. */
hs_status hs_attnlog_append(hs_attnlog_writer *w, int step, const float *const *att,
                            const int32_t *chain, const int32_t *index, hs_err *err);
/* Hands over the compressed bytes (caller frees; NULL and 0 when no frame was written since the
 * last take) and resets the buffer; the writer stays usable. */
void hs_attnlog_take(hs_attnlog_writer *w, char **bytes, size_t *n);
void hs_attnlog_writer_free(hs_attnlog_writer *w);

/* One frame as the reader returns it: weights converted to float. */
typedef struct hs_attnlog_frame {
    int step;
    hs_attnlog_shape shape;
    int32_t *chain, *index; /* [examples][T] */
    float *weights;         /* [layers][heads][examples][T][T] */
} hs_attnlog_frame;

typedef struct hs_attnlog_entry {
    int step;
    uint64_t offset; /* byte offset of the frame in the file */
    uint64_t size;   /* compressed size */
} hs_attnlog_entry;

typedef struct hs_attnlog_reader {
    const char *path;    /* for messages (the caller's string: it must outlive the reader) */
    unsigned char *data; /* the whole file */
    size_t size;
    hs_attnlog_entry *frames;
    int n_frames;
    hs_attnlog_shape shape; /* of every frame (all frames of a log share it); zero if none */
    char notice[512];       /* a truncated or corrupt tail that was skipped, or empty */
} hs_attnlog_reader;

/* Reads path (hs_attnlog_open_bytes: a copy of the n bytes given, called `name` in messages),
 * indexes its frames and verifies each one completely (header, sizes, checksum) with a bounded
 * scratch buffer, so that a frame is only ever allocated for once it has been seen whole. A
 * truncated or corrupt last frame (or trailing junk) is reported in notice and skipped;
 * anything wrong before it, a file with no readable frame, frames of different shapes or steps
 * that do not increase are errors (HS_EINPUT) naming the byte offset. An empty file is a log
 * of no frames. An unreadable file is HS_EIO. On failure the reader holds nothing to close. */
hs_status hs_attnlog_open(hs_attnlog_reader *r, const char *path, hs_err *err);
hs_status hs_attnlog_open_bytes(hs_attnlog_reader *r, const void *bytes, size_t n, const char *name,
                                hs_err *err);
/* As hs_attnlog_open, but each frame's zstd and record headers only are checked (its first
 * HEADER bytes decompressed), not its content or checksum: listing a log costs its headers, not
 * its weights. hs_attnlog_read still verifies the frame it decodes. */
hs_status hs_attnlog_open_headers(hs_attnlog_reader *r, const char *path, hs_err *err);
/* Decodes frame i, verifying its checksum, header and sizes again (HS_EINPUT naming the byte
 * offset if they fail). On failure f holds nothing to free. */
hs_status hs_attnlog_read(const hs_attnlog_reader *r, int i, hs_attnlog_frame *f, hs_err *err);
/* Index of the frame logged at `step`, -1 if none. */
int hs_attnlog_find(const hs_attnlog_reader *r, int step);
void hs_attnlog_frame_free(hs_attnlog_frame *f);
void hs_attnlog_close(hs_attnlog_reader *r);

/* Largest absolute error of a weight in [0, 1] stored as dtype and read back: f32 0, f16 2^-12
 * (IEEE binary16, round to nearest even), u8 1/510 + 2^-25 (round(w*255), read as the float
 * nearest q/255). */
double hs_attnlog_dtype_error(hs_dtype d);
/* "f32", "f16", "u8" (the config's names), or "?" for anything else. */
const char *hs_attnlog_dtype_name(hs_dtype d);

/* Most weights one frame may hold (layers*heads*examples*T*T): 2^28, 1 GiB as f32. */
#define HS_ATTNLOG_MAX_WEIGHTS ((uint64_t)1 << 28)

#endif
