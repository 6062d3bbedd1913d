/* resume_fixture.h — the job whose resume state test_resume.c damages and fuzz_resume.c mutates:
 * tiny (explicit curriculum, so the state holds a curriculum level and its history; an attention
 * log, so it holds a saved log; 8 steps), so every test trains in milliseconds. Both stop it
 * after 5 steps to get one genuine state. No cmocka here: the fuzz target has none. static
 * inline, so a file that uses only some of it compiles warning-free. */
#ifndef HOPSWEEP_TESTS_RESUME_FIXTURE_H
#define HOPSWEEP_TESTS_RESUME_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>

#include "hopsweep/config.h"
#include "hopsweep/job.h"

/* The step after which the job (of 8 steps) is interrupted. */
enum { RESUME_FIXTURE_STOP = 5 };

/* The job's config, validated. */
static inline hs_status resume_fixture_config(hs_config *cfg, hs_err *err)
{
    static const char *const keys[][2] = {
        {"task.hops", "2"},           {"task.chains", "2"},         {"task.curriculum", "explicit"},
        {"model.d_model", "8"},       {"model.layers", "1"},        {"model.heads", "1"},
        {"model.mlp", "1"},           {"train.steps", "8"},         {"train.batch", "4"},
        {"train.eval_every", "2"},    {"train.eval_examples", "8"}, {"train.warmup", "2"},
        {"log.attention_every", "3"}, {"log.probe_examples", "2"}};
    hs_config_default(cfg);
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        hs_status st = hs_config_set(cfg, keys[i][0], keys[i][1], err);
        if (st) return st;
    }
    return hs_config_validate(cfg, err);
}

static inline bool resume_fixture_stop(int step, void *user)
{
    (void)user;
    return step == RESUME_FIXTURE_STOP;
}

/* Runs the job on `host` until it is interrupted and hands over its resume state (the caller
 * frees it). False when the job does not stop there with a state. */
static inline bool resume_fixture_interrupt(const hs_config *cfg, const char *host, char **state,
                                            size_t *len, hs_err *err)
{
    hs_job_opts o = {.host = host, .on_step = resume_fixture_stop};
    hs_job_output out;
    if (hs_job_run(cfg, &o, &out, err)) return false;
    if (out.status != HS_RUN_INTERRUPTED || !out.resume) {
        hs_job_output_free(&out);
        return false;
    }
    *state = out.resume, *len = out.resume_len;
    out.resume = NULL;
    hs_job_output_free(&out);
    return true;
}

#endif
