/* coord.c — rank 0 hands out a sweep's jobs and gathers their results; the other ranks train.
 *
 * Messages (all MPI_BYTE):
 *   worker → 0   READY   host name          first request for work
 *   worker → 0   RESULT  result_head + bytes a finished (or interrupted) job; asks for the next
 *                                           unless result_head.leaving (stopped by a signal)
 *   worker → 0   BEAT    (empty)            alive: sent every HS_COORD_BEAT_S seconds of a job
 *   0 → worker   JOB     job_head + bytes   sweep name, the live directory, the job's
 *                                           canonical "key=value" lines, and the resume state
 *                                           of an interrupted run
 *   0 → worker   STOP    (empty)            no more work: exit
 *   0 → worker   ABANDON (empty)            interrupt the running job and report it
 *
 * A result's bytes are the runner's (for hopsweep run, the packed job output of job.c); the
 * coordinator moves them unread. A build without MPI (-DHOPSWEEP_MPI=OFF, no HS_HAVE_MPI) keeps
 * only rank 0's side: it runs every job itself, and refuses to start under a launcher.
 */
#include "hopsweep/coord.h"

#ifdef HS_HAVE_MPI
#include <mpi.h>
#endif
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "coord_msg.h"
#include "hopsweep/progress.h"

enum { TAG_READY = 1, TAG_RESULT, TAG_JOB, TAG_STOP, TAG_ABANDON, TAG_BEAT };

typedef struct {
    int32_t job, status, steps;
    int32_t leaving; /* the worker was stopped by a signal: it asks for nothing more */
    float query_acc;
    double wall_s;
    uint64_t len; /* the runner's bytes that follow */
    char id[17];
    hs_err err;
} result_head;

typedef struct {
    int32_t job, name_len, dir_len, config_len;
    uint64_t resume_len;
} job_head;

/* ---- start-up ---- */

static bool launched_by_mpi(void)
{
    static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE",
                                       NULL};
    for (int i = 0; vars[i]; i++)
        if (getenv(vars[i])) return true;
    /* srun without --mpi still runs N copies: they must meet through MPI, not each run it all */
    const char *n = getenv("SLURM_STEP_NUM_TASKS");
    return n && atoi(n) > 1 && getenv("SLURM_PROCID");
}

hs_status hs_coord_init(hs_coord *c, int *argc, char ***argv, hs_err *err)
{
    memset(c, 0, sizeof *c);
    c->size = 1;
    gethostname(c->host, sizeof c->host - 1);
    if (!launched_by_mpi()) return HS_OK;
#ifndef HS_HAVE_MPI
    /* N copies started by mpirun would each run the whole sweep: refuse, in one line from the
     * first copy only (the others fail with an empty message, which the caller does not print) */
    static const char *const rank_vars[] = {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK",
                                            "SLURM_PROCID", NULL};
    for (int i = 0; rank_vars[i]; i++) {
        const char *r = getenv(rank_vars[i]);
        if (r && atoi(r) != 0) {
            err->code = HS_EINPUT;
            err->msg[0] = '\0';
            return HS_EINPUT;
        }
    }
    return hs_fail(err, HS_EINPUT,
                   "this hopsweep was built without MPI (-DHOPSWEEP_MPI=OFF), so it cannot share "
                   "a sweep across ranks: run it without mpirun/srun (one process runs every "
                   "job), or rebuild with -DHOPSWEEP_MPI=ON");
#else
    if (MPI_Init(argc, argv) != MPI_SUCCESS)
        return hs_fail(err, HS_EINTERNAL,
                       "MPI_Init failed; run without mpirun, or check the MPI installation");
    c->mpi = true;
    MPI_Comm_rank(MPI_COMM_WORLD, &c->rank);
    MPI_Comm_size(MPI_COMM_WORLD, &c->size);
    return HS_OK;
#endif
}

void hs_coord_finalize(hs_coord *c)
{
#ifdef HS_HAVE_MPI
    if (c->mpi) MPI_Finalize();
#endif
    c->mpi = false;
}

void hs_coord_abort(hs_coord *c, int code)
{
#ifdef HS_HAVE_MPI
    if (c->mpi) MPI_Abort(MPI_COMM_WORLD, code);
#else
    (void)c;
    (void)code;
#endif
}

/* ---- rank 0 ---- */

typedef struct {
    hs_coord *c;
    const hs_sweep *sw;
    const hs_coord_opts *o;
    const hs_coord_runner *run;
    const hs_coord_sink *sink;
    hs_coord_summary *sum;
    hs_err *err;
    hs_status fatal; /* storing failed: stop everything */
    size_t *queue, n_queue, next;
    double *cost;      /* per sweep job: the runner's estimate */
    int live_workers;  /* not yet sent STOP, not left, not lost */
    int *busy;         /* per rank: sweep job index it runs, -1 = none */
    double *heard;     /* per rank: when its last message came */
    bool *lost;        /* per rank: given up as silent */
    char (*hosts)[64]; /* per rank: the host its READY named */
    double longest;    /* the longest silence seen between two messages of a busy rank */
    bool abandon_sent;
    hs_progress progress;
} lead;

static int stop_level(const lead *L)
{
    if (L->fatal) return 2;
    int s = L->o->stop ? *L->o->stop : 0;
    return s && L->o->abandon ? 2 : s;
}

#ifdef HS_HAVE_MPI
/* The job's config as canonical "key=value" lines: the worker rebuilds exactly this config. */
static size_t format_config(const hs_config *cfg, char *buf, size_t cap)
{
    size_t n = hs_config_write_lines(cfg, 0, buf, cap);
    return n < cap ? n : cap;
}
#endif

/* The resume state of job, checked against its config, and what the check read (*checked,
 * for a runner on this rank); NULL when there is none or it is unusable (then the job starts
 * afresh, and the log says why). */
static char *resume_state(lead *L, size_t job, size_t *n, void **checked)
{
    const hs_sweep_job *sj = &L->sw->jobs[job];
    char *bytes = NULL;
    hs_err e = {0};
    *n = 0;
    *checked = NULL;
    if (!L->sink->resume ||
        L->sink->resume(sj->id, &sj->cfg, &bytes, n, checked, L->sink->user, &e)) {
        if (e.msg[0])
            hs_progress_log(&L->progress, "job %s: %s; starting it afresh", sj->id, e.msg);
        free(bytes);
        *n = 0;
        return NULL;
    }
    return bytes;
}

static void resume_free(lead *L, char *bytes, void *checked)
{
    if (checked && L->sink->resume_free) L->sink->resume_free(checked, L->sink->user);
    free(bytes);
}

#ifdef HS_HAVE_MPI
static double silence_limit(const lead *L);
static void give_up(lead *L, int w, double quiet, double limit);

static hs_status send_job(lead *L, int w, size_t job)
{
    enum { CONFIG_MAX = 8192 };
    const char *name = L->sw->name, *dir = L->o->live_dir ? L->o->live_dir : "";
    size_t resume_len;
    void *checked; /* read on this rank, of no use to the one that runs the job */
    char *resume = resume_state(L, job, &resume_len, &checked);
    resume_free(L, NULL, checked);
    job_head h = {.job = (int32_t)job,
                  .name_len = (int32_t)strlen(name),
                  .dir_len = (int32_t)strlen(dir),
                  .resume_len = resume_len};
    size_t off = sizeof h + (size_t)h.name_len + (size_t)h.dir_len;
    char *p = malloc(off + CONFIG_MAX + resume_len);
    if (!p) {
        free(resume);
        return hs_fail(L->err, HS_ENOMEM, "out of memory sending job %s", L->sw->jobs[job].id);
    }
    memcpy(p + sizeof h, name, (size_t)h.name_len);
    memcpy(p + sizeof h + h.name_len, dir, (size_t)h.dir_len);
    h.config_len = (int32_t)format_config(&L->sw->jobs[job].cfg, p + off, CONFIG_MAX);
    memcpy(p, &h, sizeof h);
    if (resume_len) memcpy(p + off + h.config_len, resume, resume_len);
    free(resume);
    L->busy[w] = (int)job;
    L->heard[w] = hs_coord_now_s(); /* its silence counts from here */
    bool late = false;
    double limit = silence_limit(L);
    hs_status st = hs_coord_send_within(w, TAG_JOB, p, off + (size_t)h.config_len + resume_len,
                                        limit, &late, L->err);
    if (late) /* it never took its job: p stays, MPI may read it yet */
        give_up(L, w, hs_coord_now_s() - L->heard[w], limit);
    else
        free(p);
    return st;
}

/* Gives rank w its next job, or tells it to stop. */
static hs_status assign(lead *L, int w)
{
    L->busy[w] = -1;
    if (!stop_level(L) && L->next < L->n_queue) return send_job(L, w, L->queue[L->next++]);
    L->live_workers--;
    return hs_coord_send_bytes(w, TAG_STOP, NULL, 0, L->err);
}
#endif

enum { DONE = 0, FAILED = 1, INTERRUPTED = 2 }; /* hs_coord_result.status */

static void log_result(lead *L, size_t job, const hs_coord_result *out, int rank)
{
    char label[256], took[32], line[300];
    const char *status = L->run->status_name(out->status);
    hs_sweep_job_label(L->sw, job, label, sizeof label);
    hs_format_duration(out->wall_s, took, sizeof took);
    if (out->status == DONE) {
        hs_progress_log(&L->progress, "job %s [%s] done on rank %d in %s: %d steps, query %.3f",
                        out->id, label, rank, took, out->steps, (double)out->query_acc);
    } else {
        hs_progress_log(&L->progress, "job %s [%s] %s on rank %d after %d steps: %s", out->id,
                        label, status, rank, out->steps, out->err.msg);
    }
    snprintf(line, sizeof line, "%s %s %s", out->id, label, status);
    hs_progress_finish(&L->progress, out->status, L->cost[job], line);
    hs_progress_show(&L->progress, false);
}

/* Hands a finished job to the store and counts it. */
static void take_result(lead *L, size_t job, const hs_coord_result *out, int rank)
{
    if (L->fatal) { /* storing already failed: this result is not stored either, but counted */
        L->sum->unsaved++;
        return;
    }
    if (strcmp(out->id, L->sw->jobs[job].id)) {
        L->fatal = hs_fail(L->err, HS_EINTERNAL,
                           "rank %d returned job %s for job %s: ranks disagree on the job "
                           "config (different hopsweep builds?)",
                           rank, out->id, L->sw->jobs[job].id);
        return;
    }
    hs_status st = L->sink->put(out, L->sink->user, L->err);
    if (st) {
        L->fatal = st;
        L->sum->unsaved++; /* trained but not stored: still one of the sweep's jobs */
        return;
    }
    L->sum->done += out->status == DONE;
    L->sum->failed += out->status == FAILED;
    L->sum->interrupted += out->status == INTERRUPTED;
    log_result(L, job, out, rank);
}

#ifdef HS_HAVE_MPI
static hs_status unpack_result(const char *buf, int n, int rank, hs_coord_result *out, int *job,
                               bool *leaving, hs_err *err)
{
    result_head h;
    memset(out, 0, sizeof *out);
    if ((size_t)n < sizeof h)
        return hs_fail(err, HS_EINTERNAL, "short result message from rank %d", rank);
    memcpy(&h, buf, sizeof h);
    if (h.len != (uint64_t)n - sizeof h)
        return hs_fail(err, HS_EINTERNAL, "malformed result message from rank %d", rank);
    *job = h.job;
    *leaving = h.leaving != 0;
    memcpy(out->id, h.id, sizeof out->id);
    out->id[16] = '\0';
    out->status = h.status;
    out->err = h.err;
    out->err.msg[sizeof out->err.msg - 1] = '\0';
    out->steps = h.steps;
    out->wall_s = h.wall_s;
    out->query_acc = h.query_acc;
    out->len = h.len;
    out->bytes = malloc(h.len + 1);
    if (!out->bytes) return hs_fail(err, HS_ENOMEM, "out of memory receiving a result");
    memcpy(out->bytes, buf + sizeof h, h.len);
    out->bytes[h.len] = '\0';
    return HS_OK;
}

/* ---- liveness ---- */

static void heard_from(lead *L, int w)
{
    double t = hs_coord_now_s();
    if (L->busy[w] >= 0 && t - L->heard[w] > L->longest) L->longest = t - L->heard[w];
    L->heard[w] = t;
}

static double silence_limit(const lead *L)
{
    if (L->o->silence > 0) return L->o->silence;
    double s = HS_COORD_SILENCE_FACTOR * L->longest;
    return s > HS_COORD_SILENCE_MIN ? s : HS_COORD_SILENCE_MIN;
}

/* Gives up rank w, silent for quiet seconds: its job is recorded as interrupted (a rerun runs
 * it again) and the sweep goes on without it. */
static void give_up(lead *L, int w, double quiet, double limit)
{
    size_t job = (size_t)L->busy[w];
    char took[32], why[300];
    hs_format_duration(quiet, took, sizeof took);
    snprintf(why, sizeof why,
             "rank %d on %s sent nothing for %s (limit %.0f s, run --silence): stopped or cut "
             "off; given up, the job runs again on a rerun",
             w, L->hosts[w], took, limit);
    L->lost[w] = true;
    L->live_workers--;
    L->sum->lost_ranks++;
    hs_coord_job jo = {.cfg = &L->sw->jobs[job].cfg,
                       .id = L->sw->jobs[job].id,
                       .sweep = L->sw->name,
                       .host = L->hosts[w],
                       .rank = w};
    hs_coord_result out = {0};
    hs_err e = {0};
    if (!L->run->lost) { /* a runner that cannot record it: the job is simply not done */
        hs_progress_log(&L->progress, "job %s: %s", jo.id, why);
        L->sum->unsaved++;
    } else if (L->run->lost(&jo, why, &out, L->run->user, &e)) {
        if (!L->fatal) L->fatal = hs_fail(L->err, e.code, "%s", e.msg);
        L->sum->unsaved++;
    } else {
        take_result(L, job, &out, w);
    }
    free(out.bytes);
}

static void give_up_silent(lead *L)
{
    double t = hs_coord_now_s(), limit = silence_limit(L);
    for (int w = 1; w < L->c->size; w++)
        if (L->busy[w] >= 0 && !L->lost[w] && t - L->heard[w] > limit)
            give_up(L, w, t - L->heard[w], limit);
}
#endif

/* Handles every message waiting for rank 0; never blocks for long. */
static void serve(lead *L)
{
#ifdef HS_HAVE_MPI
    if (!L->c->mpi) return;
    for (;;) {
        int flag = 0;
        MPI_Status st;
        MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
        if (!flag) break;
        char *buf = NULL;
        int n = 0;
        hs_err e = {0};
        if (hs_coord_recv_probed(&st, &buf, &n, &e)) {
            if (!L->fatal) L->fatal = hs_fail(L->err, e.code, "%s", e.msg);
            break;
        }
        int w = st.MPI_SOURCE;
        bool leaving = false;
        heard_from(L, w);
        if (st.MPI_TAG == TAG_READY) snprintf(L->hosts[w], sizeof L->hosts[w], "%s", buf);
        if (st.MPI_TAG == TAG_RESULT) {
            hs_coord_result out;
            int job = -1;
            if (unpack_result(buf, n, w, &out, &job, &leaving, &e) || job < 0 ||
                (size_t)job >= L->sw->n_jobs) {
                if (!L->fatal)
                    L->fatal = hs_fail(L->err, HS_EINTERNAL, "%s",
                                       e.msg[0] ? e.msg : "bad job index in a result");
            } else {
                if (L->lost[w]) { /* came back after all: its result replaces "interrupted" */
                    hs_progress_log(&L->progress, "rank %d on %s came back with job %s", w,
                                    L->hosts[w], out.id);
                    L->sum->interrupted--;
                }
                take_result(L, (size_t)job, &out, w);
            }
            free(out.bytes);
        }
        free(buf);
        if (st.MPI_TAG != TAG_READY && st.MPI_TAG != TAG_RESULT) continue;
        if (L->lost[w]) { /* already counted out: only release it */
            L->busy[w] = -1;
            if (!leaving) hs_coord_send_bytes(w, TAG_STOP, NULL, 0, L->err);
        } else if (leaving) { /* stopped by its own signal: nothing more for it */
            L->busy[w] = -1;
            L->live_workers--;
        } else if (assign(L, w) && !L->fatal) {
            L->fatal = L->err->code;
        }
    }
    give_up_silent(L);
    if (stop_level(L) >= 2 && !L->abandon_sent) {
        L->abandon_sent = true;
        for (int w = 1; w < L->c->size; w++)
            if (L->busy[w] >= 0) hs_coord_send_bytes(w, TAG_ABANDON, NULL, 0, L->err);
    }
#endif
    hs_progress_show(&L->progress, false);
}

static bool lead_step(int step, void *user)
{
    lead *L = user;
    serve(L);
    return stop_level(L) >= 2;
}

typedef struct queued {
    double cost;
    size_t job;
} queued;

/* Longest first, ties in sweep order. */
static int by_cost(const void *a, const void *b)
{
    const queued *x = a, *y = b;
    if (x->cost != y->cost) return x->cost < y->cost ? 1 : -1;
    return (x->job > y->job) - (x->job < y->job);
}

/* The queue: unfinished jobs, longest first, ties in sweep order. */
static hs_status build_queue(lead *L)
{
    const hs_sweep *sw = L->sw;
    size_t n = sw ? sw->n_jobs : 0;
    double *cost = L->cost = malloc((n + 1) * sizeof *cost);
    L->queue = malloc((n + 1) * sizeof *L->queue);
    if (!cost || !L->queue) return hs_fail(L->err, HS_ENOMEM, "out of memory ordering %zu jobs", n);
    L->sum->jobs = n;
    for (size_t i = 0; i < n; i++) {
        cost[i] = L->run->cost(&sw->jobs[i].cfg, L->run->user);
        if (L->sink->finished && L->sink->finished(sw->jobs[i].id, L->sink->user))
            L->sum->skipped++;
        else
            L->queue[L->n_queue++] = i;
    }
    /* one O(n log n) sort, not an insertion sort: a sweep may hold 10^6 jobs */
    queued *q = malloc((L->n_queue + 1) * sizeof *q);
    if (!q) return hs_fail(L->err, HS_ENOMEM, "out of memory ordering %zu jobs", n);
    for (size_t i = 0; i < L->n_queue; i++) q[i] = (queued){cost[L->queue[i]], L->queue[i]};
    qsort(q, L->n_queue, sizeof *q, by_cost);
    for (size_t i = 0; i < L->n_queue; i++) L->queue[i] = q[i].job;
    free(q);
    double total = 0;
    for (size_t i = 0; i < L->n_queue; i++) total += cost[L->queue[i]];
    hs_progress_init(&L->progress, L->o->log, L->n_queue, total, L->o->progress_every);
    return HS_OK;
}

hs_status hs_coord_lead(hs_coord *c, const hs_sweep *sw, const hs_coord_opts *o,
                        const hs_coord_runner *run, const hs_coord_sink *sink,
                        hs_coord_summary *sum, hs_err *err)
{
    double t0 = hs_coord_now_s();
    memset(sum, 0, sizeof *sum);
    lead L = {.c = c,
              .sw = sw,
              .o = o,
              .run = run,
              .sink = sink,
              .sum = sum,
              .err = err,
              .live_workers = c->size - 1};
    L.busy = malloc(sizeof(int) * (size_t)c->size);
    L.heard = calloc((size_t)c->size, sizeof *L.heard);
    L.lost = calloc((size_t)c->size, sizeof *L.lost);
    L.hosts = calloc((size_t)c->size, sizeof *L.hosts);
    if (!L.busy || !L.heard || !L.lost || !L.hosts)
        L.fatal = hs_fail(err, HS_ENOMEM, "out of memory starting the coordinator");
    else {
        for (int w = 0; w < c->size; w++) L.busy[w] = -1;
        L.fatal = build_queue(&L);
    }
    if (!L.fatal && sw && sw->name && strlen(sw->name) > 1000)
        L.fatal = hs_fail(err, HS_EINPUT, "sweep name longer than 1000 characters");
    if (L.fatal || !sw) L.next = L.n_queue; /* nothing to hand out: release the workers */
    if (o->log && sw) {
        hs_progress_log(
            &L.progress, "sweep %s: %zu jobs, %zu already in the store, %zu to run on %d rank%s",
            sw->name, sum->jobs, sum->skipped, L.n_queue, c->size, c->size > 1 ? "s" : "");
    }

    for (;;) {
        serve(&L);
        if (!stop_level(&L) && L.next < L.n_queue) {
            size_t job = L.queue[L.next++];
            hs_coord_job jo = {.cfg = &sw->jobs[job].cfg,
                               .id = sw->jobs[job].id,
                               .sweep = sw->name,
                               .host = c->host,
                               .rank = 0,
                               .live_dir = o->live_dir,
                               .poll = lead_step,
                               .poll_user = &L};
            hs_coord_result out = {0};
            hs_err e = {0};
            void *checked;
            char *resume = resume_state(&L, job, &jo.resume_len, &checked);
            jo.resume = resume;
            jo.resume_checked = checked;
            hs_status st = run->run(&jo, &out, run->user, &e);
            resume_free(&L, resume, checked);
            if (st) {
                L.fatal = hs_fail(err, e.code, "job %s: %s", sw->jobs[job].id, e.msg);
                sum->unsaved++;
                free(out.bytes);
                continue;
            }
            take_result(&L, job, &out, 0);
            free(out.bytes);
            continue;
        }
        if (L.live_workers <= 0) break;
        hs_coord_sleep_us(1000); /* waiting for other ranks' last results */
    }
    if (sw && !L.fatal) /* a sweep that did not load has no progress to show */
        hs_progress_show(&L.progress, true);
    hs_progress_end(&L.progress);
    sum->not_started = L.n_queue - L.next;
    sum->stopped = o->stop && *o->stop;
    sum->wall_s = hs_coord_now_s() - t0;
    free(L.busy);
    free(L.heard);
    free(L.lost);
    free(L.hosts);
    free(L.queue);
    free(L.cost);
    return L.fatal;
}

/* ---- other ranks ---- */

#ifdef HS_HAVE_MPI

typedef struct {
    const hs_coord_opts *o;
    bool abandoned;
    double last_beat; /* when this rank last told rank 0 it is alive */
} worker;

static bool worker_step(int step, void *user)
{
    worker *W = user;
    /* by the clock, not at evaluations, which may be minutes apart */
    double now = hs_coord_now_s();
    if (now - W->last_beat >= HS_COORD_BEAT_S) {
        W->last_beat = now;
        /* sent and forgotten: a rank 0 that cannot take it must not stall this rank */
        MPI_Request req;
        if (MPI_Isend(NULL, 0, MPI_BYTE, 0, TAG_BEAT, MPI_COMM_WORLD, &req) == MPI_SUCCESS)
            MPI_Request_free(&req);
    }
    if (!W->abandoned) {
        int flag = 0;
        MPI_Iprobe(0, TAG_ABANDON, MPI_COMM_WORLD, &flag, MPI_STATUS_IGNORE);
        if (flag) {
            MPI_Recv(NULL, 0, MPI_BYTE, 0, TAG_ABANDON, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            W->abandoned = true;
        }
    }
    /* a first SIGINT/SIGHUP lets the job finish (it then reports and leaves); SIGTERM, SIGUSR1
     * or a second signal interrupt it now */
    return W->abandoned || (W->o->stop && *W->o->stop >= 2);
}

/* Waits, sleeping, until rank 0 has sent something. */
static void wait_for_lead(MPI_Status *st)
{
    for (long pause = 20;;) {
        int flag = 0;
        MPI_Iprobe(0, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, st);
        if (flag) return;
        hs_coord_sleep_us(pause);
        if (pause < 5000) pause = pause * 3 / 2 + 1;
    }
}

/* Rebuilds the job's config from its "key=value" lines. */
static hs_status parse_job(const char *text, hs_config *cfg, hs_err *err)
{
    hs_config_default(cfg);
    hs_status st = hs_config_read_lines(cfg, text, err);
    if (st) return st;
    return hs_config_validate(cfg, err);
}

static hs_status send_result(const hs_coord_result *out, int job, bool leaving, hs_err *err)
{
    result_head h = {.job = job,
                     .leaving = leaving,
                     .status = out->status,
                     .steps = out->steps,
                     .query_acc = out->query_acc,
                     .wall_s = out->wall_s,
                     .len = out->len,
                     .err = out->err};
    memcpy(h.id, out->id, sizeof h.id);
    size_t n = sizeof h + out->len;
    char *buf = malloc(n);
    if (!buf) return hs_fail(err, HS_ENOMEM, "out of memory sending job %s", out->id);
    memcpy(buf, &h, sizeof h);
    if (out->len) memcpy(buf + sizeof h, out->bytes, out->len);
    hs_status st = hs_coord_send_bytes(0, TAG_RESULT, buf, n, err);
    free(buf);
    return st;
}

hs_status hs_coord_work(hs_coord *c, const hs_coord_opts *o, const hs_coord_runner *run,
                        hs_err *err)
{
    hs_status st = hs_coord_send_bytes(0, TAG_READY, c->host, strlen(c->host) + 1, err);
    worker W = {.o = o};
    while (!st) {
        MPI_Status ms;
        wait_for_lead(&ms);
        char *buf = NULL;
        int n = 0;
        if ((st = hs_coord_recv_probed(&ms, &buf, &n, err))) break;
        if (ms.MPI_TAG == TAG_STOP) {
            free(buf);
            break;
        }
        if (ms.MPI_TAG != TAG_JOB) { /* an ABANDON that crossed our result: nothing runs */
            free(buf);
            continue;
        }
        job_head h;
        memcpy(&h, buf, sizeof h);
        /* name, live directory, config text and resume state lie one after the other; copy
         * the texts out so they end in NULs */
        char *name = strndup(buf + sizeof h, (size_t)h.name_len);
        char *dir = strndup(buf + sizeof h + h.name_len, (size_t)h.dir_len);
        char *config = strndup(buf + sizeof h + h.name_len + h.dir_len, (size_t)h.config_len);
        const char *resume = buf + sizeof h + h.name_len + h.dir_len + h.config_len;
        hs_config cfg;
        bool leaving = false; /* our own signal: report this job and go */
        if (!name || !dir || !config)
            st = hs_fail(err, HS_ENOMEM, "out of memory");
        else if (!(st = parse_job(config, &cfg, err))) {
            char id[17];
            hs_config_id(&cfg, id);
            hs_coord_job jo = {.cfg = &cfg,
                               .id = id,
                               .sweep = name,
                               .host = c->host,
                               .rank = c->rank,
                               .live_dir = *dir ? dir : NULL,
                               .poll = worker_step,
                               .poll_user = &W,
                               .resume = h.resume_len ? resume : NULL,
                               .resume_len = h.resume_len};
            hs_coord_result out = {0};
            W.abandoned = false;
            W.last_beat = hs_coord_now_s();
            st = run->run(&jo, &out, run->user, err);
            leaving = o->stop && *o->stop;
            if (!st) st = send_result(&out, h.job, leaving, err);
            free(out.bytes);
        }
        free(name);
        free(dir);
        free(config);
        free(buf);
        if (leaving) break;
    }
    return st;
}
#else
hs_status hs_coord_work(hs_coord *c, const hs_coord_opts *o, const hs_coord_runner *run,
                        hs_err *err)
{
    return hs_fail(err, HS_EINTERNAL, "rank %d: this hopsweep was built without MPI", c->rank);
}
#endif
