/* fuzz_resume.c — libFuzzer target for the resume-state reader (resume.bin: one safetensors file,
 * read by safetensors.c's strict reader and checked by resume.c), built by tests/CMakeLists.txt
 * when the compiler is clang.
 *
 * At start the harness interrupts resume_fixture.h's job (shared with test_resume.c) after 5 of
 * its 8 steps, so it holds one genuine resume state. The first byte of an input picks what
 * the rest is:
 *   0 (and anything not below): a resume state, given as it is;
 *   1: edits to the genuine state, 5 bytes each (offset u32 modulo its length, then a byte to
 *      XOR there), after which the harness recomputes the checksum in __metadata__ (resume.h's
 *      rule) when it can still find it, so that mutations of the header's JSON, the scalars and
 *      the tensors reach every structural check behind it;
 *   2: the same edits without the checksum fixed, then the state cut to (first edit's offset)
 *      bytes when the input's length is odd.
 * Invariants, beyond "no crash, no leak, no undefined behaviour": a refusal is one line with
 * HS_EINPUT; a state that is accepted resumes, and the job then ends `done` after its 8 steps
 * with no resume state left, as an uninterrupted run would, or (its numbers changed under a
 * refitted checksum) diverges and ends `failed` with the reason.
 *
 * Run: fuzz_resume -max_len=4096 DIR (an empty DIR is fine: mode 1 starts from the genuine state). */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hopsweep/config.h"
#include "hopsweep/job.h"
#include "hopsweep/resume.h"

#include "../resume_fixture.h"

static void check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_resume: invariant broken: %s\n", what);
        abort();
    }
}

static hs_config cfg;
static char *genuine;
static size_t genuine_len;

void openblas_set_num_threads(int n); /* OpenBLAS's own, as the CLI calls it */

static void setup(void)
{
    openblas_set_num_threads(1); /* one thread, as hopsweep runs a job: no spinning pool */
    hs_err err = {0};
    check(resume_fixture_config(&cfg, &err) == HS_OK, "the harness's config is valid");
    check(resume_fixture_interrupt(&cfg, "fuzz", &genuine, &genuine_len, &err),
          "the harness's job stops with a resume state");
}

static void try_state(const unsigned char *state, size_t n)
{
    hs_err err = {0};
    hs_resume_view v;
    hs_status st = hs_resume_read(&cfg, state, n, true, &v, &err);
    if (st) {
        check(st == HS_EINPUT && err.msg[0] && !strchr(err.msg, '\n'),
              "a refusal is one line of bad input");
        return;
    }
    hs_job_opts o = {.host = "fuzz", .resume = &v.s};
    hs_job_output out;
    check(hs_job_run(&cfg, &o, &out, &err) == HS_OK, "an accepted state runs");
    hs_resume_view_free(&v);
    /* Numbers that are finite and in range but not the ones saved (the harness refits the
     * checksum, which a damaged file cannot) may make the rest of the run diverge: that ends as
     * an uninterrupted run with those weights would, `failed` with the reason. */
    if (out.status != HS_RUN_DONE)
        fprintf(stderr, "fuzz_resume: resumed job ended %s: %s\n", hs_run_status_name(out.status),
                out.err.msg);
    check(!out.resume && out.steps <= 8, "the resumed job runs to its end");
    check(out.status == HS_RUN_DONE
              ? out.steps == 8
              : out.status == HS_RUN_FAILED && strstr(out.err.msg, "training loss became"),
          "and ends done, or diverged");
    hs_job_output_free(&out);
}

/* Sets the checksum as resume.h says (FNV-1a 64 of the file with its 16 digits as '0's), if the
 * edits left its key in place. */
static void reseal(unsigned char *s, size_t n)
{
    static const char key[] = "\"checksum\":\"";
    for (size_t i = 0; i + sizeof key - 1 + 16 <= n; i++) {
        if (memcmp(s + i, key, sizeof key - 1)) continue;
        unsigned char *at = s + i + sizeof key - 1;
        memset(at, '0', 16);
        char hex[17];
        snprintf(hex, sizeof hex, "%016llx", (unsigned long long)hs_fnv1a64(HS_FNV1A64_INIT, s, n));
        memcpy(at, hex, 16);
        return;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!genuine) setup();
    int mode = size ? data[0] : 0;
    if (size) data++, size--;
    if (mode != 1 && mode != 2) {
        unsigned char *copy = malloc(size + 1); /* exactly the bytes, so ASan sees overreads */
        check(copy != NULL, "memory");
        memcpy(copy, data, size);
        try_state(copy, size);
        free(copy);
        return 0;
    }
    unsigned char *s = malloc(genuine_len);
    check(s != NULL, "memory");
    memcpy(s, genuine, genuine_len);
    size_t n = genuine_len, first = n;
    for (size_t i = 0; i + 5 <= size; i += 5) {
        uint32_t off;
        memcpy(&off, data + i, 4);
        off %= (uint32_t)genuine_len;
        if (first == genuine_len) first = off;
        s[off] ^= data[i + 4];
    }
    if (mode == 1) {
        reseal(s, n);
    } else if (size % 2) {
        n = first;
    }
    try_state(s, n);
    free(s);
    return 0;
}
