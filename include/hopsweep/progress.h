/* progress.h — the coordinator's progress display: jobs finished/total (done, failed and
 * interrupted counted apart), elapsed, ETA and the last finished job. On a terminal it is one
 * live line redrawn in place; otherwise (Slurm logs, pipes) a plain line every `every` seconds,
 * so logs stay readable. Finished-job lines are printed above it as they come. */
#ifndef HOPSWEEP_PROGRESS_H
#define HOPSWEEP_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef struct hs_progress {
    FILE *f;
    bool tty;       /* live line */
    bool line_open; /* a live line is on screen and must be cleared before other output */
    double every;   /* seconds between plain lines */
    double t0, last_shown;
    size_t total, finished;           /* jobs to run; jobs that ended, whatever their status */
    size_t done, failed, interrupted; /* finished, by status */
    double work_total, work_done;     /* estimated cost, for an ETA that weighs long jobs */
    char last[160];                   /* the last finished job, as shown */
} hs_progress;

/* total jobs to run and their summed cost estimate. */
void hs_progress_init(hs_progress *p, FILE *f, size_t total, double work_total, double every);
/* Prints a line about one job (start, finish, failure) above the live line. */
void hs_progress_log(hs_progress *p, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Counts one finished job (status: 0 done, 1 failed, 2 interrupted) of the given cost. */
void hs_progress_finish(hs_progress *p, int status, double work, const char *summary);
/* Shows the progress line if it is due (force: now). */
void hs_progress_show(hs_progress *p, bool force);
/* Ends the live line. */
void hs_progress_end(hs_progress *p);
/* "1h02m", "3m05s", "12s" */
void hs_format_duration(double s, char *buf, size_t n);

#endif
