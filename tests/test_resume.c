/* test_resume.c — unit tests of the resume state (resume.bin, job.c, with the trainer state of
 * train.c inside it): a genuine state resumes to exactly the uninterrupted run's outputs; every
 * kind of damage the reliability findings F3-F5 describe (a curriculum level out of range, a
 * flipped parameter bit, sizes that do not match, garbage in the saved metrics or attention log,
 * a negative optimizer step, any truncation) is refused by hs_job_resume_check with one line,
 * and hs_job_run given such a state starts afresh and ends as the uninterrupted run does; a
 * state in the format before the checksum ("HSJOBRS1") still resumes.
 *
 * The job is tiny (explicit curriculum, attention log, 8 steps interrupted after 5), so every
 * test trains in milliseconds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hopsweep/config.h"
#include "hopsweep/job.h"

/* Offsets in resume.bin: the job's 32-byte header (magic, three part lengths), then the trainer
 * state, whose own header (train.c's resume_head) holds these fields. */
enum { JOB_HEAD = 32, T_N_EVALS = 40, T_STEP = 48, T_LEVEL = 52, T_ADAM_T = 120, T_HEAD = 128 };

#define assert_has(msg, needle)                                                                    \
    do {                                                                                           \
        if (!strstr((msg), (needle))) fail_msg("message \"%s\" lacks \"%s\"", (msg), (needle));    \
    } while (0)

static hs_config cfg;
static hs_job_output whole;   /* the uninterrupted run */
static char *genuine;         /* its state after 5 steps */
static size_t genuine_len;

static bool stop_at_5(int step, void *user)
{
    (void)user;
    return step == 5;
}

static int setup(void **state)
{
    (void)state;
    static const char *const keys[][2] = {
        {"task.hops", "2"}, {"task.chains", "2"}, {"task.curriculum", "explicit"},
        {"model.d_model", "8"}, {"model.layers", "1"}, {"model.heads", "1"}, {"model.mlp", "1"},
        {"train.steps", "8"}, {"train.batch", "4"}, {"train.eval_every", "2"},
        {"train.eval_examples", "8"}, {"train.warmup", "2"}, {"log.attention_every", "3"},
        {"log.probe_examples", "2"}};
    hs_err err = {0};
    hs_config_default(&cfg);
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (hs_config_set(&cfg, keys[i][0], keys[i][1], &err)) return -1;
    if (hs_config_validate(&cfg, &err)) return -1;
    hs_job_opts plain = {.host = "test"};
    if (hs_job_run(&cfg, &plain, &whole, &err) || whole.status != HS_RUN_DONE) return -1;
    hs_job_opts o = {.host = "test", .on_step = stop_at_5};
    hs_job_output out;
    if (hs_job_run(&cfg, &o, &out, &err) || out.status != HS_RUN_INTERRUPTED || !out.resume) return -1;
    genuine = out.resume, genuine_len = out.resume_len;
    out.resume = NULL;
    hs_job_output_free(&out);
    return 0;
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

static void reseal(char *s, size_t n)
{
    uint64_t sum = hs_fnv1a64(s, n - 8);
    memcpy(s + n - 8, &sum, 8);
}

static uint64_t part_len(const char *s, int k)
{
    uint64_t v;
    memcpy(&v, s + 8 + 8 * k, 8);
    return v;
}

/* Resumes from s; the outputs must be the uninterrupted run's, and notice says whether the state
 * was refused (then the job started afresh). */
static void resume_matches(const char *s, size_t n, bool refused)
{
    hs_err err = {0};
    hs_job_opts o = {.host = "test", .resume = s, .resume_len = n};
    hs_job_output out;
    assert_int_equal(hs_job_run(&cfg, &o, &out, &err), HS_OK);
    assert_int_equal(out.status, HS_RUN_DONE);
    assert_int_equal(out.steps, 8);
    assert_null(out.resume);
    if (refused) assert_has(out.notice, "started afresh");
    else assert_string_equal(out.notice, "");
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
    assert_int_equal(hs_job_resume_check(&cfg, s, n, &err), HS_EINPUT);
    assert_true(err.msg[0] && !strchr(err.msg, '\n'));
    assert_has(err.msg, needle);
    resume_matches(s, n, true);
}

static void test_genuine_resumes_exactly(void **state)
{
    (void)state;
    hs_err err = {0};
    assert_int_equal(hs_job_resume_check(&cfg, genuine, genuine_len, &err), HS_OK);
    assert_memory_equal(genuine, "HSJOBRS2", 8);
    resume_matches(genuine, genuine_len, false);
}

/* F3: a curriculum level out of range used to reach the sampler's abort(). */
static void test_level_out_of_range(void **state)
{
    (void)state;
    const int32_t levels[] = {1000000, -5, 0, 3};
    for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++) {
        char *s = copy_state();
        memcpy(s + JOB_HEAD + T_LEVEL, &levels[i], 4);
        reseal(s, genuine_len);
        refused(s, genuine_len, "curriculum level");
        free(s);
    }
}

/* F4: one flipped bit anywhere (a parameter's exponent here) is found by the checksum. */
static void test_bit_flip_checksum(void **state)
{
    (void)state;
    for (size_t off = 0; off < genuine_len; off += genuine_len / 7 + 1) {
        char *s = copy_state();
        s[off] ^= 0x40;
        hs_err err = {0};
        assert_int_equal(hs_job_resume_check(&cfg, s, genuine_len, &err), HS_EINPUT);
        free(s);
    }
    char *s = copy_state();
    s[JOB_HEAD + T_HEAD + 40] ^= 0x40;
    refused(s, genuine_len, "checksum mismatch");
    free(s);
}

/* F4: garbage in the saved metrics text or attention log, even with the checksum made to fit. */
static void test_metrics_and_attention_garbage(void **state)
{
    (void)state;
    size_t m = JOB_HEAD + part_len(genuine, 0), a = m + part_len(genuine, 1);
    char *s = copy_state();
    memcpy(s + m + 50, "GARBAGE,,,", 10);
    reseal(s, genuine_len);
    refused(s, genuine_len, "metrics.csv");
    free(s);
    s = copy_state();
    s[a + part_len(genuine, 2) / 2] ^= 0x01;
    reseal(s, genuine_len);
    refused(s, genuine_len, "resume state of job");
    free(s);
}

/* F5: sizes, counts and steps that do not fit the config restart the job instead of failing it. */
static void test_sizes_and_steps(void **state)
{
    (void)state;
    struct { int off; int64_t delta; int width; const char *needle; } cases[] = {
        {T_N_EVALS, 1, 4, "evaluations"},
        {T_STEP, 1, 4, "evaluations"},     /* step 6 would have had another evaluation... */
        {T_STEP, 100, 4, "step 105 outside"},
        {T_STEP, -6, 4, "outside"},
        {T_ADAM_T, -10, 8, "optimizer step"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *s = copy_state();
        char *f = s + JOB_HEAD + cases[i].off;
        if (cases[i].width == 4) {
            int32_t v;
            memcpy(&v, f, 4);
            v += (int32_t)cases[i].delta;
            memcpy(f, &v, 4);
        } else {
            int64_t v;
            memcpy(&v, f, 8);
            v += cases[i].delta;
            memcpy(f, &v, 8);
        }
        reseal(s, genuine_len);
        hs_err err = {0};
        assert_int_equal(hs_job_resume_check(&cfg, s, genuine_len, &err), HS_EINPUT);
        if (cases[i].off != T_STEP || cases[i].delta != 1) assert_has(err.msg, cases[i].needle);
        resume_matches(s, genuine_len, true);
        free(s);
    }
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
        assert_int_equal(hs_job_resume_check(&cfg, s, n, &err), HS_EINPUT);
        assert_true(err.msg[0] && !strchr(err.msg, '\n'));
        free(s);
    }
    char *s = malloc(genuine_len + 8);
    assert_non_null(s);
    memcpy(s, genuine, genuine_len);
    memset(s + genuine_len, 0, 8);
    reseal(s, genuine_len + 8);
    refused(s, genuine_len + 8, "overlong");
    free(s);
}

/* Another job's state (same sizes, different seed) is not this job's. */
static void test_other_job(void **state)
{
    (void)state;
    hs_config other = cfg;
    other.train.seed = cfg.train.seed + 1;
    hs_err err = {0};
    assert_int_equal(hs_job_resume_check(&other, genuine, genuine_len, &err), HS_EINPUT);
    assert_has(err.msg, "not one of job");
}

/* A state written before the checksum existed ("HSJOBRS1", no closing hash) still resumes, with
 * every check but the hash; damaged, it is refused like a new one. */
static void test_old_format(void **state)
{
    (void)state;
    size_t n = genuine_len - 8;
    char *s = copy_state();
    memcpy(s, "HSJOBRS1", 8);
    hs_err err = {0};
    assert_int_equal(hs_job_resume_check(&cfg, s, n, &err), HS_OK);
    resume_matches(s, n, false);
    int32_t level = 1000000;
    memcpy(s + JOB_HEAD + T_LEVEL, &level, 4);
    refused(s, n, "curriculum level");
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_genuine_resumes_exactly),
        cmocka_unit_test(test_level_out_of_range),
        cmocka_unit_test(test_bit_flip_checksum),
        cmocka_unit_test(test_metrics_and_attention_garbage),
        cmocka_unit_test(test_sizes_and_steps),
        cmocka_unit_test(test_truncated_and_overlong),
        cmocka_unit_test(test_other_job),
        cmocka_unit_test(test_old_format),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
