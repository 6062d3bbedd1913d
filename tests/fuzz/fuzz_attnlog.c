/* fuzz_attnlog.c — libFuzzer target for the attention-log reader (attnlog.c), built by
 * tests/CMakeLists.txt when the compiler is clang.
 *
 * The first byte of an input picks what the rest is:
 *   0 (and anything not below): a log file, given to the reader as it is;
 *   1: one record, which the harness frames with zstd (content size and checksum, as the writer
 *      does) before giving it to the reader, so that mutations reach the record's header and
 *      size checks instead of stopping at zstd's checksum;
 *   2: like 1, with the record framed twice in a row, to reach the checks between frames.
 * Invariants, beyond "no crash, no leak, no undefined behaviour": a refusal is one line; a log
 * the reader accepted has contiguous frames inside the input with increasing steps, each of which
 * reads back (open verified them all) with the shape the log reports.
 *
 * Seeds: `attnlog_dump seeds DIR`. Run: fuzz_attnlog -max_len=65536 DIR. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zstd.h>

#include "hopsweep/attnlog.h"

static void check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_attnlog: invariant broken: %s\n", what);
        abort();
    }
}

static void read_log(const unsigned char *data, size_t size)
{
    hs_attnlog_reader r;
    hs_err err = {0};
    if (hs_attnlog_open_bytes(&r, data, size, "fuzz", &err)) {
        check(err.msg[0] && !strchr(err.msg, '\n'), "a refusal is one line");
        check(r.data == NULL && r.frames == NULL, "a refused reader holds nothing");
        return;
    }
    check(!strchr(r.notice, '\n'), "the notice is one line");
    uint64_t end = 0;
    for (int i = 0; i < r.n_frames; i++) {
        const hs_attnlog_entry *e = &r.frames[i];
        check(e->offset == end && e->size > 0 && e->offset + e->size <= size,
              "frames tile the input");
        end = e->offset + e->size;
        check(i == 0 || e->step > r.frames[i - 1].step, "steps increase");
        check(hs_attnlog_find(&r, e->step) == i, "find returns the frame of its step");
        hs_attnlog_frame f;
        check(hs_attnlog_read(&r, i, &f, &err) == HS_OK, "a verified frame reads back");
        const hs_attnlog_shape *s = &f.shape;
        check(f.step == e->step && s->layers == r.shape.layers && s->heads == r.shape.heads &&
                  s->examples == r.shape.examples && s->T == r.shape.T && s->dtype == r.shape.dtype,
              "the frame has the log's shape");
        size_t n = (size_t)s->layers * s->heads * s->examples * s->T * s->T;
        volatile float sink = 0.0f;
        for (size_t k = 0; k < n; k += 97) /* touch the arrays so ASan sees their extent */
            sink += f.weights[k];
        sink += (float)f.chain[(size_t)s->examples * s->T - 1];
        sink += (float)f.index[(size_t)s->examples * s->T - 1];
        (void)sink;
        hs_attnlog_frame_free(&f);
    }
    check(end <= size && (end == size || r.notice[0]), "bytes after the last frame are reported");
    hs_attnlog_close(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) {
        read_log(data, 0);
        return 0;
    }
    int mode = data[0];
    data++, size--;
    if (mode != 1 && mode != 2) {
        read_log(data, size);
        return 0;
    }
    ZSTD_CCtx *c = ZSTD_createCCtx();
    size_t cap = ZSTD_compressBound(size);
    unsigned char *framed = malloc(2 * cap);
    check(c && framed, "memory for framing");
    ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, 1);
    ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);
    size_t n = ZSTD_compress2(c, framed, cap, data, size);
    check(!ZSTD_isError(n), "zstd frames the record");
    if (mode == 2) {
        memcpy(framed + n, framed, n);
        n *= 2;
    }
    read_log(framed, n);
    free(framed);
    ZSTD_freeCCtx(c);
    return 0;
}
