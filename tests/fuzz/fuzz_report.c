/* fuzz_report.c — libFuzzer target for what `hopsweep report` draws from a job's files (its
 * metrics.csv and attn.zst, through hs_report_job_figures), built by tests/CMakeLists.txt when
 * the compiler is clang.
 *
 * An input is: a mode byte, two bytes (little-endian) of metrics.csv length, that many bytes of
 * metrics.csv, then the attention part. Mode 1 frames the attention part with zstd (content
 * size and checksum, as the writer does) as one record, mode 2 as two frames of it, so that
 * mutations reach the record's header instead of stopping at zstd's checksum; any other mode
 * gives it as it is. Invariants, beyond "no crash, no leak, no undefined behaviour": the HTML
 * stays within the report's budget for one job, and every tag in it is one the report writes
 * (a head or role name from the file can never open an element or an attribute of its own).
 *
 * Seeds: tests/fuzz/seeds/report (tests/fuzz/run.sh builds the inputs). Run: fuzz_report
 * -max_len=65536 DIR. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zstd.h>

#include "hopsweep/report.h"

/* One job's figures at most: two frames' attention maps, and the metrics figures. */
#define JOB_BUDGET ((size_t)1 << 20)

static void check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_report: invariant broken: %s\n", what);
        abort();
    }
}

/* Whether every < in html opens or closes one of the elements the report draws, with only the
 * attributes it writes: letters, '-' and '=' followed by a quoted value without < or quotes. */
static int only_report_tags(const char *html, size_t n)
{
    static const char *const tags[] = {"svg", "text", "rect", "title", "line", "path", "circle",
                                       "g",   "div",  "h4",   "p",     "code", NULL};
    for (const char *p = memchr(html, '<', n); p;
         p = memchr(p + 1, '<', n - (size_t)(p + 1 - html))) {
        const char *q = p + 1 + (p[1] == '/');
        size_t len = strspn(q, "abcdefghijklmnopqrstuvwxyz0123456789");
        int known = 0;
        for (int k = 0; tags[k]; k++)
            if (strlen(tags[k]) == len && !strncmp(q, tags[k], len)) known = 1;
        if (!known) return 0;
        /* attributes up to the closing > */
        q += len;
        while (*q && *q != '>') {
            if (*q == ' ' || *q == '/') {
                q++;
                continue;
            }
            size_t name =
                strspn(q, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-");
            if (!name || q[name] != '=' || q[name + 1] != '"') return 0;
            if (!strncmp(q, "on", 2)) return 0; /* no event handler, ever */
            const char *end = strchr(q + name + 2, '"');
            if (!end) return 0;
            for (const char *c = q + name + 2; c < end; c++)
                if (*c == '<' || *c == '\'') return 0;
            q = end + 1;
        }
        if (*q != '>') return 0;
    }
    return 1;
}

static void draw(const char *metrics, size_t mn, const char *attn, size_t an)
{
    char *html = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&html, &n);
    check(f != NULL, "memory for the page");
    hs_results r;
    memset(&r, 0, sizeof r);
    hs_run_record run;
    memset(&run, 0, sizeof run);
    memcpy(run.id, "0123456789abcdef", 17);
    run.config.emergence.tau_acc = 0.9;
    hs_report_ctx x = {.f = f, .store = "fuzz", .r = &r};
    hs_report_job_figures(&x, &run, metrics, mn, attn, an);
    check(fclose(f) == 0, "the page is written");
    check(n <= JOB_BUDGET, "one job's figures stay within the budget");
    check(only_report_tags(html, n), "only the report's own tags and attributes");
    free(html);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3) return 0;
    int mode = data[0];
    size_t mn = (size_t)data[1] | (size_t)data[2] << 8;
    data += 3, size -= 3;
    if (mn > size) mn = size;
    /* metrics.csv as the store would hand it: NUL-terminated */
    char *metrics = malloc(mn + 1);
    check(metrics != NULL, "memory for metrics");
    memcpy(metrics, data, mn);
    metrics[mn] = '\0';
    const uint8_t *attn = data + mn;
    size_t an = size - mn;
    if (mode != 1 && mode != 2) {
        draw(metrics, mn, (const char *)attn, an);
        free(metrics);
        return 0;
    }
    ZSTD_CCtx *c = ZSTD_createCCtx();
    size_t cap = ZSTD_compressBound(an);
    unsigned char *framed = malloc(2 * cap);
    check(c && framed, "memory for framing");
    ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, 1);
    ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);
    size_t n = ZSTD_compress2(c, framed, cap, attn, an);
    check(!ZSTD_isError(n), "zstd frames the record");
    if (mode == 2) {
        memcpy(framed + n, framed, n);
        n *= 2;
    }
    draw(metrics, mn, (const char *)framed, n);
    free(framed);
    free(metrics);
    ZSTD_freeCCtx(c);
    return 0;
}
