/* fuzz_sweep.c — libFuzzer target for the sweep loader (sweep.c with yamlfile.c and config.c's
 * job-file walker), built by tests/CMakeLists.txt when the compiler is clang.
 *
 * An input is a sweep file; a NUL byte in it ends the file, and the lines after it are
 * command-line overrides (key=value, key=v1,v2). Invariants, beyond "no crash, no leak, no
 * undefined behaviour, no hang": a refusal is one non-empty line with HS_EINPUT (or HS_ENOMEM);
 * an accepted sweep has 1..10^6 jobs, each valid with the id of its config, and the sweep as run
 * (hs_sweep.yaml) loads again into the same jobs in the same order.
 *
 * Seeds: the sweeps of sweeps/ and tests/fuzz/seeds/sweep/. Run: fuzz_sweep -max_len=8192 DIR. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hopsweep/config.h"
#include "hopsweep/sweep.h"

static void check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_sweep: invariant broken: %s\n", what);
        abort();
    }
}

static char path[64], again[64];

static void put_file(const char *p, const void *data, size_t n)
{
    FILE *f = fopen(p, "wb");
    check(f && fwrite(data, 1, n, f) == n && fclose(f) == 0, "writing the input file");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!path[0]) { /* one pair of scratch files per process, so that parallel jobs do not clash */
        snprintf(path, sizeof path, "/tmp/fuzz_sweep.%ld.yaml", (long)getpid());
        snprintf(again, sizeof again, "/tmp/fuzz_sweep.%ld.again.yaml", (long)getpid());
    }
    const uint8_t *nul = memchr(data, 0, size);
    size_t file_len = nul ? (size_t)(nul - data) : size;
    put_file(path, data, file_len);
    char *args = NULL, *argv[16];
    int argc = 0;
    if (nul) {
        args = strndup((const char *)nul + 1, size - file_len - 1);
        check(args != NULL, "memory for the overrides");
        for (char *p = args; argc < 16 && *p;) {
            argv[argc++] = p;
            char *nl = strchr(p, '\n');
            if (!nl) break;
            *nl = '\0';
            p = nl + 1;
        }
    }
    hs_sweep s;
    hs_err err = {0};
    hs_status st = hs_sweep_load(&s, path, argc, argv, &err);
    if (st) {
        check(err.msg[0] && !strchr(err.msg, '\n'), "a refusal is one line");
        check(st == HS_EINPUT || st == HS_ENOMEM, "a refusal is bad input");
        free(args);
        return 0;
    }
    check(s.n_jobs >= 1 && s.n_jobs <= 1000000, "1..10^6 jobs");
    for (size_t i = 0; i < s.n_jobs; i++) {
        char id[17];
        hs_err e = {0};
        check(hs_config_validate(&s.jobs[i].cfg, &e) == HS_OK, "every job is valid");
        hs_config_id(&s.jobs[i].cfg, id);
        check(!strcmp(id, s.jobs[i].id), "a job's id is its config's");
    }
    put_file(again, s.yaml, strlen(s.yaml));
    hs_sweep t;
    check(hs_sweep_load(&t, again, 0, NULL, &err) == HS_OK, "the sweep as run loads again");
    check(t.n_jobs == s.n_jobs, "the sweep as run has the same jobs");
    for (size_t i = 0; i < s.n_jobs; i++)
        check(!strcmp(s.jobs[i].id, t.jobs[i].id), "in the same order");
    hs_sweep_free(&t);
    hs_sweep_free(&s);
    free(args);
    return 0;
}
