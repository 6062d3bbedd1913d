/* attnlog_dump.c — test-only program: writes attention logs of known, realistic maps so that
 * tests outside C (the Python reader, the `hopsweep attn` command) have logs to read before the
 * trainer writes any, and measures how well such logs compress.
 *
 *   attnlog_dump write DIR   DIR/{f32,f16,u8}.zst: 3 frames each (steps 0, 100, 200) of 2 layers,
 *                            2 heads, 4 examples, T 17 (hops 4, 4 chains); DIR/expect.txt (shape
 *                            and steps), DIR/expect_weights.f32 (the exact input weights,
 *                            [frames][layers][heads][examples][T][T], little-endian float32),
 *                            DIR/expect_chain.i32 and expect_index.i32 ([examples][T]).
 *   attnlog_dump seeds DIR   seeds for tests/fuzz/fuzz_attnlog: small logs in every dtype and
 *                            their first records, with the fuzzer's mode byte in front.
 *   attnlog_dump measure [HOPS CHAINS LAYERS HEADS EXAMPLES]
 *                            compressed size per frame and ratio per dtype for a 10,000-step run
 *                            logged every 100 steps (101 frames), and f16 at other zstd levels.
 *
 * The maps are what a trained stacked-heads model shows: head h of layer l puts most of each
 * row on the position at chain offset (h even: -1, odd: +1) * 3^l, the rest as softmax noise;
 * the concentration grows over the run, as heads emerge. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zstd.h>

#include "hopsweep/attnlog.h"
#include "hopsweep/fileio.h"
#include "hopsweep/rng.h"
#include "hopsweep/task.h"

typedef struct {
    hs_task_params task;
    hs_attnlog_shape shape;
    hs_batch batch;
    float **att; /* [layers] -> [examples][heads][T][T], the trainer's layout */
    float *row;  /* [T] logits of one row */
    hs_rng rng;
} maps;

static int fail(const char *what)
{
    fprintf(stderr, "attnlog_dump: %s\n", what);
    return 1;
}

static int maps_init(maps *m, int hops, int chains, int layers, int heads, int examples,
                     hs_dtype dtype)
{
    memset(m, 0, sizeof *m);
    m->task = (hs_task_params){.hops = hops,
                               .chains = chains,
                               .vocab = chains * (hops + 1) + 8,
                               .curriculum = HS_CURRICULUM_IMPLICIT};
    int T = hs_task_seq_len(&m->task);
    m->shape = (hs_attnlog_shape){
        .layers = layers, .heads = heads, .examples = examples, .T = T, .dtype = dtype};
    hs_err err = {0};
    if (hs_task_check(&m->task, &err) ||
        hs_batch_alloc(&m->batch, examples, T, m->task.vocab, &err))
        return fail(err.msg);
    hs_rng_seed(&m->rng, 7, HS_STREAM_EVAL);
    hs_task_sample(&m->task, &m->rng, NULL, &m->batch);
    m->att = calloc((size_t)layers, sizeof *m->att);
    m->row = malloc(sizeof *m->row * (size_t)T);
    if (!m->att || !m->row) return fail("out of memory");
    for (int l = 0; l < layers; l++)
        if (!(m->att[l] = malloc(sizeof(float) * (size_t)examples * heads * T * T)))
            return fail("out of memory");
    return 0;
}

static void maps_free(maps *m)
{
    for (int l = 0; m->att && l < m->shape.layers; l++) free(m->att[l]);
    free(m->att);
    free(m->row);
    hs_batch_free(&m->batch);
}

/* Fills every map for a point of the run where heads have concentration `sharp` (logit gap). */
static void maps_fill(maps *m, float sharp)
{
    const int T = m->shape.T, H = m->shape.heads;
    for (int l = 0; l < m->shape.layers; l++) {
        int reach = 1;
        for (int k = 0; k < l; k++) reach *= 3;
        for (int e = 0; e < m->shape.examples; e++)
            for (int h = 0; h < H; h++) {
                int delta = (h % 2 ? 1 : -1) * reach;
                const int32_t *chain = m->batch.chain + (size_t)e * T;
                const int32_t *index = m->batch.index + (size_t)e * T;
                float *map = m->att[l] + ((size_t)e * H + h) * T * T;
                for (int t = 0; t < T; t++) {
                    int target = t; /* no partner at that offset: the head rests on itself */
                    for (int u = 0; u < T; u++)
                        if (chain[u] == chain[t] && index[u] == index[t] + delta) target = u;
                    double max = -INFINITY, sum = 0.0;
                    for (int u = 0; u < T; u++) {
                        m->row[u] = 0.7f * hs_rng_normal(&m->rng) + (u == target ? sharp : 0.0f);
                        if (m->row[u] > max) max = m->row[u];
                    }
                    for (int u = 0; u < T; u++) sum += exp(m->row[u] - max);
                    for (int u = 0; u < T; u++)
                        map[(size_t)t * T + u] = (float)(exp(m->row[u] - max) / sum);
                }
            }
    }
}

/* Concentration at frame i of n: from near uniform to a gap of 9 (weight ~0.99 on the target). */
static float sharpness(int i, int n) { return n > 1 ? 9.0f * (float)i / (float)(n - 1) : 9.0f; }

static int write_file(const char *dir, const char *name, const void *data, size_t n)
{
    char *path = hs_path_join(dir, name);
    hs_err err = {0};
    int rc = !path || hs_write_atomic(path, data, n, &err);
    if (rc) fprintf(stderr, "attnlog_dump: %s\n", path ? err.msg : "out of memory");
    free(path);
    return rc;
}

static int cmd_write(const char *dir)
{
    enum { FRAMES = 3 };
    static const int steps[FRAMES] = {0, 100, 200};
    static const hs_dtype dtypes[3] = {HS_DTYPE_F32, HS_DTYPE_F16, HS_DTYPE_U8};
    hs_err err = {0};
    if (hs_mkdirs(dir, &err)) return fail(err.msg);
    maps m;
    if (maps_init(&m, 4, 4, 2, 2, 4, HS_DTYPE_F32)) return 1;
    const hs_attnlog_shape s = m.shape;
    const size_t per_frame = (size_t)s.layers * s.heads * s.examples * s.T * s.T;
    float *expect = malloc(sizeof *expect * per_frame * FRAMES);
    hs_attnlog_writer w[3];
    int rc = !expect;
    for (int d = 0; d < 3 && !rc; d++) {
        hs_attnlog_shape sd = s;
        sd.dtype = dtypes[d];
        if (hs_attnlog_writer_init(&w[d], &sd, &err)) rc = fail(err.msg);
    }
    for (int f = 0; f < FRAMES && !rc; f++) {
        maps_fill(&m, sharpness(f, FRAMES));
        /* the record's order: [layers][heads][examples][T][T] */
        float *out = expect + per_frame * f;
        size_t TT = (size_t)s.T * s.T;
        for (int l = 0; l < s.layers; l++)
            for (int h = 0; h < s.heads; h++)
                for (int e = 0; e < s.examples; e++, out += TT)
                    memcpy(out, m.att[l] + ((size_t)e * s.heads + h) * TT, TT * sizeof *out);
        for (int d = 0; d < 3 && !rc; d++)
            if (hs_attnlog_append(&w[d], steps[f], (const float *const *)m.att, m.batch.chain,
                                  m.batch.index, &err))
                rc = fail(err.msg);
    }
    static const char *const names[3] = {"f32.zst", "f16.zst", "u8.zst"};
    for (int d = 0; d < 3 && !rc; d++) {
        char *bytes;
        size_t n;
        hs_attnlog_take(&w[d], &bytes, &n);
        rc = write_file(dir, names[d], bytes, n);
        free(bytes);
    }
    for (int d = 0; d < 3; d++) hs_attnlog_writer_free(&w[d]);
    char text[128];
    int len = snprintf(text, sizeof text, "%d %d %d %d\n%d %d %d\n", s.layers, s.heads, s.examples,
                       s.T, steps[0], steps[1], steps[2]);
    /* x86 and every machine this runs on are little-endian, which the expect files state */
    if (!rc) rc = write_file(dir, "expect.txt", text, (size_t)len);
    if (!rc)
        rc = write_file(dir, "expect_weights.f32", expect, sizeof *expect * per_frame * FRAMES);
    size_t ET = (size_t)s.examples * s.T;
    if (!rc) rc = write_file(dir, "expect_chain.i32", m.batch.chain, ET * sizeof(int32_t));
    if (!rc) rc = write_file(dir, "expect_index.i32", m.batch.index, ET * sizeof(int32_t));
    free(expect);
    maps_free(&m);
    return rc;
}

/* Small logs (hops 2, 2 chains: T 5; 2 layers, 2 heads, 2 examples) for the fuzzer: mode 0
 * inputs are whole logs, mode 1 one record (the fuzzer frames it), mode 2 the same framed twice. */
static int cmd_seeds(const char *dir)
{
    hs_err err = {0};
    if (hs_mkdirs(dir, &err)) return fail(err.msg);
    int rc = 0;
    for (int d = HS_DTYPE_F32; d <= HS_DTYPE_U8 && !rc; d++) {
        maps m;
        if (maps_init(&m, 2, 2, 2, 2, 2, (hs_dtype)d)) return 1;
        hs_attnlog_writer w;
        if (hs_attnlog_writer_init(&w, &m.shape, &err)) return fail(err.msg);
        for (int f = 0; f < 3 && !rc; f++) {
            maps_fill(&m, sharpness(f, 3));
            if (hs_attnlog_append(&w, 10 * f, (const float *const *)m.att, m.batch.chain,
                                  m.batch.index, &err))
                rc = fail(err.msg);
        }
        size_t record = w.staging_size;
        char *log;
        size_t n;
        hs_attnlog_take(&w, &log, &n);
        hs_attnlog_writer_free(&w);
        unsigned char *seed = log ? malloc(1 + (n > record ? n : record)) : NULL;
        if (!seed) rc = fail("out of memory");
        char name[32];
        for (int mode = 0; mode < 3 && !rc; mode++) {
            seed[0] = (unsigned char)mode;
            size_t len = mode == 0 ? n
                                   : ZSTD_decompress(seed + 1, record, log,
                                                     ZSTD_findFrameCompressedSize(log, n));
            if (mode == 0) memcpy(seed + 1, log, n);
            if (ZSTD_isError(len)) {
                rc = fail("cannot decompress a frame just written");
                break;
            }
            snprintf(name, sizeof name, "%s-mode%d", hs_attnlog_dtype_name((hs_dtype)d), mode);
            rc = write_file(dir, name, seed, 1 + len);
        }
        free(seed);
        free(log);
        maps_free(&m);
    }
    return rc;
}

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * ts.tv_nsec;
}

/* Writes a 101-frame log of dtype d; prints its sizes; with levels, recompresses its records at
 * each zstd level too. */
static int measure_dtype(const int dims[5], hs_dtype d, int with_levels)
{
    enum { FRAMES = 101 };
    maps m;
    hs_err err = {0};
    if (maps_init(&m, dims[0], dims[1], dims[2], dims[3], dims[4], d)) return 1;
    hs_attnlog_writer w;
    if (hs_attnlog_writer_init(&w, &m.shape, &err)) return fail(err.msg);
    double t_write = 0.0;
    for (int f = 0; f < FRAMES; f++) {
        maps_fill(&m, sharpness(f, FRAMES));
        double a = seconds();
        if (hs_attnlog_append(&w, 100 * f, (const float *const *)m.att, m.batch.chain,
                              m.batch.index, &err))
            return fail(err.msg);
        t_write += seconds() - a;
    }
    size_t record = w.staging_size;
    char *bytes;
    size_t n;
    hs_attnlog_take(&w, &bytes, &n);
    hs_attnlog_writer_free(&w);
    printf("%-4s record %7zu B  frame %7.0f B  ratio %6.1f  log of %d frames %8zu B  "
           "(append %.3f ms/frame)\n",
           hs_attnlog_dtype_name(d), record, (double)n / FRAMES, (double)record * FRAMES / n,
           FRAMES, n, 1e3 * t_write / FRAMES);
    if (with_levels) {
        static const int levels[] = {1, 3, 6, 9, 12, 19};
        void *raw = malloc(record), *dst = malloc(ZSTD_compressBound(record));
        hs_attnlog_reader r;
        if (!raw || !dst || hs_attnlog_open_bytes(&r, bytes, n, "measure", &err))
            return fail(raw && dst ? err.msg : "out of memory");
        for (size_t k = 0; k < sizeof levels / sizeof levels[0]; k++) {
            size_t total = 0;
            double t = 0.0;
            for (int i = 0; i < r.n_frames; i++) {
                ZSTD_decompress(raw, record, r.data + r.frames[i].offset, r.frames[i].size);
                double a = seconds();
                size_t c = ZSTD_compress(dst, ZSTD_compressBound(record), raw, record, levels[k]);
                t += seconds() - a;
                total += c;
            }
            printf("     level %2d: log %8zu B  ratio %6.1f  %.3f ms/frame\n", levels[k], total,
                   (double)record * FRAMES / total, 1e3 * t / FRAMES);
        }
        hs_attnlog_close(&r);
        free(raw);
        free(dst);
    }
    free(bytes);
    maps_free(&m);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "write")) return cmd_write(argv[2]);
    if (argc == 3 && !strcmp(argv[1], "seeds")) return cmd_seeds(argv[2]);
    if ((argc == 2 || argc == 7) && !strcmp(argv[1], "measure")) {
        int dims[5] = {4, 4, 2, 2, 4}; /* hops, chains, layers, heads, examples */
        for (int i = 0; argc == 7 && i < 5; i++) dims[i] = atoi(argv[2 + i]);
        printf("hops %d, chains %d (T %d), %d layers, %d heads, %d examples; 101 frames\n", dims[0],
               dims[1], dims[0] * dims[1] + 1, dims[2], dims[3], dims[4]);
        for (int d = HS_DTYPE_F32; d <= HS_DTYPE_U8; d++)
            if (measure_dtype(dims, (hs_dtype)d, 1)) return 1;
        return 0;
    }
    fprintf(stderr, "usage: attnlog_dump write DIR | attnlog_dump seeds DIR | attnlog_dump "
                    "measure [HOPS CHAINS LAYERS HEADS EXAMPLES]\n");
    return 2;
}
