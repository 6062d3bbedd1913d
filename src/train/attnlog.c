/* attnlog.c — the attention log (attnlog.h; byte layout in docs/attention-log.md): a writer that
 * stages one frame's record and compresses it as an independent zstd frame with its content size
 * and checksum, and a reader that walks the frames of a file, verifies each one completely, and
 * decodes one on request.
 *
 * The reader treats the file as hostile: every size is checked against the file and the frame
 * before anything is allocated for it, decoding streams into a fixed scratch buffer while
 * indexing, and zstd's window is capped so that a forged frame header cannot make it allocate. */
#include "hopsweep/attnlog.h"

#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zstd.h>
#include <zstd_errors.h>

#include "hopsweep/fileio.h"

static const unsigned char MAGIC[8] = {'H', 'S', 'A', 'T', 'T', 'N', '1', '\0'};
enum {
    VERSION = 1,
    HEADER_SIZE = 40,
    LEVEL = 3,             /* measured in docs/attention-log.md: higher levels gain little */
    WINDOW_LOG_MAX = 24,   /* 16 MiB: far above any window the writer's level uses */
    SCRATCH_SIZE = 1 << 16 /* the reader's discard buffer while verifying frames */
};
/* A log is read whole into memory; one this large is not a log. */
#define MAX_FILE ((size_t)1 << 31)

/* ---------------------------------------------------------------------------------------------
 * Little-endian fields and dtype conversions */

static void put_u32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

static uint32_t get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t float_bits(float f)
{
    uint32_t x;
    memcpy(&x, &f, sizeof x);
    return x;
}

static float bits_float(uint32_t x)
{
    float f;
    memcpy(&f, &x, sizeof f);
    return f;
}

/* IEEE binary16 of f, rounded to nearest even; overflow gives inf, NaN stays NaN. */
static uint16_t f32_to_f16(float f)
{
    uint32_t x = float_bits(f);
    uint16_t sign = (uint16_t)((x >> 16) & 0x8000);
    uint32_t ax = x & 0x7fffffff;
    if (ax >= 0x7f800000) /* inf, or NaN with a payload bit kept so it stays NaN */
        return (uint16_t)(sign | 0x7c00 | (ax > 0x7f800000 ? 0x200 | ((ax >> 13) & 0x3ff) : 0));
    if (ax >= 0x477ff000) /* 65520 and above round past the largest half, 65504 */
        return (uint16_t)(sign | 0x7c00);
    if (ax >= 0x38800000) { /* a normal half: round the 13 dropped bits to even, rebias */
        uint32_t r = ax + 0xfff + ((ax >> 13) & 1);
        return (uint16_t)(sign | ((r - 0x38000000) >> 13));
    }
    if (ax < 0x33000000) /* below 2^-25: rounds to zero (2^-25 itself ties to even zero) */
        return sign;
    /* a subnormal half: the value in units of 2^-24, rounded to even; 1024 becomes the smallest
     * normal through the carry into the exponent field */
    uint32_t m = (ax & 0x7fffff) | 0x800000;
    int shift = 126 - (int)(ax >> 23);
    uint32_t q = m >> shift, rem = m & ((1u << shift) - 1), half = 1u << (shift - 1);
    if (rem > half || (rem == half && (q & 1))) q++;
    return (uint16_t)(sign | q);
}

static float f16_to_f32(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000) << 16, e = (h >> 10) & 0x1f, m = h & 0x3ff;
    if (e == 0x1f) return bits_float(sign | 0x7f800000 | m << 13);
    if (e) return bits_float(sign | (e + 112) << 23 | m << 13);
    float v = (float)m * 0x1p-24f; /* zero or subnormal: exact in float */
    return sign ? -v : v;
}

/* round(w*255) clamped to 0..255, halves up; NaN gives 0. */
static unsigned char f32_to_u8(float w)
{
    double v = floor((double)w * 255.0 + 0.5);
    if (!(v > 0.0)) return 0;
    return v >= 255.0 ? 255 : (unsigned char)v;
}

static size_t dtype_size(hs_dtype d) { return d == HS_DTYPE_F32 ? 4 : d == HS_DTYPE_F16 ? 2 : 1; }

double hs_attnlog_dtype_error(hs_dtype d)
{
    switch (d) {
    case HS_DTYPE_F32: return 0.0;
    case HS_DTYPE_F16: return 0x1p-12;
    case HS_DTYPE_U8: return 1.0 / 510.0 + 0x1p-25;
    }
    return INFINITY;
}

/* The names are the config's (log.attention_dtype), defined once there. */
const char *hs_attnlog_dtype_name(hs_dtype d) { return hs_dtype_name(d); }

/* Weights in a frame of this shape, 0 if a dimension is below 1 or the count exceeds
 * HS_ATTNLOG_MAX_WEIGHTS. Each partial product is checked, so no product can overflow. */
static uint64_t weight_count(uint64_t layers, uint64_t heads, uint64_t examples, uint64_t T)
{
    const uint64_t dims[5] = {layers, heads, examples, T, T};
    uint64_t n = 1;
    for (int i = 0; i < 5; i++) {
        if (dims[i] < 1 || dims[i] > HS_ATTNLOG_MAX_WEIGHTS) return 0;
        n *= dims[i];
        if (n > HS_ATTNLOG_MAX_WEIGHTS) return 0;
    }
    return n;
}

static uint64_t record_size(const hs_attnlog_shape *s, uint64_t n_weights)
{
    return HEADER_SIZE + 8 * (uint64_t)s->examples * (uint64_t)s->T +
           n_weights * dtype_size(s->dtype);
}

/* ---------------------------------------------------------------------------------------------
 * Writer */

hs_status hs_attnlog_writer_init(hs_attnlog_writer *w, const hs_attnlog_shape *shape, hs_err *err)
{
    memset(w, 0, sizeof *w);
    w->last_step = -1;
    const hs_attnlog_shape *s = shape;
    if (s->dtype != HS_DTYPE_F32 && s->dtype != HS_DTYPE_F16 && s->dtype != HS_DTYPE_U8)
        return hs_fail(err, HS_EINPUT, "attention log: unknown dtype %d; use f32, f16 or u8",
                       (int)s->dtype);
    uint64_t n = weight_count(
        (uint64_t)(s->layers < 0 ? 0 : s->layers), (uint64_t)(s->heads < 0 ? 0 : s->heads),
        (uint64_t)(s->examples < 0 ? 0 : s->examples), (uint64_t)(s->T < 0 ? 0 : s->T));
    if (!n)
        return hs_fail(err, HS_EINPUT,
                       "attention log: shape %d layers x %d heads x %d examples x T %d is empty or "
                       "above %" PRIu64 " weights per frame; log fewer examples "
                       "(log.probe_examples)",
                       s->layers, s->heads, s->examples, s->T, HS_ATTNLOG_MAX_WEIGHTS);
    w->shape = *s;
    w->staging_size = (size_t)record_size(s, n);
    w->staging = malloc(w->staging_size);
    w->cctx = ZSTD_createCCtx();
    if (!w->staging || !w->cctx) {
        hs_attnlog_writer_free(w);
        return hs_fail(err, HS_ENOMEM, "out of memory for the attention log's staging buffer");
    }
    size_t r = ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_compressionLevel, LEVEL);
    if (!ZSTD_isError(r)) r = ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_checksumFlag, 1);
    if (!ZSTD_isError(r)) r = ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_contentSizeFlag, 1);
    if (ZSTD_isError(r)) {
        hs_attnlog_writer_free(w);
        return hs_fail(err, HS_EINTERNAL, "attention log: zstd refused a parameter: %s",
                       ZSTD_getErrorName(r));
    }
    return HS_OK;
}

/* Writes the record of one step into the staging buffer, transposing each layer's
 * [examples][heads][T][T] into the record's [heads][examples][T][T]. */
static void stage(hs_attnlog_writer *w, int step, const float *const *att, const int32_t *chain,
                  const int32_t *index)
{
    const hs_attnlog_shape *s = &w->shape;
    const size_t ET = (size_t)s->examples * s->T, TT = (size_t)s->T * s->T;
    unsigned char *p = w->staging;
    memcpy(p, MAGIC, sizeof MAGIC);
    const uint32_t fields[8] = {VERSION,
                                (uint32_t)step,
                                (uint32_t)s->layers,
                                (uint32_t)s->heads,
                                (uint32_t)s->examples,
                                (uint32_t)s->T,
                                (uint32_t)s->dtype,
                                0};
    for (int i = 0; i < 8; i++) put_u32(p + 8 + 4 * i, fields[i]);
    p += HEADER_SIZE;
    for (size_t i = 0; i < ET; i++, p += 4) put_u32(p, (uint32_t)chain[i]);
    for (size_t i = 0; i < ET; i++, p += 4) put_u32(p, (uint32_t)index[i]);
    for (int l = 0; l < s->layers; l++)
        for (int h = 0; h < s->heads; h++)
            for (int e = 0; e < s->examples; e++) {
                const float *src = att[l] + ((size_t)e * s->heads + h) * TT;
                switch (s->dtype) {
                case HS_DTYPE_F32:
                    for (size_t k = 0; k < TT; k++, p += 4) put_u32(p, float_bits(src[k]));
                    break;
                case HS_DTYPE_F16:
                    for (size_t k = 0; k < TT; k++, p += 2) {
                        uint16_t v = f32_to_f16(src[k]);
                        p[0] = (unsigned char)v;
                        p[1] = (unsigned char)(v >> 8);
                    }
                    break;
                case HS_DTYPE_U8:
                    for (size_t k = 0; k < TT; k++) *p++ = f32_to_u8(src[k]);
                    break;
                }
            }
}

hs_status hs_attnlog_append(hs_attnlog_writer *w, int step, const float *const *att,
                            const int32_t *chain, const int32_t *index, hs_err *err)
{
    if (step < 0 || step <= w->last_step)
        return hs_fail(err, HS_EINTERNAL,
                       "attention log: step %d logged after step %d; steps must be >= 0 and "
                       "increase (a bug in the caller)",
                       step, w->last_step);
    size_t bound = ZSTD_compressBound(w->staging_size);
    if (w->out_cap - w->out_len < bound) {
        size_t cap = w->out_cap ? w->out_cap : bound;
        while (cap - w->out_len < bound) {
            if (cap > SIZE_MAX / 2)
                return hs_fail(err, HS_ENOMEM, "attention log: the compressed log outgrew memory");
            cap *= 2;
        }
        unsigned char *bigger = realloc(w->out, cap);
        if (!bigger) return hs_fail(err, HS_ENOMEM, "out of memory growing the attention log");
        w->out = bigger;
        w->out_cap = cap;
    }
    stage(w, step, att, chain, index);
    size_t n = ZSTD_compress2(w->cctx, w->out + w->out_len, w->out_cap - w->out_len, w->staging,
                              w->staging_size);
    if (ZSTD_isError(n))
        return hs_fail(err, HS_EINTERNAL, "attention log: zstd failed on step %d: %s", step,
                       ZSTD_getErrorName(n));
    w->out_len += n;
    w->frames++;
    w->last_step = step;
    return HS_OK;
}

void hs_attnlog_take(hs_attnlog_writer *w, char **bytes, size_t *n)
{
    if (!w->out_len) {
        *bytes = NULL;
        *n = 0;
        return;
    }
    /* hand over a buffer the size of the log rather than of its doubling capacity */
    unsigned char *fit = realloc(w->out, w->out_len);
    *bytes = (char *)(fit ? fit : w->out);
    *n = w->out_len;
    w->out = NULL;
    w->out_len = w->out_cap = 0;
    w->frames = 0;
}

void hs_attnlog_writer_free(hs_attnlog_writer *w)
{
    ZSTD_freeCCtx(w->cctx);
    free(w->staging);
    free(w->out);
    memset(w, 0, sizeof *w);
    w->last_step = -1;
}

/* ---------------------------------------------------------------------------------------------
 * Reader: decoding one frame */

/* What a frame's header says, once checked against the frame's content size. */
typedef struct {
    size_t csize; /* compressed size; 0 when even that could not be found */
    int step;
    hs_attnlog_shape shape;
    uint64_t n_weights;
} frame_info;

static ZSTD_DCtx *new_dctx(void)
{
    ZSTD_DCtx *d = ZSTD_createDCtx();
    if (d && ZSTD_isError(ZSTD_DCtx_setParameter(d, ZSTD_d_windowLogMax, WINDOW_LOG_MAX))) {
        ZSTD_freeDCtx(d);
        d = NULL;
    }
    return d;
}

/* One frame being decoded: zstd's context, the frame's bytes, and whether zstd has reached the
 * frame's end (checked its content size and checksum). */
typedef struct {
    ZSTD_DCtx *d;
    ZSTD_inBuffer in;
    bool done;
    char *why; /* room for a message, why_n bytes */
    size_t why_n;
} decoder;

/* What zstd's error r means for the log. */
static const char *zstd_why(decoder *z, size_t r)
{
    if (ZSTD_getErrorCode(r) == ZSTD_error_checksum_wrong)
        return "a checksum mismatch (the frame's data is corrupt)";
    snprintf(z->why, z->why_n, "corrupt zstd data (%s)", ZSTD_getErrorName(r));
    return z->why;
}

/* Decodes exactly n bytes of the frame into dst; NULL, or why not. */
static const char *stream_exact(decoder *z, void *dst, size_t n)
{
    ZSTD_outBuffer out = {dst, n, 0};
    while (out.pos < out.size) {
        if (z->done) return "the frame ends before the record does";
        size_t in0 = z->in.pos;
        size_t r = ZSTD_decompressStream(z->d, &out, &z->in);
        if (ZSTD_isError(r)) return zstd_why(z, r);
        z->done = r == 0;
        if (!z->done && z->in.pos == in0 && out.pos < out.size) return "the frame is cut short";
    }
    return NULL;
}

/* Decodes the rest of the frame into scratch, counting the bytes in *extra, until zstd has
 * verified the content size and the checksum; NULL, or why not. */
static const char *stream_finish(decoder *z, void *scratch, size_t cap, uint64_t *extra)
{
    while (!z->done) {
        ZSTD_outBuffer out = {scratch, cap, 0};
        size_t in0 = z->in.pos;
        size_t r = ZSTD_decompressStream(z->d, &out, &z->in);
        if (ZSTD_isError(r)) return zstd_why(z, r);
        *extra += out.pos;
        z->done = r == 0;
        if (!z->done && z->in.pos == in0 && out.pos < out.size) return "the frame is cut short";
    }
    return NULL;
}

/* Finds the frame at p and checks its zstd header: sets fi->csize and *fcs. NULL, or why not. */
static const char *frame_bounds(const unsigned char *p, size_t left, frame_info *fi, uint64_t *fcs,
                                char *why, size_t why_n)
{
    fi->csize = 0;
    size_t cs = ZSTD_findFrameCompressedSize(p, left);
    if (ZSTD_isError(cs)) {
        ZSTD_ErrorCode c = ZSTD_getErrorCode(cs);
        if (c == ZSTD_error_prefix_unknown) return "not a zstd frame (wrong magic number)";
        if (c == ZSTD_error_srcSize_wrong) return "a zstd frame cut short";
        snprintf(why, why_n, "a broken zstd frame (%s)", ZSTD_getErrorName(cs));
        return why;
    }
    fi->csize = cs;
    if ((get_u32(p) & 0xfffffff0u) == 0x184d2a50u) /* the magic of zstd's skippable frames */
        return "a skippable zstd frame, not a record";
    unsigned long long n = ZSTD_getFrameContentSize(p, cs);
    if (n == ZSTD_CONTENTSIZE_UNKNOWN) return "a zstd frame without its content size";
    if (n == ZSTD_CONTENTSIZE_ERROR) return "a zstd frame with a broken header";
    /* The frame header descriptor follows the 4-byte magic; bit 2 is the checksum flag. */
    if (!(p[4] & 0x04)) return "a zstd frame without a checksum";
    *fcs = n;
    return NULL;
}

/* Checks a record header against the frame's content size; NULL, or why not. */
static const char *parse_header(const unsigned char *h, uint64_t fcs, frame_info *fi, char *why,
                                size_t why_n)
{
    if (memcmp(h, MAGIC, sizeof MAGIC)) return "a zstd frame that is not an attention record";
    uint32_t f[8];
    for (int i = 0; i < 8; i++) f[i] = get_u32(h + 8 + 4 * i);
    if (f[0] != VERSION) {
        snprintf(why, why_n, "a record of version %" PRIu32 " (this hopsweep reads version %d)",
                 f[0], VERSION);
        return why;
    }
    if (f[1] > INT32_MAX) return "a record with a negative step";
    if (f[6] > HS_DTYPE_U8) {
        snprintf(why, why_n, "a record with unknown dtype %" PRIu32, f[6]);
        return why;
    }
    if (f[7] != 0) return "a record whose reserved field is not zero";
    uint64_t n = weight_count(f[2], f[3], f[4], f[5]);
    if (!n) {
        snprintf(why, why_n,
                 "a record of shape %" PRIu32 "x%" PRIu32 "x%" PRIu32 "x%" PRIu32
                 " (empty or above %" PRIu64 " weights)",
                 f[2], f[3], f[4], f[5], HS_ATTNLOG_MAX_WEIGHTS);
        return why;
    }
    fi->step = (int)f[1];
    fi->shape = (hs_attnlog_shape){.layers = (int)f[2],
                                   .heads = (int)f[3],
                                   .examples = (int)f[4],
                                   .T = (int)f[5],
                                   .dtype = (hs_dtype)f[6]};
    fi->n_weights = n;
    uint64_t want = record_size(&fi->shape, n);
    if (want != fcs) {
        snprintf(why, why_n,
                 "a record whose header implies %" PRIu64 " bytes but whose frame holds %" PRIu64,
                 want, fcs);
        return why;
    }
    return NULL;
}

/* Verifies the frame at p (header and sizes; with whole, also its content and checksum) without
 * keeping its content. */
static const char *check_frame(ZSTD_DCtx *d, const unsigned char *p, size_t left, bool whole,
                               unsigned char *scratch, frame_info *fi, char *why, size_t why_n)
{
    uint64_t fcs = 0;
    const char *bad = frame_bounds(p, left, fi, &fcs, why, why_n);
    if (bad) return bad;
    if (fcs < HEADER_SIZE) return "a zstd frame too short for a record header";
    ZSTD_DCtx_reset(d, ZSTD_reset_session_only);
    decoder z = {d, {p, fi->csize, 0}, false, why, why_n};
    unsigned char h[HEADER_SIZE];
    if ((bad = stream_exact(&z, h, sizeof h))) return bad;
    if ((bad = parse_header(h, fcs, fi, why, why_n))) return bad;
    if (!whole) return NULL;
    uint64_t extra = 0;
    if ((bad = stream_finish(&z, scratch, SCRATCH_SIZE, &extra))) return bad;
    if (HEADER_SIZE + extra != fcs) return "a frame whose content differs from its declared size";
    return NULL;
}

/* ---------------------------------------------------------------------------------------------
 * Reader: indexing */

static bool same_shape(const hs_attnlog_shape *a, const hs_attnlog_shape *b)
{
    return a->layers == b->layers && a->heads == b->heads && a->examples == b->examples &&
           a->T == b->T && a->dtype == b->dtype;
}

/* Whether a well-formed zstd frame starts somewhere after `from`: tells corruption in the middle
 * of a log (an error) from a damaged tail (a notice) when the damage hides where a frame ends. */
static bool frame_after(const unsigned char *data, size_t size, size_t from)
{
    static const unsigned char zmagic[4] = {0x28, 0xb5, 0x2f, 0xfd};
    for (size_t i = from; i + 4 <= size; i++) {
        const unsigned char *q = memchr(data + i, zmagic[0], size - i - 3);
        if (!q) return false;
        i = (size_t)(q - data);
        if (!memcmp(q, zmagic, 4) && !ZSTD_isError(ZSTD_findFrameCompressedSize(q, size - i)))
            return true;
    }
    return false;
}

static hs_status index_frames(hs_attnlog_reader *r, bool whole, hs_err *err)
{
    ZSTD_DCtx *d = new_dctx();
    unsigned char *scratch = malloc(SCRATCH_SIZE);
    hs_status st = HS_OK;
    int cap = 0;
    size_t off = 0;
    if (!d || !scratch) {
        st = hs_fail(err, HS_ENOMEM, "%s: out of memory reading the attention log", r->path);
        goto done;
    }
    while (off < r->size) {
        frame_info fi;
        char why[200];
        const char *bad =
            check_frame(d, r->data + off, r->size - off, whole, scratch, &fi, why, sizeof why);
        if (bad) {
            size_t end = fi.csize ? off + fi.csize : r->size;
            bool later = end < r->size || (!fi.csize && frame_after(r->data, r->size, off + 1));
            if (later || r->n_frames == 0) {
                const char *what = r->n_frames || later
                                       ? "the log is damaged (rerun the job to rewrite it)"
                                       : "not an attention log (give a jobs/<id>/attn.zst)";
                st = hs_fail(err, HS_EINPUT, "%s: bad frame at byte %zu%s: %s; %s", r->path, off,
                             later ? ", before the last frame" : "", bad, what);
                goto done;
            }
            snprintf(r->notice, sizeof r->notice,
                     "%s: skipped the last %zu bytes (from byte %zu): %s; the %d frames before "
                     "them are intact",
                     r->path, r->size - off, off, bad, r->n_frames);
            break;
        }
        if (r->n_frames > 0 && !same_shape(&fi.shape, &r->shape)) {
            st = hs_fail(err, HS_EINPUT,
                         "%s: frame at byte %zu has shape %dx%dx%dx%d %s, the first %dx%dx%dx%d "
                         "%s (layers x heads x examples x T); not one log",
                         r->path, off, fi.shape.layers, fi.shape.heads, fi.shape.examples,
                         fi.shape.T, hs_attnlog_dtype_name(fi.shape.dtype), r->shape.layers,
                         r->shape.heads, r->shape.examples, r->shape.T,
                         hs_attnlog_dtype_name(r->shape.dtype));
            goto done;
        }
        if (r->n_frames > 0 && fi.step <= r->frames[r->n_frames - 1].step) {
            st = hs_fail(err, HS_EINPUT,
                         "%s: frame at byte %zu logs step %d after step %d; steps must increase "
                         "(not one log)",
                         r->path, off, fi.step, r->frames[r->n_frames - 1].step);
            goto done;
        }
        if (r->n_frames == cap) {
            int ncap = cap ? 2 * cap : 16;
            hs_attnlog_entry *bigger = realloc(r->frames, (size_t)ncap * sizeof *bigger);
            if (!bigger) {
                st = hs_fail(err, HS_ENOMEM, "%s: out of memory indexing frames", r->path);
                goto done;
            }
            r->frames = bigger;
            cap = ncap;
        }
        r->frames[r->n_frames++] =
            (hs_attnlog_entry){.step = fi.step, .offset = off, .size = fi.csize};
        r->shape = fi.shape;
        off += fi.csize;
    }
done:
    ZSTD_freeDCtx(d);
    free(scratch);
    return st;
}

static hs_status open_file(hs_attnlog_reader *r, const char *path, bool whole, hs_err *err)
{
    memset(r, 0, sizeof *r);
    r->path = path;
    char *data;
    size_t n;
    hs_status st = hs_read_file(path, MAX_FILE, &data, &n, err);
    if (st) return st;
    r->data = (unsigned char *)data;
    r->size = n;
    if ((st = index_frames(r, whole, err))) hs_attnlog_close(r);
    return st;
}

hs_status hs_attnlog_open(hs_attnlog_reader *r, const char *path, hs_err *err)
{
    return open_file(r, path, true, err);
}

hs_status hs_attnlog_open_headers(hs_attnlog_reader *r, const char *path, hs_err *err)
{
    return open_file(r, path, false, err);
}

hs_status hs_attnlog_open_bytes(hs_attnlog_reader *r, const void *bytes, size_t n, const char *name,
                                hs_err *err)
{
    memset(r, 0, sizeof *r);
    r->path = name ? name : "attention log";
    r->data = malloc(n ? n : 1);
    if (!r->data) return hs_fail(err, HS_ENOMEM, "%s: out of memory", r->path);
    if (n) memcpy(r->data, bytes, n);
    r->size = n;
    hs_status st = index_frames(r, true, err);
    if (st) hs_attnlog_close(r);
    return st;
}

int hs_attnlog_find(const hs_attnlog_reader *r, int step)
{
    int lo = 0, hi = r->n_frames; /* steps increase, as indexing checked */
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (r->frames[mid].step == step) return mid;
        if (r->frames[mid].step < step)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* ---------------------------------------------------------------------------------------------
 * Reader: decoding */

/* Widens the record's weights (raw, n of them) into floats. Narrow weights were decoded into
 * the tail of the float array and are widened front to back: element k's float ends at byte
 * 4k+4, never past where element k+1's raw bytes start. */
static void widen(float *w, const unsigned char *raw, size_t n, hs_dtype dtype)
{
    switch (dtype) {
    case HS_DTYPE_F32:
        for (size_t k = 0; k < n; k++) w[k] = bits_float(get_u32(raw + 4 * k));
        break;
    case HS_DTYPE_F16:
        for (size_t k = 0; k < n; k++)
            w[k] = f16_to_f32((uint16_t)(raw[2 * k] | raw[2 * k + 1] << 8));
        break;
    case HS_DTYPE_U8:
        for (size_t k = 0; k < n; k++) w[k] = (float)raw[k] / 255.0f;
        break;
    }
}

/* Decodes the frame at p into f; NULL, or why not (*nomem when memory ran out). */
static const char *decode_frame(ZSTD_DCtx *d, const unsigned char *p, size_t left,
                                hs_attnlog_frame *f, bool *nomem, char *why, size_t why_n)
{
    frame_info fi;
    uint64_t fcs = 0;
    const char *bad = frame_bounds(p, left, &fi, &fcs, why, why_n);
    if (bad) return bad;
    if (fcs < HEADER_SIZE) return "a zstd frame too short for a record header";
    decoder z = {d, {p, fi.csize, 0}, false, why, why_n};
    unsigned char h[HEADER_SIZE];
    if ((bad = stream_exact(&z, h, sizeof h))) return bad;
    if ((bad = parse_header(h, fcs, &fi, why, why_n))) return bad;

    const size_t ET = (size_t)fi.shape.examples * fi.shape.T, n = (size_t)fi.n_weights;
    const size_t sz = dtype_size(fi.shape.dtype);
    f->step = fi.step;
    f->shape = fi.shape;
    f->chain = malloc(ET * sizeof *f->chain);
    f->index = malloc(ET * sizeof *f->index);
    f->weights = malloc(n * sizeof *f->weights);
    if (!f->chain || !f->index || !f->weights) {
        *nomem = true;
        return "out of memory";
    }
    unsigned char *raw = (unsigned char *)f->weights + n * (4 - sz);
    unsigned char tail[16];
    uint64_t extra = 0;
    if ((bad = stream_exact(&z, f->chain, ET * 4)) || (bad = stream_exact(&z, f->index, ET * 4)) ||
        (bad = stream_exact(&z, raw, n * sz)) ||
        (bad = stream_finish(&z, tail, sizeof tail, &extra)))
        return bad;
    if (extra) return "a frame whose content differs from its declared size";
    for (size_t k = 0; k < ET; k++) { /* little-endian bytes to host order, in place */
        f->chain[k] = (int32_t)get_u32((const unsigned char *)&f->chain[k]);
        f->index[k] = (int32_t)get_u32((const unsigned char *)&f->index[k]);
    }
    widen(f->weights, raw, n, fi.shape.dtype);
    return NULL;
}

hs_status hs_attnlog_read(const hs_attnlog_reader *r, int i, hs_attnlog_frame *f, hs_err *err)
{
    memset(f, 0, sizeof *f);
    if (i < 0 || i >= r->n_frames)
        return hs_fail(err, HS_EINPUT, "%s: no frame %d (the log has %d)", r->path, i, r->n_frames);
    const size_t off = (size_t)r->frames[i].offset;
    ZSTD_DCtx *d = new_dctx();
    if (!d) return hs_fail(err, HS_ENOMEM, "%s: out of memory decoding frame %d", r->path, i);
    bool nomem = false;
    char why[200];
    const char *bad = decode_frame(d, r->data + off, r->size - off, f, &nomem, why, sizeof why);
    ZSTD_freeDCtx(d);
    if (!bad) return HS_OK;
    hs_attnlog_frame_free(f);
    if (nomem)
        return hs_fail(err, HS_ENOMEM, "%s: out of memory decoding frame %d (step %d)", r->path, i,
                       r->frames[i].step);
    return hs_fail(err, HS_EINPUT, "%s: frame %d at byte %zu: %s; the log is damaged", r->path, i,
                   off, bad);
}

void hs_attnlog_frame_free(hs_attnlog_frame *f)
{
    free(f->chain);
    free(f->index);
    free(f->weights);
    memset(f, 0, sizeof *f);
}

void hs_attnlog_close(hs_attnlog_reader *r)
{
    free(r->data);
    free(r->frames);
    memset(r, 0, sizeof *r);
}
