/* store_fixture.h — what the store tests (test_store.c, test_store_links.c) share: one mkdtemp
 * directory per run with a directory per test, the ids of three real configs, whole records of
 * those configs as the project's writers produce them, and small file helpers. */
#ifndef HOPSWEEP_TEST_STORE_FIXTURE_H
#define HOPSWEEP_TEST_STORE_FIXTURE_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "messages.h"

#include "hopsweep/config.h"
#include "hopsweep/fileio.h"
#include "hopsweep/json.h"
#include "hopsweep/store.h"

/* ---------------------------------------------------------------------------------------------
 * Helpers */

/* Job ids are hashes of configs (a record whose id is not is skipped): the configs of seeds 1,
 * 2, 3, set up once. */
static __attribute__((unused)) char ID_A[17], ID_B[17], ID_C[17];

static __attribute__((unused)) char base[256]; /* the mkdtemp directory of this run */

/* printf into one of 16 rotating buffers: paths and record lines built inline. */
#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
static inline const char *
fmt(const char *f, ...)
{
    static char bufs[16][16384];
    static int k;
    char *b = bufs[k++ % 16];
    va_list ap;
    va_start(ap, f);
    vsnprintf(b, sizeof bufs[0], f, ap);
    va_end(ap);
    return b;
}

static inline void config_of_seed(hs_config *c, unsigned long long seed)
{
    hs_config_default(c);
    hs_err e = {0};
    char v[32];
    snprintf(v, sizeof v, "%llu", seed);
    assert_int_equal(hs_config_set(c, "train.seed", v, &e), HS_OK);
}

static inline void id_of_seed(unsigned long long seed, char id[17])
{
    hs_config c;
    config_of_seed(&c, seed);
    hs_config_id(&c, id);
}

/* A whole record (every field hs_record_check_line asks for) of the config of `seed`, under `id`
 * (its true id unless a test forges one). */
static inline const char *record_of(unsigned long long seed, const char *id, const char *status)
{
    hs_config c;
    config_of_seed(&c, seed);
    char own[17];
    hs_config_id(&c, own);
    hs_json j;
    hs_json_init(&j);
    hs_json_object_begin(&j);
    hs_json_key(&j, "id");
    hs_json_string(&j, id ? id : own);
    hs_json_key(&j, "sweep");
    hs_json_null(&j);
    hs_json_key(&j, "config");
    hs_config_json(&j, &c);
    hs_json_key(&j, "status");
    hs_json_string(&j, status);
    hs_json_key(&j, "error");
    hs_json_null(&j);
    hs_json_key(&j, "rank");
    hs_json_int(&j, 0);
    hs_json_key(&j, "wall_s");
    hs_json_double(&j, 1.5);
    hs_json_key(&j, "steps");
    hs_json_int(&j, 10);
    hs_json_key(&j, "final");
    hs_json_object_begin(&j);
    hs_json_key(&j, "loss");
    hs_json_float(&j, 0.5f);
    hs_json_key(&j, "query_acc");
    hs_json_float(&j, 0.25f);
    hs_json_key(&j, "hop_acc");
    hs_json_array_begin(&j);
    hs_json_float(&j, 1.0f);
    hs_json_null(&j);
    hs_json_array_end(&j);
    hs_json_object_end(&j);
    hs_json_key(&j, "emergence");
    hs_json_object_begin(&j);
    hs_json_key(&j, "hop_steps");
    hs_json_array_begin(&j);
    hs_json_int(&j, 5);
    hs_json_null(&j);
    hs_json_array_end(&j);
    hs_json_key(&j, "heads");
    hs_json_array_begin(&j);
    hs_json_array_end(&j);
    hs_json_key(&j, "order");
    hs_json_array_begin(&j);
    hs_json_array_end(&j);
    hs_json_object_end(&j);
    hs_json_key(&j, "files");
    hs_json_object_begin(&j);
    hs_json_key(&j, "metrics");
    hs_json_string(&j, fmt("jobs/%s/metrics.csv", id ? id : own));
    hs_json_key(&j, "attention");
    hs_json_null(&j);
    hs_json_key(&j, "model");
    hs_json_null(&j);
    hs_json_object_end(&j);
    hs_json_object_end(&j);
    assert_true(hs_json_ok(&j));
    char *rec = hs_json_take(&j);
    const char *out = fmt("%s", rec);
    free(rec);
    return out;
}

/* The seed behind ID_A, ID_B, ID_C. */
static inline unsigned long long seed_of(const char *id)
{
    return !strcmp(id, ID_A) ? 1 : !strcmp(id, ID_B) ? 2 : 3;
}

/* A record line of one of the three test jobs. */
static inline const char *R(const char *id, const char *status)
{
    return record_of(seed_of(id), NULL, status);
}

/* A fresh directory path (not created) for one test: base/name. */
static inline void test_dir(char out[512], const char *name)
{
    snprintf(out, 512, "%s/%s", base, name);
}

static inline void remove_tree(const char *path)
{
    struct stat sb;
    if (lstat(path, &sb)) return;
    if (S_ISDIR(sb.st_mode)) {
        DIR *d = opendir(path);
        if (d) {
            struct dirent *e;
            while ((e = readdir(d))) {
                if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
                char sub[1024];
                if (snprintf(sub, sizeof sub, "%s/%s", path, e->d_name) >= (int)sizeof sub)
                    continue;
                remove_tree(sub);
            }
            closedir(d);
        }
        rmdir(path);
    } else {
        unlink(path);
    }
}

static inline int group_setup(void **state)
{
    id_of_seed(1, ID_A);
    id_of_seed(2, ID_B);
    id_of_seed(3, ID_C);
    const char *t = getenv("TMPDIR");
    snprintf(base, sizeof base, "%s/hs_test_store_XXXXXX", t && strlen(t) < 128 ? t : "/tmp");
    return mkdtemp(base) ? 0 : -1;
}

static inline int group_teardown(void **state)
{
    remove_tree(base);
    return 0;
}

static inline void write_bytes(const char *dir, const char *name, const char *data, size_t n)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, n), (ssize_t)n);
    close(fd);
}

/* Makes dir and writes its runs.jsonl from text. */
static inline void fixture(const char *dir, const char *runs)
{
    hs_err e = {0};
    assert_int_equal(hs_mkdirs(dir, &e), HS_OK);
    write_bytes(dir, "runs.jsonl", runs, strlen(runs));
}

/* Contents of dir/name (caller frees); fails the test if it cannot be read. */
static inline char *slurp(const char *dir, const char *name, size_t *n)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *data = NULL;
    hs_err e = {0};
    if (hs_read_file(path, 1 << 24, &data, n, &e)) fail_msg("%s", e.msg);
    return data;
}

static inline bool exists(const char *dir, const char *name)
{
    char path[1024];
    struct stat sb;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &sb) == 0;
}

static __attribute__((
    unused)) char rec_buf[8][8192]; /* records of job() outputs, rotating: a test holds up to 8 */

/* An output with a whole record of one of the test jobs. */
static inline hs_job_output job(const char *id, hs_run_status st)
{
    static int k;
    char *rec = rec_buf[k++ % 8];
    snprintf(rec, sizeof rec_buf[0], "%s", R(id, hs_run_status_name(st)));
    hs_job_output o;
    memset(&o, 0, sizeof o);
    snprintf(o.id, sizeof o.id, "%s", id);
    o.status = st;
    o.record = rec;
    o.record_len = strlen(rec);
    return o;
}

static inline void put_ok(hs_store *s, const hs_job_output *o)
{
    hs_err e = {0};
    if (hs_store_put(s, o, &e)) fail_msg("put failed: %s", e.msg);
}

static inline void open_ok(hs_store *s, const char *dir)
{
    hs_err e = {0};
    if (hs_store_open(s, dir, &e)) fail_msg("open failed: %s", e.msg);
}

#endif
