/* store_live.h — the live state of a running job in a result store: its metrics.csv as it grows
 * and its heartbeat, jobs/<id>/running.json. The writer runs on whichever rank trains the job
 * (it takes no lock: only that rank writes these two files while the job runs); the reader is
 * `hopsweep status` and the report. Both reach the store as store.h does: the store's
 * directory opened once, every entry inside it without following a link.
 *
 * metrics.csv while the job runs: at its first evaluation the file is written atomically
 * (header, the rows of an interrupted run it continues, the first row), then every evaluation
 * appends its row with one write(2) of whole lines. A reader may catch a row half-appended (or
 * one a crash cut): it is a last line without its newline, which hs_metrics_parse does not read
 * as a row. When the job ends, rank 0 writes the finished file atomically over it (the same
 * bytes: the live file is a prefix of, then equal to, the job's metrics) with the record.
 *
 * running.json, one JSON object, replaced atomically at every evaluation and at most once a
 * second between them (HS_LIVE_BEAT_S):
 *
 *   {"id": "<id>", "sweep": "...", "rank": 1, "host": "node3", "pid": 4242,
 *    "step": 120, "steps": 400, "first_step": 0,
 *    "eval": {"step": 100, "query_acc": 0.41, "eval_loss": 2.3, "train_loss": 2.4} | null,
 *    "evals": 3, "eval_s": 1.5 | null, "started": 1764950000.25, "updated": 1764950031.5}
 *
 * step is the steps done; first_step where this run started (a resumed job starts later);
 * eval the last evaluation; eval_s the mean seconds between this run's evaluations (null before
 * its second); started and updated are Unix times in seconds. The store removes the file right
 * after the job's record line lands (store.h), so a running.json next to no newer record is a
 * job running now, or one whose process died: stale. */
#ifndef HOPSWEEP_STORE_LIVE_H
#define HOPSWEEP_STORE_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "hopsweep/error.h"
#include "hopsweep/store_layout.h"

struct hs_eval; /* metrics.h: one evaluation, of which a heartbeat keeps a few numbers */

#define HS_LIVE_BEAT_S 1.0 /* the longest gap between heartbeats, evaluations aside */

/* One heartbeat, as written and read. */
typedef struct hs_live_beat {
    char id[17];
    char sweep[128]; /* printable ASCII only when read back ('?' for anything else) */
    char host[128];
    int rank;
    long pid;
    int step, steps, first_step;
    bool has_eval;
    int eval_step;
    float query_acc, eval_loss, train_loss; /* of the last evaluation; NaN when not measured */
    int evals;
    double eval_s;           /* NaN before the second evaluation */
    double started, updated; /* Unix seconds */
} hs_live_beat;

/* ---- writing (the rank that trains the job) ---- */

typedef struct hs_live {
    int dir_fd, job_fd, metrics_fd; /* -1 when not open */
    char shown[4200];               /* "STORE/jobs/<id>" for messages */
    size_t written;                 /* bytes of metrics.csv on disk */
    bool metrics_broken;            /* an append failed: the store's final write mends it */
    double last_beat, last_eval_at;
    hs_live_beat beat;
    hs_err err; /* the first failure, for the runner to report once; code HS_OK when none */
} hs_live;

/* Opens STORE/jobs/<id>/ (creating it) and writes the first heartbeat. On failure nothing is
 * written later either (every call below does nothing), and err says why. */
hs_status hs_live_open(hs_live *l, const char *store, const char *id, const char *sweep,
                       const char *host, int rank, int steps, hs_err *err);

/* After an evaluation: metrics.csv as it stands (csv[0..len): whole lines, this evaluation's
 * row last) and the evaluation itself; appends what is new and beats. Failures are kept in
 * l->err and stop the live writing; the job goes on. */
void hs_live_eval(hs_live *l, const char *csv, size_t len, const struct hs_eval *ev);

/* After a training step: beats when HS_LIVE_BEAT_S has passed since the last beat. */
void hs_live_step(hs_live *l, int step);

/* Stops writing; running.json stays for the store to remove with the record. */
void hs_live_close(hs_live *l);

/* ---- reading (status, report) ---- */

/* Every jobs/<id>/running.json of the store at dir, sorted by id (caller frees *beats). A
 * heartbeat that is unreadable, not one JSON object of the form above, or names another id is
 * counted in *bad and skipped; links and non-regular files are never read. No jobs/ directory
 * is no heartbeat. HS_EINPUT when dir is not a directory, HS_ENOMEM. */
hs_status hs_live_list(const char *dir, hs_live_beat **beats, size_t *n, size_t *bad, hs_err *err);

/* Whether the job of b is stale at time now: its heartbeat is older than a few evaluations
 * (3 × eval_s, at least 5 s) and its process is not running — on this host, checked by pid; on
 * another host the age alone decides. */
bool hs_live_stale(const hs_live_beat *b, double now, const char *this_host);

/* Seconds left for the job of b at its pace so far; NaN when it has no pace yet. */
double hs_live_eta(const hs_live_beat *b);

/* Unix time now, in seconds. */
double hs_live_now(void);

#endif
