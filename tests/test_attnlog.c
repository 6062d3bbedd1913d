/* test_attnlog.c — unit tests of attnlog.c: round trips of multi-frame logs in every dtype (the
 * transpose into [layers][heads][examples][T][T], chain and index, steps), the dtype conversions
 * against independent oracles (every half value, every rounding tie), the writer's refusals, and
 * a reader fed hostile bytes: empty, garbage, every truncation, every single-bit flip, frames of
 * another shape or step order, and hand-made frames with broken headers. */
#include <math.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "messages.h"
#include <zstd.h>

#include "hopsweep/attnlog.h"
#include "hopsweep/fileio.h"
#include "hopsweep/rng.h"

/* ---------------------------------------------------------------------------------------------
 * Helpers */

/* A log's input: maps in the trainer's layout, att[l] = [examples][heads][T][T]. */
typedef struct {
    hs_attnlog_shape shape;
    float **att;
    int32_t *chain, *index;
} input;

static size_t map_count(const hs_attnlog_shape *s)
{
    return (size_t)s->examples * s->heads * s->T * s->T;
}

static void input_alloc(input *in, const hs_attnlog_shape *s)
{
    in->shape = *s;
    in->att = calloc((size_t)s->layers, sizeof *in->att);
    assert_non_null(in->att);
    for (int l = 0; l < s->layers; l++)
        assert_non_null(in->att[l] = malloc(sizeof(float) * map_count(s)));
    size_t ET = (size_t)s->examples * s->T;
    assert_non_null(in->chain = malloc(sizeof(int32_t) * ET));
    assert_non_null(in->index = malloc(sizeof(int32_t) * ET));
}

static void input_free(input *in)
{
    for (int l = 0; l < in->shape.layers; l++) free(in->att[l]);
    free(in->att);
    free(in->chain);
    free(in->index);
}

/* Rows of random probabilities, most of each row's mass on one entry; chain/index distinct per
 * seed, with negative values too (the format stores any int32). */
static void input_fill(input *in, uint64_t seed)
{
    hs_rng r;
    hs_rng_seed(&r, seed, HS_STREAM_PROBE);
    const int T = in->shape.T;
    for (int l = 0; l < in->shape.layers; l++)
        for (size_t row = 0; row < map_count(&in->shape) / T; row++) {
            float *w = in->att[l] + row * T, sum = 0.0f;
            int peak = (int)hs_rng_below(&r, (uint32_t)T);
            for (int u = 0; u < T; u++)
                sum += w[u] = expf(hs_rng_normal(&r) + (u == peak ? 5.0f : 0.0f));
            for (int u = 0; u < T; u++) w[u] /= sum;
        }
    for (int i = 0; i < in->shape.examples * T; i++) {
        in->chain[i] = (int32_t)hs_rng_below(&r, 9) - 1;
        in->index[i] = (int32_t)(hs_rng_next(&r) >> 32);
    }
}

/* Writes one frame per step; returns the compressed log. */
static char *write_log(input *in, const int *steps, int n_steps, size_t *n)
{
    hs_attnlog_writer w;
    hs_err err = {0};
    assert_int_equal(hs_attnlog_writer_init(&w, &in->shape, &err), HS_OK);
    for (int i = 0; i < n_steps; i++) {
        input_fill(in, (uint64_t)steps[i] + 1);
        assert_int_equal(hs_attnlog_append(&w, steps[i], (const float *const *)in->att, in->chain,
                                           in->index, &err),
                         HS_OK);
    }
    assert_int_equal(w.frames, n_steps);
    char *bytes;
    hs_attnlog_take(&w, &bytes, n);
    hs_attnlog_writer_free(&w);
    return bytes;
}

/* Asserts frame f holds what input_fill(seed) gave, within the dtype's documented error. */
static void check_frame(const hs_attnlog_frame *f, input *in, int step)
{
    const hs_attnlog_shape *s = &in->shape;
    input_fill(in, (uint64_t)step + 1);
    assert_int_equal(f->step, step);
    assert_int_equal(f->shape.layers, s->layers);
    assert_int_equal(f->shape.heads, s->heads);
    assert_int_equal(f->shape.examples, s->examples);
    assert_int_equal(f->shape.T, s->T);
    assert_int_equal(f->shape.dtype, s->dtype);
    size_t ET = (size_t)s->examples * s->T, TT = (size_t)s->T * s->T;
    assert_memory_equal(f->chain, in->chain, ET * sizeof(int32_t));
    assert_memory_equal(f->index, in->index, ET * sizeof(int32_t));
    const double tol = hs_attnlog_dtype_error(s->dtype);
    const float *got = f->weights;
    for (int l = 0; l < s->layers; l++)
        for (int h = 0; h < s->heads; h++)
            for (int e = 0; e < s->examples; e++)
                for (size_t k = 0; k < TT; k++) {
                    float want = in->att[l][((size_t)e * s->heads + h) * TT + k];
                    double d = fabs((double)*got++ - want);
                    if (d > tol)
                        fail_msg("%s l%d h%d e%d k%zu: read %.9g, wrote %.9g (error %.3g > %.3g)",
                                 hs_attnlog_dtype_name(s->dtype), l, h, e, k, got[-1], want, d,
                                 tol);
                }
}

/* A small three-frame log used by the hostile-input tests. */
static const int small_steps[3] = {0, 100, 250};
static char *small_log(hs_dtype d, size_t *n, hs_attnlog_reader *r)
{
    hs_attnlog_shape s = {.layers = 2, .heads = 2, .examples = 1, .T = 5, .dtype = d};
    input in;
    input_alloc(&in, &s);
    char *bytes = write_log(&in, small_steps, 3, n);
    input_free(&in);
    hs_err err = {0};
    assert_int_equal(hs_attnlog_open_bytes(r, bytes, *n, "small", &err), HS_OK);
    assert_int_equal(r->n_frames, 3);
    return bytes;
}

/* zstd frame of the given bytes, with or without checksum and content size. */
static unsigned char *zframe(const void *src, size_t n, int checksum, int content_size,
                             size_t *out_n)
{
    ZSTD_CCtx *c = ZSTD_createCCtx();
    assert_non_null(c);
    ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, checksum);
    ZSTD_CCtx_setParameter(c, ZSTD_c_contentSizeFlag, content_size);
    size_t cap = ZSTD_compressBound(n);
    unsigned char *dst = malloc(cap);
    assert_non_null(dst);
    ZSTD_outBuffer out = {dst, cap, 0};
    ZSTD_inBuffer in = {src, n, 0};
    /* streaming without a pledged size leaves the content size out when asked to */
    size_t rc = ZSTD_compressStream2(c, &out, &in, ZSTD_e_end);
    assert_int_equal(rc, 0);
    ZSTD_freeCCtx(c);
    *out_n = out.pos;
    return dst;
}

static void put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}

/* A record header (and zeroed body) of the given fields, body_n bytes after the header. */
static unsigned char *record(const uint32_t f[8], size_t body_n, size_t *n)
{
    *n = 40 + body_n;
    unsigned char *p = calloc(1, *n);
    assert_non_null(p);
    memcpy(p, "HSATTN1", 8);
    for (int i = 0; i < 8; i++) put32(p + 8 + 4 * i, f[i]);
    return p;
}

/* Opens bytes expecting HS_EINPUT with a one-line message holding each needle. */
static void expect_refused(const void *bytes, size_t n, const char *needle1, const char *needle2)
{
    hs_attnlog_reader r;
    hs_err err = {0};
    assert_int_equal(hs_attnlog_open_bytes(&r, bytes, n, "bad.zst", &err), HS_EINPUT);
    assert_one_line(err.msg);
    assert_has(err.msg, "bad.zst");
    assert_has(err.msg, needle1);
    if (needle2) assert_has(err.msg, needle2);
    assert_null(r.data);
    assert_null(r.frames);
}

/* ---------------------------------------------------------------------------------------------
 * Round trips */

static void round_trip(void **state)
{
    static const hs_attnlog_shape shapes[] = {
        {1, 1, 1, 1, HS_DTYPE_F32},  {2, 2, 4, 17, HS_DTYPE_F32}, {3, 1, 2, 9, HS_DTYPE_F32},
        {1, 4, 3, 40, HS_DTYPE_F32}, {2, 3, 5, 7, HS_DTYPE_F32},
    };
    static const int steps[] = {0, 1, 100, 7000, 2147483647};
    for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++)
        for (int d = HS_DTYPE_F32; d <= HS_DTYPE_U8; d++) {
            hs_attnlog_shape s = shapes[k];
            s.dtype = (hs_dtype)d;
            input in;
            input_alloc(&in, &s);
            size_t n;
            char *bytes = write_log(&in, steps, 5, &n);
            assert_non_null(bytes);
            /* independent frames: plain zstd sees five frames, each with its content size,
             * decoding on its own to a record that starts with the magic and its step */
            size_t off = 0;
            for (int i = 0; i < 5; i++) {
                size_t cs = ZSTD_findFrameCompressedSize(bytes + off, n - off);
                assert_false(ZSTD_isError(cs));
                unsigned long long fcs = ZSTD_getFrameContentSize(bytes + off, cs);
                assert_true(fcs < ZSTD_CONTENTSIZE_ERROR);
                unsigned char *rec = malloc(fcs);
                assert_non_null(rec);
                assert_int_equal(ZSTD_decompress(rec, fcs, bytes + off, cs), fcs);
                assert_memory_equal(rec, "HSATTN1", 8);
                assert_int_equal(rec[12] | rec[13] << 8 | rec[14] << 16 | (uint32_t)rec[15] << 24,
                                 steps[i]);
                free(rec);
                off += cs;
            }
            assert_int_equal(off, n);

            hs_attnlog_reader r;
            hs_err err = {0};
            if (hs_attnlog_open_bytes(&r, bytes, n, "rt", &err)) fail_msg("%s", err.msg);
            assert_int_equal(r.n_frames, 5);
            assert_string_equal(r.notice, "");
            assert_int_equal(r.shape.T, s.T);
            assert_int_equal(r.shape.dtype, s.dtype);
            for (int i = 0; i < 5; i++) {
                assert_int_equal(r.frames[i].step, steps[i]);
                assert_int_equal(hs_attnlog_find(&r, steps[i]), i);
                hs_attnlog_frame f;
                assert_int_equal(hs_attnlog_read(&r, i, &f, &err), HS_OK);
                check_frame(&f, &in, steps[i]);
                hs_attnlog_frame_free(&f);
            }
            assert_int_equal(hs_attnlog_find(&r, 2), -1);
            assert_int_equal(hs_attnlog_find(&r, -5), -1);
            hs_attnlog_close(&r);
            free(bytes);
            input_free(&in);
        }
}

/* f32 keeps every bit, including values outside [0, 1], signed zeros, inf and NaN. */
static void f32_exact(void **state)
{
    hs_attnlog_shape s = {1, 1, 1, 4, HS_DTYPE_F32};
    input in;
    input_alloc(&in, &s);
    const float v[16] = {0.0f,      -0.0f, 1.0f,         1e-45f, 0.1f,     3.5f,  -2.0f,   INFINITY,
                         -INFINITY, NAN,   0.999999940f, 1e-38f, 65504.0f, 1e30f, -1e-30f, 0.5f};
    memcpy(in.att[0], v, sizeof v);
    for (int t = 0; t < 4; t++) in.chain[t] = in.index[t] = t;
    hs_attnlog_writer w;
    hs_err err = {0};
    assert_int_equal(hs_attnlog_writer_init(&w, &s, &err), HS_OK);
    assert_int_equal(
        hs_attnlog_append(&w, 3, (const float *const *)in.att, in.chain, in.index, &err), HS_OK);
    char *bytes;
    size_t n;
    hs_attnlog_take(&w, &bytes, &n);
    hs_attnlog_writer_free(&w);
    hs_attnlog_reader r;
    assert_int_equal(hs_attnlog_open_bytes(&r, bytes, n, "x", &err), HS_OK);
    hs_attnlog_frame f;
    assert_int_equal(hs_attnlog_read(&r, 0, &f, &err), HS_OK);
    assert_memory_equal(f.weights, v, sizeof v);
    hs_attnlog_frame_free(&f);
    hs_attnlog_close(&r);
    free(bytes);
    input_free(&in);
}

/* Writes `count` floats (<= 65536) as one f16 or u8 frame and reads them back into out. */
static void through_log(const float *v, size_t count, hs_dtype d, float *out)
{
    hs_attnlog_shape s = {1, 1, 1, 256, d};
    input in;
    input_alloc(&in, &s);
    memset(in.att[0], 0, sizeof(float) * 65536);
    memcpy(in.att[0], v, sizeof(float) * count);
    memset(in.chain, 0, sizeof(int32_t) * 256);
    memset(in.index, 0, sizeof(int32_t) * 256);
    hs_attnlog_writer w;
    hs_err err = {0};
    assert_int_equal(hs_attnlog_writer_init(&w, &s, &err), HS_OK);
    assert_int_equal(
        hs_attnlog_append(&w, 0, (const float *const *)in.att, in.chain, in.index, &err), HS_OK);
    char *bytes;
    size_t n;
    hs_attnlog_take(&w, &bytes, &n);
    hs_attnlog_writer_free(&w);
    hs_attnlog_reader r;
    assert_int_equal(hs_attnlog_open_bytes(&r, bytes, n, "x", &err), HS_OK);
    hs_attnlog_frame f;
    assert_int_equal(hs_attnlog_read(&r, 0, &f, &err), HS_OK);
    memcpy(out, f.weights, sizeof(float) * count);
    hs_attnlog_frame_free(&f);
    hs_attnlog_close(&r);
    free(bytes);
    input_free(&in);
}

/* The value of binary16 pattern h, computed from the definition (not by bit tricks). */
static double half_value(unsigned h)
{
    unsigned e = (h >> 10) & 31, m = h & 1023;
    double v = e == 0    ? ldexp(m, -24)
               : e == 31 ? (m ? NAN : INFINITY)
                         : ldexp(1024 + m, (int)e - 25);
    return h & 0x8000 ? -v : v;
}

/* The binary16 pattern of f, which must be a binary16 value (0x10000 if it is not). */
static unsigned half_bits(float f)
{
    unsigned sign = signbit(f) ? 0x8000 : 0, h;
    double a = fabs((double)f);
    if (isinf(a)) {
        h = 0x7c00;
    } else if (a < 0x1p-14) {
        h = (unsigned)(a * 0x1p24);
    } else {
        int ex;
        double fr = frexp(a, &ex); /* a = fr * 2^ex, fr in [0.5, 1) */
        h = (unsigned)(ex + 14) << 10 | (unsigned)(fr * 2048 - 1024);
    }
    return half_value(h) == a ? (sign | h) : 0x10000;
}

/* Every binary16 value survives f16 unchanged; every exact midpoint between neighbours rounds
 * to the one with an even pattern (65520, between 65504 and 2^16, to inf); a float just beside
 * a midpoint rounds to the nearer side. */
static void f16_every_value_and_tie(void **state)
{
    float *v = malloc(sizeof(float) * 65536), *out = malloc(sizeof(float) * 65536);
    assert_non_null(v);
    assert_non_null(out);
    for (unsigned h = 0; h < 65536; h++) v[h] = (float)half_value(h);
    through_log(v, 65536, HS_DTYPE_F16, out);
    for (unsigned h = 0; h < 65536; h++) {
        if (isnan(v[h])) {
            assert_true(isnan(out[h]));
            continue;
        }
        if (memcmp(&out[h], &v[h], sizeof(float)))
            fail_msg("half 0x%04x (%.9g) read back as %.9g", h, v[h], out[h]);
    }

    /* positive patterns 0 .. 0x7bff and their upper neighbours (0x7c00 = inf), both signs */
    for (int kind = 0; kind < 3; kind++) { /* 0: the tie, 1: just below it, 2: just above */
        size_t count = 0;
        for (unsigned sign = 0; sign <= 0x8000; sign += 0x8000)
            for (unsigned h = 0; h < 0x7c00; h++) {
                double lo = half_value(h), hi = h + 1 == 0x7c00 ? 65536.0 : half_value(h + 1);
                float mid = (float)((lo + hi) / 2); /* exact: halves have 11 significant bits */
                assert_true((double)mid == (lo + hi) / 2);
                if (kind == 1) mid = nextafterf(mid, 0.0f);
                if (kind == 2) mid = nextafterf(mid, INFINITY);
                v[count++] = sign ? -mid : mid;
            }
        through_log(v, count, HS_DTYPE_F16, out);
        count = 0;
        for (unsigned sign = 0; sign <= 0x8000; sign += 0x8000)
            for (unsigned h = 0; h < 0x7c00; h++, count++) {
                unsigned want = kind == 0 ? (h & 1 ? h + 1 : h) : kind == 1 ? h : h + 1;
                want |= sign;
                unsigned got = half_bits(out[count]);
                if (got != want)
                    fail_msg("kind %d: %.9g became half 0x%04x, want 0x%04x", kind, v[count], got,
                             want);
            }
    }
    free(v);
    free(out);
}

/* Against the compiler's own binary16 where it has one: random floats of every magnitude. */
static void f16_against_compiler(void **state)
{
#ifdef __FLT16_MANT_DIG__
    hs_rng r;
    hs_rng_seed(&r, 42, HS_STREAM_DATA);
    float *v = malloc(sizeof(float) * 65536), *out = malloc(sizeof(float) * 65536);
    assert_non_null(v);
    assert_non_null(out);
    for (int rep = 0; rep < 8; rep++) {
        for (int i = 0; i < 65536; i++) {
            uint32_t bits = (uint32_t)hs_rng_next(&r);
            if (rep % 2) bits = (bits & 0x807fffff) | (uint32_t)(96 + hs_rng_below(&r, 48)) << 23;
            memcpy(&v[i], &bits, sizeof bits);
            if (isnan(v[i])) v[i] = 0.25f;
        }
        through_log(v, 65536, HS_DTYPE_F16, out);
        for (int i = 0; i < 65536; i++) {
            float want = (float)(_Float16)v[i];
            if (memcmp(&want, &out[i], sizeof want))
                fail_msg("%.9g: read %.9g, the compiler's _Float16 gives %.9g", v[i], out[i], want);
        }
    }
    free(v);
    free(out);
#else
    skip();
#endif
}

/* u8: round(w*255) with halves up, clamped; NaN reads as 0; the error bound holds on [0, 1]. */
static void u8_rounding(void **state)
{
    const float v[] = {0.0f,      1.0f,          0.5f,  -0.25f,   1.5f,     NAN,     INFINITY,
                       -INFINITY, 1.0f / 255.0f, 0.25f, 0.00196f, 0.00197f, 0.9980f, 0.9981f};
    const int q[] = {0, 255, 128, 0, 255, 0, 255, 0, 1, 64, 0, 1, 254, 255};
    size_t n = sizeof v / sizeof v[0];
    float out[sizeof v / sizeof v[0]];
    through_log(v, n, HS_DTYPE_U8, out);
    for (size_t i = 0; i < n; i++)
        if (out[i] != (float)q[i] / 255.0f)
            fail_msg("%.9g read back as %.9g, want %d/255", v[i], out[i], q[i]);

    float *w = malloc(sizeof(float) * 65536), *back = malloc(sizeof(float) * 65536);
    assert_non_null(w);
    assert_non_null(back);
    hs_rng r;
    hs_rng_seed(&r, 5, HS_STREAM_DATA);
    for (int i = 0; i < 65536; i++)
        w[i] = i < 32768 ? hs_rng_uniform(&r) : (float)(i - 32768) / 32767.0f;
    through_log(w, 65536, HS_DTYPE_U8, back);
    double worst = 0.0;
    for (int i = 0; i < 65536; i++) worst = fmax(worst, fabs((double)back[i] - w[i]));
    assert_true(worst <= hs_attnlog_dtype_error(HS_DTYPE_U8));
    assert_true(worst > 0.99 / 510.0); /* the bound is tight, not loose by a factor */
    free(w);
    free(back);
}

static void dtype_names_and_errors(void **state)
{
    assert_string_equal(hs_attnlog_dtype_name(HS_DTYPE_F32), "f32");
    assert_string_equal(hs_attnlog_dtype_name(HS_DTYPE_F16), "f16");
    assert_string_equal(hs_attnlog_dtype_name(HS_DTYPE_U8), "u8");
    assert_string_equal(hs_attnlog_dtype_name((hs_dtype)9), "?");
    assert_true(hs_attnlog_dtype_error(HS_DTYPE_F32) == 0.0);
    assert_true(hs_attnlog_dtype_error(HS_DTYPE_F16) == 1.0 / 4096);
    assert_true(fabs(hs_attnlog_dtype_error(HS_DTYPE_U8) - 1.0 / 510) < 1e-7);
}

/* ---------------------------------------------------------------------------------------------
 * Writer */

static void writer_refusals(void **state)
{
    static const hs_attnlog_shape bad[] = {
        {0, 1, 1, 1, HS_DTYPE_F16}, {1, -2, 1, 1, HS_DTYPE_F16},    {1, 1, 0, 1, HS_DTYPE_F16},
        {1, 1, 1, 0, HS_DTYPE_F16}, {64, 64, 64, 64, HS_DTYPE_F16}, {1, 1, 1, 65536, HS_DTYPE_U8},
        {1, 1, 1, 3, (hs_dtype)7},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        hs_attnlog_writer w;
        hs_err err = {0};
        assert_int_equal(hs_attnlog_writer_init(&w, &bad[k], &err), HS_EINPUT);
        assert_one_line(err.msg);
        assert_has(err.msg, "attention log");
        assert_null(w.staging);
        assert_null(w.cctx);
        hs_attnlog_writer_free(&w); /* harmless on a refused writer */
    }

    hs_attnlog_shape s = {1, 1, 2, 3, HS_DTYPE_F16};
    input in;
    input_alloc(&in, &s);
    input_fill(&in, 1);
    hs_attnlog_writer w;
    hs_err err = {0};
    assert_int_equal(hs_attnlog_writer_init(&w, &s, &err), HS_OK);
    const float *const *att = (const float *const *)in.att;
    assert_int_equal(hs_attnlog_append(&w, -1, att, in.chain, in.index, &err), HS_EINTERNAL);
    assert_one_line(err.msg);
    assert_int_equal(hs_attnlog_append(&w, 5, att, in.chain, in.index, &err), HS_OK);
    assert_int_equal(hs_attnlog_append(&w, 5, att, in.chain, in.index, &err), HS_EINTERNAL);
    assert_has(err.msg, "step 5 logged after step 5");
    assert_int_equal(hs_attnlog_append(&w, 4, att, in.chain, in.index, &err), HS_EINTERNAL);
    assert_int_equal(w.frames, 1);
    hs_attnlog_writer_free(&w);
    input_free(&in);
}

/* Taking hands over what was written since the last take; the pieces concatenated are one log,
 * and a take with nothing new gives NULL. */
static void take_in_pieces(void **state)
{
    hs_attnlog_shape s = {2, 1, 1, 6, HS_DTYPE_U8};
    input in;
    input_alloc(&in, &s);
    hs_attnlog_writer w;
    hs_err err = {0};
    assert_int_equal(hs_attnlog_writer_init(&w, &s, &err), HS_OK);
    char *a, *b, *none;
    size_t na, nb, nn;
    hs_attnlog_take(&w, &none, &nn);
    assert_null(none);
    assert_int_equal(nn, 0);
    const int steps[4] = {10, 20, 30, 40};
    for (int i = 0; i < 4; i++) {
        input_fill(&in, (uint64_t)steps[i] + 1);
        assert_int_equal(
            hs_attnlog_append(&w, steps[i], (const float *const *)in.att, in.chain, in.index, &err),
            HS_OK);
        if (i == 0) hs_attnlog_take(&w, &a, &na);
    }
    assert_int_equal(w.frames, 3);
    hs_attnlog_take(&w, &b, &nb);
    hs_attnlog_take(&w, &none, &nn);
    assert_null(none);
    hs_attnlog_writer_free(&w);

    char *both = malloc(na + nb);
    assert_non_null(both);
    memcpy(both, a, na);
    memcpy(both + na, b, nb);
    hs_attnlog_reader r;
    assert_int_equal(hs_attnlog_open_bytes(&r, both, na + nb, "pieces", &err), HS_OK);
    assert_int_equal(r.n_frames, 4);
    for (int i = 0; i < 4; i++) {
        hs_attnlog_frame f;
        assert_int_equal(hs_attnlog_read(&r, i, &f, &err), HS_OK);
        check_frame(&f, &in, steps[i]);
        hs_attnlog_frame_free(&f);
    }
    hs_attnlog_close(&r);
    free(a);
    free(b);
    free(both);
    input_free(&in);
}

/* ---------------------------------------------------------------------------------------------
 * Reader on hostile input */

static void empty_and_garbage(void **state)
{
    hs_attnlog_reader r;
    hs_err err = {0};
    assert_int_equal(hs_attnlog_open_bytes(&r, "", 0, "empty", &err), HS_OK);
    assert_int_equal(r.n_frames, 0);
    assert_int_equal(hs_attnlog_find(&r, 0), -1);
    hs_attnlog_frame f;
    assert_int_equal(hs_attnlog_read(&r, 0, &f, &err), HS_EINPUT);
    assert_one_line(err.msg);
    hs_attnlog_close(&r);

    const char text[] = "step,loss\n0,4.1\n";
    expect_refused(text, sizeof text - 1, "not a zstd frame", "at byte 0");
    unsigned char noise[4096];
    hs_rng g;
    hs_rng_seed(&g, 3, HS_STREAM_DATA);
    for (size_t i = 0; i < sizeof noise; i++) noise[i] = (unsigned char)hs_rng_next(&g);
    expect_refused(noise, sizeof noise, "at byte 0", NULL);
    /* the zstd magic and then junk */
    memcpy(noise, "\x28\xb5\x2f\xfd", 4);
    expect_refused(noise, sizeof noise, "at byte 0", NULL);

    /* a real log followed by junk: the junk is a damaged tail, skipped with a notice */
    size_t n;
    char *bytes = small_log(HS_DTYPE_F16, &n, &r);
    hs_attnlog_close(&r);
    char *more = malloc(n + sizeof text);
    assert_non_null(more);
    memcpy(more, bytes, n);
    memcpy(more + n, text, sizeof text);
    assert_int_equal(hs_attnlog_open_bytes(&r, more, n + sizeof text, "tail", &err), HS_OK);
    assert_int_equal(r.n_frames, 3);
    char at[64];
    snprintf(at, sizeof at, "from byte %zu", n);
    assert_has(r.notice, at);
    assert_one_line(r.notice);
    hs_attnlog_close(&r);
    free(more);
    free(bytes);

    assert_int_equal(hs_attnlog_open(&r, "/nonexistent/attn.zst", &err), HS_EIO);
    assert_has(err.msg, "/nonexistent/attn.zst");
    assert_one_line(err.msg);
}

/* Every cut of a three-frame log: frames before the cut are kept, the cut frame is reported at
 * its offset, a cut inside the first frame is an error, and cuts at boundaries are clean. */
static void every_truncation(void **state)
{
    for (int d = HS_DTYPE_F32; d <= HS_DTYPE_U8; d++) {
        hs_attnlog_reader full;
        size_t n;
        char *bytes = small_log((hs_dtype)d, &n, &full);
        for (size_t cut = 0; cut <= n; cut++) {
            int whole = 0; /* frames entirely before the cut */
            while (whole < 3 && full.frames[whole].offset + full.frames[whole].size <= cut) whole++;
            bool boundary = cut == 0 || (whole > 0 && cut == full.frames[whole - 1].offset +
                                                                 full.frames[whole - 1].size);
            hs_attnlog_reader r;
            hs_err err = {0};
            hs_status st = hs_attnlog_open_bytes(&r, bytes, cut, "cut", &err);
            if (whole == 0 && cut > 0) {
                assert_int_equal(st, HS_EINPUT);
                assert_has(err.msg, "at byte 0");
                assert_one_line(err.msg);
                continue;
            }
            assert_int_equal(st, HS_OK);
            assert_int_equal(r.n_frames, whole);
            if (boundary) {
                assert_string_equal(r.notice, "");
            } else {
                char at[64];
                snprintf(at, sizeof at, "from byte %" PRIu64, full.frames[whole].offset);
                assert_has(r.notice, at);
                assert_has(r.notice, "cut short");
            }
            for (int i = 0; i < r.n_frames; i++) {
                hs_attnlog_frame f;
                assert_int_equal(hs_attnlog_read(&r, i, &f, &err), HS_OK);
                assert_int_equal(f.step, small_steps[i]);
                hs_attnlog_frame_free(&f);
            }
            hs_attnlog_close(&r);
        }
        hs_attnlog_close(&full);
        free(bytes);
    }
}

/* Every single-bit flip of a three-frame log is caught or harmless: in the last frame it is
 * skipped with a notice naming the frame's offset (or refused), before it the log is refused
 * naming the damaged frame's offset, and whatever is kept reads back exactly as written. */
static void every_bit_flip(void **state)
{
    for (int d = HS_DTYPE_F32; d <= HS_DTYPE_U8; d++) {
        hs_attnlog_reader full;
        size_t n;
        char *bytes = small_log((hs_dtype)d, &n, &full);
        hs_attnlog_frame want[3];
        hs_err err = {0};
        for (int i = 0; i < 3; i++)
            assert_int_equal(hs_attnlog_read(&full, i, &want[i], &err), HS_OK);
        size_t wn = (size_t)want[0].shape.layers * want[0].shape.heads * want[0].shape.examples *
                    want[0].shape.T * want[0].shape.T;
        char *flipped = malloc(n);
        assert_non_null(flipped);
        size_t harmless = 0;
        for (size_t pos = 0; pos < n; pos++)
            for (int bit = 0; bit < 8; bit++) {
                memcpy(flipped, bytes, n);
                flipped[pos] ^= (char)(1 << bit);
                int k = 0; /* the frame the flip lands in */
                while (k < 2 && pos >= full.frames[k + 1].offset) k++;
                char at[64];
                snprintf(at, sizeof at, "byte %" PRIu64, full.frames[k].offset);
                hs_attnlog_reader r;
                hs_status st = hs_attnlog_open_bytes(&r, flipped, n, "flip", &err);
                if (st) {
                    assert_int_equal(st, HS_EINPUT);
                    assert_one_line(err.msg);
                    if (!strstr(err.msg, at))
                        fail_msg("flip of bit %d at byte %zu (frame %d): \"%s\" lacks \"%s\"", bit,
                                 pos, k, err.msg, at);
                    continue;
                }
                /* A flip zstd cannot see (its frame header's unused bit, slack bits of an
                 * entropy-coded stream) must change nothing: all three frames read back intact
                 * below. Any other flip drops the last frame with a notice at its offset. */
                if (r.n_frames == 3 && !r.notice[0]) {
                    harmless++;
                } else if (k < 2 || r.n_frames != 2 || !strstr(r.notice, at)) {
                    fail_msg("flip of bit %d at byte %zu (frame %d) went unreported: %d frames, "
                             "notice \"%s\"",
                             bit, pos, k, r.n_frames, r.notice);
                }
                for (int i = 0; i < r.n_frames; i++) {
                    hs_attnlog_frame f;
                    assert_int_equal(hs_attnlog_read(&r, i, &f, &err), HS_OK);
                    assert_memory_equal(f.weights, want[i].weights, wn * sizeof(float));
                    hs_attnlog_frame_free(&f);
                }
                hs_attnlog_close(&r);
            }
        printf("%s: %zu of %zu bit flips changed nothing zstd decodes\n",
               hs_attnlog_dtype_name((hs_dtype)d), harmless, 8 * n);
        assert_true(harmless < n / 8); /* the checksum, not luck, catches the rest */
        for (int i = 0; i < 3; i++) hs_attnlog_frame_free(&want[i]);
        free(flipped);
        hs_attnlog_close(&full);
        free(bytes);
    }
}

/* Two logs of different shapes, or a log appended to itself (steps go back), are not one log. */
static void mixed_logs(void **state)
{
    hs_attnlog_reader r;
    size_t n16, n8;
    char *a = small_log(HS_DTYPE_F16, &n16, &r);
    hs_attnlog_close(&r);
    char *b = small_log(HS_DTYPE_U8, &n8, &r);
    hs_attnlog_close(&r);
    char *ab = malloc(n16 + n16);
    assert_non_null(ab);
    memcpy(ab, a, n16);
    memcpy(ab + n16, b, n8);
    char at[64];
    snprintf(at, sizeof at, "at byte %zu", n16);
    expect_refused(ab, n16 + n8, at, "not one log");
    memcpy(ab + n16, a, n16);
    expect_refused(ab, 2 * n16, at, "step 0 after step 250");
    free(ab);
    free(a);
    free(b);
}

/* Hand-made frames: zstd frames that are well formed but are not records this reader accepts. */
static void broken_frames(void **state)
{
    size_t n, zn;
    unsigned char *z;

    const char hello[] = "hello, not a record at all, but long enough for a header here";
    z = zframe(hello, sizeof hello, 1, 1, &zn);
    expect_refused(z, zn, "not an attention record", "at byte 0");
    free(z);

    /* a good record, framed without checksum or without content size */
    const uint32_t ok[8] = {1, 7, 1, 1, 1, 2, HS_DTYPE_U8, 0};
    unsigned char *rec = record(ok, 8 * 2 + 4, &n);
    z = zframe(rec, n, 1, 1, &zn);
    hs_attnlog_reader r;
    hs_err err = {0};
    assert_int_equal(hs_attnlog_open_bytes(&r, z, zn, "ok", &err), HS_OK); /* the control */
    assert_int_equal(r.frames[0].step, 7);
    hs_attnlog_close(&r);
    free(z);
    z = zframe(rec, n, 0, 1, &zn);
    expect_refused(z, zn, "without a checksum", NULL);
    free(z);
    z = zframe(rec, n, 1, 0, &zn);
    expect_refused(z, zn, "without its content size", NULL);
    free(z);
    /* the record one byte short or long of what its header implies */
    z = zframe(rec, n - 1, 1, 1, &zn);
    expect_refused(z, zn, "implies 60 bytes", "holds 59");
    free(z);
    free(rec);
    rec = record(ok, 8 * 2 + 4 + 1, &n);
    z = zframe(rec, n, 1, 1, &zn);
    expect_refused(z, zn, "implies 60 bytes", "holds 61");
    free(z);
    free(rec);

    /* each header field broken in turn, the size kept consistent where it can be */
    struct {
        uint32_t f[8];
        size_t body;
        const char *why;
    } cases[] = {
        {{2, 7, 1, 1, 1, 2, HS_DTYPE_U8, 0}, 20, "version 2"},
        {{1, 0x80000000u, 1, 1, 1, 2, HS_DTYPE_U8, 0}, 20, "negative step"},
        {{1, 7, 1, 1, 1, 2, 3, 0}, 20, "unknown dtype 3"},
        {{1, 7, 1, 1, 1, 2, HS_DTYPE_U8, 9}, 20, "reserved"},
        {{1, 7, 0, 1, 1, 2, HS_DTYPE_U8, 0}, 20, "empty or above"},
        {{1, 7, 1, 1, 1, 32768, HS_DTYPE_U8, 0}, 20, "empty or above"},
        {{1, 7, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, HS_DTYPE_F32, 0},
         20,
         "empty or above"},
        {{1, 7, 65536, 65536, 1, 1, HS_DTYPE_F32, 0}, 20, "empty or above"},
        /* a shape that fits the limit, in a frame far smaller than it implies: refused before
         * anything the size of the shape is allocated */
        {{1, 7, 16, 16, 16, 256, HS_DTYPE_F32, 0}, 20, "implies"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        rec = record(cases[k].f, cases[k].body, &n);
        z = zframe(rec, n, 1, 1, &zn);
        expect_refused(z, zn, cases[k].why, "at byte 0");
        free(z);
        free(rec);
    }

    /* a record too short for its own header, and a skippable frame */
    z = zframe("HSATTN1", 8, 1, 1, &zn);
    expect_refused(z, zn, "too short", NULL);
    free(z);
    unsigned char skip[12] = {0x50, 0x2a, 0x4d, 0x18, 4, 0, 0, 0, 1, 2, 3, 4};
    expect_refused(skip, sizeof skip, "skippable", NULL);
}

/* The file path: a log written by hs_write_atomic opens and names its path in notices. */
static void open_file(void **state)
{
    char dir[] = "/tmp/test_attnlog_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *path = hs_path_join(dir, "attn.zst");
    hs_attnlog_reader r;
    size_t n;
    char *bytes = small_log(HS_DTYPE_F32, &n, &r);
    hs_attnlog_close(&r);
    hs_err err = {0};
    assert_int_equal(hs_write_atomic(path, bytes, n - 3, &err), HS_OK);
    assert_int_equal(hs_attnlog_open(&r, path, &err), HS_OK);
    assert_int_equal(r.n_frames, 2);
    assert_has(r.notice, path);
    assert_int_equal(hs_attnlog_find(&r, 100), 1);
    assert_int_equal(hs_attnlog_find(&r, 250), -1);
    hs_attnlog_frame f;
    assert_int_equal(hs_attnlog_read(&r, 2, &f, &err), HS_EINPUT);
    assert_has(err.msg, "no frame 2");
    assert_int_equal(hs_attnlog_read(&r, -1, &f, &err), HS_EINPUT);
    hs_attnlog_close(&r);
    unlink(path);
    rmdir(dir);
    free(path);
    free(bytes);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip),
        cmocka_unit_test(f32_exact),
        cmocka_unit_test(f16_every_value_and_tie),
        cmocka_unit_test(f16_against_compiler),
        cmocka_unit_test(u8_rounding),
        cmocka_unit_test(dtype_names_and_errors),
        cmocka_unit_test(writer_refusals),
        cmocka_unit_test(take_in_pieces),
        cmocka_unit_test(empty_and_garbage),
        cmocka_unit_test(every_truncation),
        cmocka_unit_test(every_bit_flip),
        cmocka_unit_test(mixed_logs),
        cmocka_unit_test(broken_frames),
        cmocka_unit_test(open_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
