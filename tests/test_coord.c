/* test_coord.c — the coordinator with a fake job runner and a fake sink, in one process without
 * MPI (as `hopsweep run` works with no launcher): every unfinished job runs exactly once, longest
 * first by the runner's cost (ties in sweep order), and each result reaches the sink exactly once
 * with the runner's bytes unchanged; jobs the sink already has are skipped; a resume state from
 * the sink reaches the runner with what the sink's check read (freed after), a refused one is
 * logged and the job starts afresh; a stop signal stops handing out work, a second one interrupts through the runner's poll; a sink that cannot
 * store stops the sweep with the error and counts the result as not stored. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "hopsweep/coord.h"
#include "hopsweep/sweep.h"

enum { MAX_JOBS = 16 };

typedef struct {
    const hs_sweep *sw;
    /* runner side */
    int n_run;
    char run_ids[MAX_JOBS][17];
    char resumed[MAX_JOBS][16]; /* the resume bytes each run was given, "" for none */
    char checked[MAX_JOBS][16]; /* what the sink's check read for each run, "" for none */
    const char *fail_id;        /* this job's result says failed */
    int stop_after;             /* raise *stop to stop_level after this many runs (0 = never) */
    int stop_level;
    volatile sig_atomic_t *stop;
    int polled_true; /* runs whose poll asked to interrupt */
    /* sink side */
    int n_put;
    char put_ids[MAX_JOBS][17];
    const char *finished_id; /* already in the store */
    const char *resume_id;   /* has a usable state "STATE" */
    const char *refused_id;  /* has a state the sink refuses */
    int checked_live;        /* what the sink's check read, not yet freed */
    int put_fails_at;        /* the n-th put (1-based) fails with HS_EIO, 0 = never */
} fake;

static int sweep_index(const hs_sweep *sw, const char *id)
{
    for (size_t i = 0; i < sw->n_jobs; i++)
        if (!strcmp(sw->jobs[i].id, id)) return (int)i;
    return -1;
}

static double fake_cost(const hs_config *cfg, void *user)
{
    (void)user;
    /* layers 1..3 x steps 10/20: distinct costs except layers 2 x 20 == layers 4 x 10 (absent) */
    return (double)cfg->model.layers * cfg->train.steps;
}

static const char *fake_status_name(int status)
{
    return status == 0 ? "done" : status == 1 ? "failed" : "interrupted";
}

static hs_status fake_run(const hs_coord_job *job, hs_coord_result *res, void *user, hs_err *err)
{
    (void)err;
    fake *f = user;
    assert_true(f->n_run < MAX_JOBS);
    assert_non_null(job->cfg);
    assert_int_equal(job->rank, 0);
    assert_string_equal(job->sweep, f->sw->name);
    snprintf(f->run_ids[f->n_run], 17, "%s", job->id);
    snprintf(f->resumed[f->n_run], 16, "%.*s", (int)job->resume_len,
             job->resume ? (const char *)job->resume : "");
    snprintf(f->checked[f->n_run], 16, "%s",
             job->resume_checked ? (const char *)job->resume_checked : "");
    f->n_run++;
    if (f->stop_after && f->n_run == f->stop_after) *f->stop = f->stop_level;
    bool interrupted = job->poll(1, job->poll_user);
    f->polled_true += interrupted;
    memset(res, 0, sizeof *res);
    snprintf(res->id, sizeof res->id, "%s", job->id);
    res->status = interrupted ? 2 : f->fail_id && !strcmp(job->id, f->fail_id) ? 1 : 0;
    if (res->status) snprintf(res->err.msg, sizeof res->err.msg, "fake reason");
    res->steps = job->cfg->train.steps;
    char bytes[64];
    int n = snprintf(bytes, sizeof bytes, "output of %s", job->id);
    res->bytes = malloc((size_t)n);
    assert_non_null(res->bytes);
    memcpy(res->bytes, bytes, (size_t)n);
    res->len = (size_t)n;
    return HS_OK;
}

static bool fake_finished(const char *id, void *user)
{
    fake *f = user;
    return f->finished_id && !strcmp(id, f->finished_id);
}

static hs_status fake_put(const hs_coord_result *res, void *user, hs_err *err)
{
    fake *f = user;
    char want[64];
    int n = snprintf(want, sizeof want, "output of %s", res->id);
    assert_int_equal(res->len, (size_t)n);
    assert_memory_equal(res->bytes, want, (size_t)n);
    if (f->put_fails_at && f->n_put + 1 == f->put_fails_at)
        return hs_fail(err, HS_EIO, "fake store is full");
    snprintf(f->put_ids[f->n_put++], 17, "%s", res->id);
    return HS_OK;
}

static hs_status fake_resume(const char *id, const hs_config *cfg, char **bytes, size_t *n,
                             void **checked, void *user, hs_err *err)
{
    fake *f = user;
    assert_non_null(cfg);
    *bytes = NULL;
    *n = 0;
    *checked = NULL;
    if (f->refused_id && !strcmp(id, f->refused_id))
        return hs_fail(err, HS_EINPUT, "resume state unusable (fake damage)");
    if (f->resume_id && !strcmp(id, f->resume_id)) {
        *bytes = strdup("STATE");
        *n = 5;
        *checked = strdup("CHECKED");
        f->checked_live++;
    }
    return HS_OK;
}

static void fake_resume_free(void *checked, void *user)
{
    ((fake *)user)->checked_live--;
    free(checked);
}

static char dir[] = "/tmp/hs_test_coord_XXXXXX";
static char yaml_path[300];

static void load(hs_sweep *sw)
{
    hs_err err = {0};
    assert_int_equal(hs_sweep_load(sw, yaml_path, 0, NULL, &err), HS_OK);
    assert_int_equal(sw->n_jobs, 6);
}

static int setup(void **state)
{
    (void)state;
    if (!mkdtemp(dir)) return -1;
    snprintf(yaml_path, sizeof yaml_path, "%s/c.yaml", dir);
    FILE *f = fopen(yaml_path, "w");
    if (!f) return -1;
    fputs("name: coordtest\nbase:\n  train: {eval_every: 5}\ngrid:\n  train.steps: [10, 20]\n"
          "  model.layers: [1, 2, 3]\n",
          f);
    return fclose(f);
}

static int teardown(void **state)
{
    (void)state;
    unlink(yaml_path);
    return rmdir(dir);
}

/* Runs the sweep with f's fakes; returns the coordinator's status. */
static hs_status lead(const hs_sweep *sw, fake *f, volatile sig_atomic_t *stop,
                      hs_coord_summary *sum, hs_err *err)
{
    hs_coord c = {.rank = 0, .size = 1};
    hs_coord_runner run = {
        .run = fake_run, .cost = fake_cost, .status_name = fake_status_name, .user = f};
    hs_coord_sink sink = {.finished = fake_finished,
                          .put = fake_put,
                          .resume = fake_resume,
                          .resume_free = fake_resume_free,
                          .user = f};
    hs_coord_opts o = {.stop = stop, .log = NULL};
    f->sw = sw;
    f->stop = stop;
    return hs_coord_lead(&c, sw, &o, &run, &sink, sum, err);
}

static void test_every_job_once_longest_first(void **state)
{
    (void)state;
    hs_sweep sw;
    load(&sw);
    fake f = {.finished_id = sw.jobs[0].id,
              .resume_id = sw.jobs[3].id,
              .refused_id = sw.jobs[4].id,
              .fail_id = sw.jobs[5].id};
    volatile sig_atomic_t stop = 0;
    hs_coord_summary sum;
    hs_err err = {0};
    assert_int_equal(lead(&sw, &f, &stop, &sum, &err), HS_OK);
    assert_int_equal(sum.jobs, 6);
    assert_int_equal(sum.skipped, 1);
    assert_int_equal(f.n_run, 5);
    assert_int_equal(f.n_put, 5);
    assert_int_equal(sum.done, 4);
    assert_int_equal(sum.failed, 1);
    assert_int_equal(sum.interrupted + sum.not_started + sum.unsaved, 0);
    assert_false(sum.stopped);
    /* each job ran once, reached the sink once, in the order it ran */
    int seen[MAX_JOBS] = {0};
    double prev = 1e300;
    for (int i = 0; i < f.n_run; i++) {
        assert_string_equal(f.run_ids[i], f.put_ids[i]);
        int k = sweep_index(&sw, f.run_ids[i]);
        assert_true(k > 0); /* job 0 was finished already */
        assert_int_equal(seen[k]++, 0);
        double cost = fake_cost(&sw.jobs[k].cfg, NULL);
        assert_true(cost <= prev); /* longest first */
        prev = cost;
        /* the usable state reaches its job, the refused one does not, nobody else gets one */
        assert_string_equal(f.resumed[i], k == 3 ? "STATE" : "");
        /* and what the sink's check read goes with it, to be read no second time */
        assert_string_equal(f.checked[i], k == 3 ? "CHECKED" : "");
    }
    assert_int_equal(f.checked_live, 0);
    hs_sweep_free(&sw);
}

static void test_stop_and_interrupt(void **state)
{
    (void)state;
    hs_sweep sw;
    load(&sw);
    /* one stop after the second job: the running job finishes, nothing more starts */
    fake f = {.stop_after = 2, .stop_level = 1};
    volatile sig_atomic_t stop = 0;
    hs_coord_summary sum;
    hs_err err = {0};
    assert_int_equal(lead(&sw, &f, &stop, &sum, &err), HS_OK);
    assert_int_equal(f.n_run, 2);
    assert_int_equal(f.polled_true, 0);
    assert_int_equal(sum.done, 2);
    assert_int_equal(sum.not_started, 4);
    assert_true(sum.stopped);
    /* a second stop (level 2) during the first job: its poll interrupts it */
    fake g = {.stop_after = 1, .stop_level = 2};
    stop = 0;
    assert_int_equal(lead(&sw, &g, &stop, &sum, &err), HS_OK);
    assert_int_equal(g.n_run, 1);
    assert_int_equal(g.polled_true, 1);
    assert_int_equal(sum.interrupted, 1);
    assert_int_equal(sum.done, 0);
    assert_int_equal(sum.not_started, 5);
    assert_int_equal(g.n_put, 1);
    hs_sweep_free(&sw);
}

static void test_sink_failure_stops_the_sweep(void **state)
{
    (void)state;
    hs_sweep sw;
    load(&sw);
    fake f = {.put_fails_at = 2};
    volatile sig_atomic_t stop = 0;
    hs_coord_summary sum;
    hs_err err = {0};
    assert_int_equal(lead(&sw, &f, &stop, &sum, &err), HS_EIO);
    assert_non_null(strstr(err.msg, "fake store is full"));
    assert_int_equal(f.n_run, 2);
    assert_int_equal(f.n_put, 1);
    assert_int_equal(sum.done, 1);
    assert_int_equal(sum.unsaved, 1);
    assert_int_equal(sum.not_started, 4);
    assert_int_equal(sum.jobs, sum.skipped + sum.done + sum.failed + sum.interrupted +
                                   sum.not_started + sum.unsaved);
    hs_sweep_free(&sw);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_job_once_longest_first),
        cmocka_unit_test(test_stop_and_interrupt),
        cmocka_unit_test(test_sink_failure_stops_the_sweep),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
