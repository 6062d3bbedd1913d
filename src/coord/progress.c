/* progress.c — progress line of a sweep: live on a terminal, periodic in a log. */
#include "hopsweep/progress.h"

#include <stdarg.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * ts.tv_nsec;
}

void hs_format_duration(double s, char *buf, size_t n)
{
    long t = s < 0 ? 0 : (long)(s + 0.5);
    if (t >= 3600)
        snprintf(buf, n, "%ldh%02ldm", t / 3600, t / 60 % 60);
    else if (t >= 60)
        snprintf(buf, n, "%ldm%02lds", t / 60, t % 60);
    else
        snprintf(buf, n, "%lds", t);
}

void hs_progress_init(hs_progress *p, FILE *f, size_t total, double work_total, double every)
{
    memset(p, 0, sizeof *p);
    p->f = f;
    p->tty = f && isatty(fileno(f));
    p->every = every;
    p->t0 = p->last_shown = now_s();
    p->total = total;
    p->work_total = work_total;
}

static void clear_line(hs_progress *p)
{
    if (p->line_open) fputs("\r\033[K", p->f);
    p->line_open = false;
}

void hs_progress_log(hs_progress *p, const char *fmt, ...)
{
    if (!p->f) return;
    clear_line(p);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(p->f, fmt, ap);
    va_end(ap);
    fputc('\n', p->f);
    if (p->tty) hs_progress_show(p, true);
    fflush(p->f);
}

void hs_progress_finish(hs_progress *p, int status, double work, const char *summary)
{
    p->finished++;
    p->done += status == 0;
    p->failed += status == 1;
    p->interrupted += status == 2;
    p->work_done += work;
    snprintf(p->last, sizeof p->last, "%s", summary);
}

void hs_progress_show(hs_progress *p, bool force)
{
    if (!p->f) return;
    double t = now_s();
    if (!force && t - p->last_shown < (p->tty ? 0.5 : p->every)) return;
    p->last_shown = t;
    char el[32], eta[32] = "?";
    hs_format_duration(t - p->t0, el, sizeof el);
    /* Jobs run longest first, so a plain count would promise too much early on: weigh by cost. */
    if (p->work_done > 0 && p->work_total > p->work_done)
        hs_format_duration((t - p->t0) * (p->work_total - p->work_done) / p->work_done, eta,
                           sizeof eta);
    else if (p->finished == p->total)
        snprintf(eta, sizeof eta, "0s");
    clear_line(p);
    /* interrupted jobs are not done: a rerun continues them */
    fprintf(p->f,
            "[%zu/%zu finished: %zu done, %zu failed, %zu interrupted; %s elapsed, ETA %s]%s%s",
            p->finished, p->total, p->done, p->failed, p->interrupted, el, eta,
            *p->last ? " last: " : "", p->last);
    if (p->tty) {
        p->line_open = true;
    } else {
        fputc('\n', p->f);
    }
    fflush(p->f);
}

void hs_progress_end(hs_progress *p)
{
    if (!p->f) return;
    if (p->line_open) fputc('\n', p->f);
    p->line_open = false;
    fflush(p->f);
}
