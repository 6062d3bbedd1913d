/* test_resume.c — unit tests of the resume state (resume.bin: one safetensors file, resume.h):
 * a genuine state is a safetensors file with the documented tensors and metadata and resumes to
 * exactly the uninterrupted run's outputs; every kind of damage the reliability findings F3-F5
 * describe (a curriculum level out of range, a flipped bit anywhere, sizes that do not match,
 * garbage in the saved metrics or attention log, a negative optimizer step, any truncation or
 * junk after the end) is refused by hs_resume_read with one line, and a job whose state is
 * refused starts afresh and ends as the uninterrupted run does; so is a resume.bin in the binary
 * format of hopsweep before this one ("HSJOBRS1", "HSJOBRS2"). Damaged states are rebuilt with
 * the safetensors writer and resealed with the checksum rule resume.h documents, so that the
 * structural checks, not the checksum, must find them.
 *
 * The job is resume_fixture.h's (8 steps interrupted after 5), shared with fuzz_resume.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "messages.h"
#include "resume_fixture.h"

#include "hopsweep/config.h"
#include "hopsweep/job.h"
#include "hopsweep/resume.h"
#include "hopsweep/safetensors.h"

static hs_config cfg;
static hs_job_output whole; /* the uninterrupted run */
static char *genuine;       /* its state after 5 steps */
static size_t genuine_len;

static int setup(void **state)
{
    (void)state;
    hs_err err = {0};
    if (resume_fixture_config(&cfg, &err)) return -1;
    hs_job_opts plain = {.host = "test"};
    if (hs_job_run(&cfg, &plain, &whole, &err) || whole.status != HS_RUN_DONE) return -1;
    return resume_fixture_interrupt(&cfg, "test", &genuine, &genuine_len, &err) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    free(genuine);
    hs_job_output_free(&whole);
    return 0;
}

static char *copy_state(void)
{
    char *s = malloc(genuine_len);
    assert_non_null(s);
    memcpy(s, genuine, genuine_len);
    return s;
}

/* Sets the checksum as resume.h says: FNV-1a 64 of the file with its 16 digits as '0's. */
static void reseal(char *s, size_t n)
{
    static const char key[] = "\"checksum\":\"";
    char *at = NULL;
    for (size_t i = 0; i + sizeof key - 1 <= n && !at; i++)
        if (!memcmp(s + i, key, sizeof key - 1)) at = s + i + sizeof key - 1;
    assert_non_null(at);
    memset(at, '0', 16);
    char hex[17];
    snprintf(hex, sizeof hex, "%016llx", (unsigned long long)hs_fnv1a64(HS_FNV1A64_INIT, s, n));
    memcpy(at, hex, 16);
}

/* The genuine state rewritten with metadata key set to value (NULL: left out) and, when name is
 * not NULL, that tensor's rows changed by extra_rows (its data cut or padded with zeros);
 * resealed. Caller frees. */
static char *rewrite(const char *key, const char *value, const char *name, int extra_rows,
                     size_t *n)
{
    hs_st_file f;
    hs_err err = {0};
    assert_int_equal(hs_st_read(&f, genuine, genuine_len, "genuine", &err), HS_OK);
    hs_st_meta meta[HS_ST_MAX_ENTRIES];
    int nm = 0;
    for (int i = 0; i < f.n_meta; i++) {
        meta[nm] = f.meta[i];
        if (key && !strcmp(meta[nm].key, key)) {
            if (!value) continue;
            meta[nm].value = value;
        }
        nm++;
    }
    hs_st_entry e[HS_ST_MAX_ENTRIES];
    char *pad = calloc(1, genuine_len);
    assert_non_null(pad);
    for (int i = 0; i < f.n; i++) {
        e[i] = f.entries[i];
        if (name && !strcmp(e[i].name, name)) {
            size_t row = hs_st_entry_bytes(&e[i]) / (size_t)e[i].shape[0];
            e[i].shape[0] += extra_rows;
            if (extra_rows > 0) { /* the old rows, then zeros */
                memcpy(pad, e[i].data, row * (size_t)(e[i].shape[0] - extra_rows));
                e[i].data = pad;
            }
        }
    }
    char *out = NULL;
    FILE *mem = open_memstream(&out, n);
    assert_non_null(mem);
    assert_int_equal(hs_st_write_meta(mem, e, f.n, meta, nm, &err), HS_OK);
    fclose(mem);
    free(pad);
    hs_st_file_free(&f);
    reseal(out, *n);
    return out;
}

/* The byte offset in the genuine state of tensor name's data. */
static size_t tensor_at(const char *name, size_t *len)
{
    hs_st_file f;
    hs_err err = {0};
    assert_int_equal(hs_st_read(&f, genuine, genuine_len, "genuine", &err), HS_OK);
    const hs_st_entry *e = hs_st_find(&f, name);
    assert_non_null(e);
    size_t at = (size_t)((const char *)e->data - genuine);
    *len = hs_st_entry_bytes(e);
    hs_st_file_free(&f);
    return at;
}

/* hs_resume_read's verdict on s as a whole job's state of c. */
static hs_status check(const hs_config *c, const char *s, size_t n, hs_err *err)
{
    hs_resume_view v;
    hs_status st = hs_resume_read(c, s, n, true, &v, err);
    if (!st) hs_resume_view_free(&v);
    return st;
}

/* Resumes from s as a job starts: read and checked once, then handed down, or refused (then
 * the job starts afresh); either way the outputs must be the uninterrupted run's. */
static void resume_matches(const char *s, size_t n, bool refused)
{
    hs_err err = {0};
    hs_resume_view v;
    hs_err rerr = {0};
    bool usable = hs_resume_read(&cfg, s, n, true, &v, &rerr) == HS_OK;
    assert_true(usable == !refused);
    hs_job_opts o = {.host = "test", .resume = usable ? &v.s : NULL};
    hs_job_output out;
    assert_int_equal(hs_job_run(&cfg, &o, &out, &err), HS_OK);
    if (usable) hs_resume_view_free(&v);
    assert_int_equal(out.status, HS_RUN_DONE);
    assert_int_equal(out.steps, 8);
    assert_null(out.resume);
    assert_int_equal(out.metrics_len, whole.metrics_len);
    assert_memory_equal(out.metrics, whole.metrics, whole.metrics_len);
    assert_int_equal(out.attention_len, whole.attention_len);
    assert_memory_equal(out.attention, whole.attention, whole.attention_len);
    hs_job_output_free(&out);
}

/* s must be refused with one line containing needle, and a run given it must start afresh. */
static void refused(const char *s, size_t n, const char *needle)
{
    hs_err err = {0};
    assert_int_equal(check(&cfg, s, n, &err), HS_EINPUT);
    assert_true(err.msg[0] && !strchr(err.msg, '\n'));
    assert_has(err.msg, needle);
    resume_matches(s, n, true);
}

static void test_genuine_resumes_exactly(void **state)
{
    (void)state;
    hs_err err = {0};
    assert_int_equal(check(&cfg, genuine, genuine_len, &err), HS_OK);
    /* what resume.h promises a reader of the file: the tensors, their shapes, the metadata */
    hs_st_file f;
    assert_int_equal(hs_st_read(&f, genuine, genuine_len, "genuine", &err), HS_OK);
    assert_string_equal(hs_st_meta_get(&f, "format"), "hopsweep-resume");
    assert_string_equal(hs_st_meta_get(&f, "version"), "1");
    assert_string_equal(hs_st_meta_get(&f, "step"), "5");
    assert_string_equal(hs_st_meta_get(&f, "adam_t"), "5");
    char id[17];
    hs_config_id(&cfg, id);
    assert_string_equal(hs_st_meta_get(&f, "config_id"), id);
    const hs_st_entry *hist = hs_st_find(&f, "history"), *bins = hs_st_find(&f, "role_bins");
    const hs_st_entry *params = hs_st_find(&f, "params"), *m = hs_st_find(&f, "metrics");
    assert_non_null(hist);
    assert_non_null(bins);
    assert_non_null(params);
    assert_non_null(m);
    assert_non_null(hs_st_find(&f, "attention"));
    assert_int_equal(hist->shape[0], 3); /* evaluations at steps 0, 2, 4 */
    assert_int_equal(hist->shape[1], 3); /* hop labels 0..2 */
    assert_int_equal(bins->shape[1], 1); /* one head */
    assert_int_equal(params->shape[0], hs_st_find(&f, "adam.v")->shape[0]);
    assert_memory_equal(m->data, whole.metrics, (size_t)m->shape[0]); /* the rows so far */
    assert_int_equal(f.n, 9);
    hs_st_file_free(&f);
    resume_matches(genuine, genuine_len, false);
}

/* F3: a curriculum level out of range used to reach the sampler's abort(). */
static void test_level_out_of_range(void **state)
{
    (void)state;
    const char *const levels[] = {"1000000", "-5", "0", "3", "2x", ""};
    for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++) {
        size_t n;
        char *s = rewrite("level", levels[i], NULL, 0, &n);
        refused(s, n, i < 4 ? "curriculum level" : "not a number");
        free(s);
    }
}

/* F4: one flipped bit anywhere is found by the checksum. */
static void test_bit_flip_checksum(void **state)
{
    (void)state;
    for (size_t off = 0; off < genuine_len; off += genuine_len / 13 + 1) {
        char *s = copy_state();
        s[off] ^= 0x40;
        hs_err err = {0};
        assert_int_equal(check(&cfg, s, genuine_len, &err), HS_EINPUT);
        assert_true(err.msg[0] && !strchr(err.msg, '\n'));
        free(s);
    }
    size_t len, at = tensor_at("params", &len);
    char *s = copy_state();
    s[at + 40] ^= 0x40;
    refused(s, genuine_len, "checksum mismatch");
    free(s);
    /* a scalar of the loop in the metadata: the loss sum, which no structural check could see */
    size_t n;
    s = rewrite("loss_sum", "0.5", NULL, 0, &n);
    char *sum = strstr(s + 8, "\"loss_sum\":\"0.5\""); /* past the header length's NULs */
    assert_non_null(sum);
    memcpy(sum, "\"loss_sum\":\"0.6\"", 16);
    refused(s, n, "checksum mismatch");
    free(s);
}

/* F4: garbage in the saved metrics text or attention log, even with the checksum made to fit. */
static void test_metrics_and_attention_garbage(void **state)
{
    (void)state;
    size_t mlen, m = tensor_at("metrics", &mlen), alen, a = tensor_at("attention", &alen);
    char *s = copy_state();
    memcpy(s + m + 50, "GARBAGE,,,", 10);
    reseal(s, genuine_len);
    refused(s, genuine_len, "metrics.csv");
    free(s);
    s = copy_state();
    s[a + alen / 2] ^= 0x01;
    reseal(s, genuine_len);
    refused(s, genuine_len, "resume state of job");
    free(s);
}

/* F5: sizes, counts and steps that do not fit the config restart the job instead of failing it. */
static void test_sizes_and_steps(void **state)
{
    (void)state;
    struct {
        const char *key, *value, *tensor;
        int rows;
        const char *needle;
    } cases[] = {
        {"step", "6", NULL, 0, "losses since the last evaluation"}, /* not where it stopped */
        {"step", "7", NULL, 0, "last attention log"}, /* step 7 would have logged at step 6 */
        {"step", "105", NULL, 0, "step outside 1..8"},
        {"step", "-1", NULL, 0, "outside"},
        {"adam_t", "-5", NULL, 0, "optimizer step"},
        {"lr", "0.001", NULL, 0, "learning rate"},
        {"rng", "0000000000000000 0000000000000000 0000000000000000 0000000000000000", NULL, 0,
         "all zero"},
        {"rng", NULL, NULL, 0, "data stream"},
        {"format", "something-else", NULL, 0, "not a hopsweep resume state"},
        {"version", "2", NULL, 0, "version 2"},
        {NULL, NULL, "history", 1, "evaluations"},
        {NULL, NULL, "role_bins", -1, "evaluations"},
        {NULL, NULL, "params", -3, "parameters"},
        {NULL, NULL, "eval_steps", 2, "evaluations"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n;
        char *s = rewrite(cases[i].key, cases[i].value, cases[i].tensor, cases[i].rows, &n);
        hs_err err = {0};
        assert_int_equal(check(&cfg, s, n, &err), HS_EINPUT);
        assert_has(err.msg, cases[i].needle);
        resume_matches(s, n, true);
        free(s);
    }
}

/* A tensor name or a metadata string with a control character (JSON's escapes allow one) is
 * refused before any message quotes it, so the refusal stays one line (found by fuzz_resume:
 * a tensor named "attenti\non"). */
static void test_control_characters(void **state)
{
    (void)state;
    size_t n;
    char *s = rewrite("version", "1\n", NULL, 0, &n);
    refused(s, n, "control character");
    free(s);
    hs_st_file f;
    hs_err err = {0};
    assert_int_equal(hs_st_read(&f, genuine, genuine_len, "genuine", &err), HS_OK);
    hs_st_entry e[HS_ST_MAX_ENTRIES];
    for (int i = 0; i < f.n; i++) e[i] = f.entries[i];
    e[f.n - 1].name = "attenti\non";
    char *out = NULL;
    FILE *mem = open_memstream(&out, &n);
    assert_non_null(mem);
    assert_int_equal(hs_st_write_meta(mem, e, f.n, f.meta, f.n_meta, &err), HS_OK);
    fclose(mem);
    hs_st_file_free(&f);
    reseal(out, n);
    refused(out, n, "control character");
    free(out);
}

/* Any truncation, and any junk after the end, is refused without reading past the bytes. */
static void test_truncated_and_overlong(void **state)
{
    (void)state;
    for (size_t n = 0; n < genuine_len; n += n < 64 ? 1 : 37) {
        char *s = malloc(n + 1);
        assert_non_null(s);
        memcpy(s, genuine, n);
        hs_err err = {0};
        assert_int_equal(check(&cfg, s, n, &err), HS_EINPUT);
        assert_true(err.msg[0] && !strchr(err.msg, '\n'));
        free(s);
    }
    char *s = malloc(genuine_len + 8);
    assert_non_null(s);
    memcpy(s, genuine, genuine_len);
    memset(s + genuine_len, 0, 8);
    reseal(s, genuine_len + 8);
    refused(s, genuine_len + 8, "bytes after the last tensor");
    free(s);
}

/* Another job's state (same sizes, different seed) is not this job's. */
static void test_other_job(void **state)
{
    (void)state;
    hs_config other = cfg;
    other.train.seed = cfg.train.seed + 1;
    hs_err err = {0};
    assert_int_equal(check(&other, genuine, genuine_len, &err), HS_EINPUT);
    assert_has(err.msg, "not one of job");
}

/* A resume.bin of hopsweep before this format (its own binary layout, "HSJOBRS1" or "HSJOBRS2"
 * and part lengths) is refused in one line, and the job starts afresh from step 0. */
static void test_old_format(void **state)
{
    (void)state;
    static const char *const magic[] = {"HSJOBRS1", "HSJOBRS2"};
    for (int k = 0; k < 2; k++) {
        char old[64] = {0};
        memcpy(old, magic[k], 8);
        uint64_t len[3] = {24, 0, 0};
        memcpy(old + 8, len, sizeof len);
        refused(old, sizeof old, "binary format of hopsweep before");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_genuine_resumes_exactly),
        cmocka_unit_test(test_level_out_of_range),
        cmocka_unit_test(test_bit_flip_checksum),
        cmocka_unit_test(test_metrics_and_attention_garbage),
        cmocka_unit_test(test_sizes_and_steps),
        cmocka_unit_test(test_control_characters),
        cmocka_unit_test(test_truncated_and_overlong),
        cmocka_unit_test(test_other_job),
        cmocka_unit_test(test_old_format),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
