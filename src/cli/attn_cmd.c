/* attn_cmd.c — `hopsweep attn LOG`: lists an attention log's frames, or writes the maps of one
 * logged step: one head as a CSV matrix, or a grid of heads (layers as rows, heads as columns)
 * as a PGM image or, through gnuplot and analysis/attn_grid.gp, as PNG or SVG.
 *
 * Positions are shown in input order or sorted along their chains (chain id, then chain index),
 * where a head that attends at chain offset d draws a band d places off the diagonal. Output is
 * built in memory and written atomically, so a failed run never leaves half an image behind. */
#include "hopsweep/attn_cmd.h"
#include "hopsweep/cli.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hopsweep/escape.h"
#include "hopsweep/attnlog.h"
#include "hopsweep/fileio.h"
#include "hopsweep/gnuplot.h"
#include "hopsweep/table.h"

typedef enum { FMT_NONE, FMT_CSV, FMT_PGM, FMT_PNG, FMT_SVG } out_format;

static const char USAGE[] =
    "usage: hopsweep attn LOG [--list] [--step S] [--layer L] [--head H] [--example E]\n"
    "                         [--order chain|input] [--format csv|pgm|png|svg] [--out PATH]\n"
    "\n"
    "Reads an attention log (jobs/<id>/attn.zst, written when log.attention_every > 0; format in\n"
    "docs/attention-log.md) and shows the attention maps of one logged step.\n"
    "\n"
    "  --list              one line per frame: step, shape, dtype, compressed bytes, offset\n"
    "                      (from the headers: a frame's weights are verified when shown)\n"
    "  --step S            the training step to show (default: the last one logged)\n"
    "  --layer L           one layer, counted from 1 as in head roles (L2:-3); default: all\n"
    "  --head H            one head, counted from 0 as in the job record; default: all\n"
    "  --example E         the probe example, from 0 (default 0)\n"
    "  --order chain|input positions sorted by (chain id, chain index), where a head at chain\n"
    "                      offset d shows as a band d places off the diagonal (default); or in\n"
    "                      input order\n"
    "  --format F          csv: the T x T matrix of one head (row = attending position), rows and\n"
    "                      columns labelled c<chain>i<index>; pgm: binary grayscale, white =\n"
    "                      weight 1, black = 0, each weight a square of pixels, the selected\n"
    "                      heads in a grid (layers as rows, heads as columns); png, svg: the same\n"
    "                      grid drawn by gnuplot, which must be installed, with\n"
    "                      attn_grid.gp (found as `hopsweep analyze --help` says).\n"
    "                      Default: from --out's extension, else csv\n"
    "  --out PATH          write PATH (atomically) instead of standard output\n"
    "\n"
    "exit codes: 0 ok, 2 bad input (arguments, missing or damaged log, step or head not in it,\n"
    "            no gnuplot for png/svg), 3 the output could not be written\n";

typedef struct {
    const char *log, *out;
    bool list;
    int step, layer, head, example; /* -1: not given (layer from 1, head from 0) */
    bool input_order;
    out_format format;
} options;

/* What one run shows: the frame, the positions in display order, the heads selected. */
typedef struct {
    const options *opt;
    hs_attnlog_frame f;
    int *order;         /* [T] position shown at row/column k */
    int l0, l1, h0, h1; /* layers [l0, l1) and heads [h0, h1), from 0 */
} view;

/* ---------------------------------------------------------------------------------------------
 * Arguments */

/* Prints one line about bad input; returns the exit code for it. */
#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
static int
bad(const char *fmt, ...)
{
    fputs("hopsweep attn: ", stderr);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return HS_EXIT_BAD_INPUT;
}

static const char *const FORMAT_NAMES[] = {"", "csv", "pgm", "png", "svg"};

static out_format format_named(const char *s)
{
    for (int f = FMT_CSV; f <= FMT_SVG; f++)
        if (!strcmp(s, FORMAT_NAMES[f])) return (out_format)f;
    return FMT_NONE;
}

/* Parses argv into o; returns -1 to go on, or the exit code to stop with. */
static int parse_args(int argc, char **argv, options *o)
{
    *o = (options){.step = -1, .layer = -1, .head = -1, .example = -1};
    static const char *const valued[] = {"--step",  "--layer",  "--head", "--example",
                                         "--order", "--format", "--out"};
    enum { N_VALUED = sizeof valued / sizeof valued[0] };
    bool selected = false; /* an option that --list has no use for */
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(USAGE, stdout);
            return HS_EXIT_OK;
        }
        if (!strcmp(a, "--list")) {
            o->list = true;
            continue;
        }
        if (a[0] != '-' || !a[1]) {
            if (o->log) return bad("two logs given (%s, %s); give one", o->log, a);
            o->log = a;
            continue;
        }
        int k = 0;
        while (k < N_VALUED && strcmp(a, valued[k])) k++;
        if (k == N_VALUED) return bad("unknown option %s; see hopsweep attn --help", a);
        if (i + 1 >= argc) return bad("%s needs a value; see hopsweep attn --help", a);
        const char *v = argv[++i];
        int *counts[4] = {&o->step, &o->layer, &o->head, &o->example};
        selected = true;
        if (k < 4) {
            hs_err err;
            if (hs_cli_parse_int(v, 0, INT_MAX, a, counts[k], &err))
                return hs_cli_fail("attn", &err);
            if (k == 1 && o->layer == 0)
                return bad("--layer 0: layers count from 1, as in head roles (L1:+1)");
        } else if (k == 4) {
            if (strcmp(v, "chain") && strcmp(v, "input"))
                return bad("--order \"%s\" is not chain or input", v);
            o->input_order = !strcmp(v, "input");
        } else if (k == 5) {
            if (!(o->format = format_named(v)))
                return bad("--format \"%s\" is not csv, pgm, png or svg", v);
        } else {
            o->out = v;
        }
    }
    if (!o->log) return bad("no log given; usage: hopsweep attn LOG [options], see --help");
    if (o->list && selected) return bad("--list lists every frame and takes no other option");
    if (!o->format && o->out) {
        const char *dot = strrchr(o->out, '.');
        o->format = dot ? format_named(dot + 1) : FMT_NONE;
        if (!o->format)
            return bad("cannot tell the format of %s from its name; add --format csv|pgm|png|svg",
                       o->out);
    }
    if (!o->format) o->format = FMT_CSV;
    if (o->format != FMT_CSV && !o->out && isatty(STDOUT_FILENO))
        return bad("--format %s writes an image; give --out FILE or redirect standard output",
                   FORMAT_NAMES[o->format]);
    return -1;
}

/* ---------------------------------------------------------------------------------------------
 * Output */

/* Writes the bytes to --out atomically, or to standard output; any failure is exit 3, as the
 * usage says (an output that cannot be written, whatever the reason). */
static int emit(const options *o, const char *data, size_t n)
{
    hs_err err = {0};
    if (o->out) {
        if (hs_write_atomic(o->out, data, n, &err)) {
            hs_term_printf(stderr, "hopsweep attn: %s\n", err.msg);
            return HS_EXIT_IO;
        }
        return HS_EXIT_OK;
    }
    if (fwrite(data, 1, n, stdout) != n || fflush(stdout)) {
        fprintf(stderr, "hopsweep attn: cannot write standard output: %s\n", strerror(errno));
        return HS_EXIT_IO;
    }
    return HS_EXIT_OK;
}

static float weight(const view *v, int l, int h, int row, int col)
{
    const hs_attnlog_shape *s = &v->f.shape;
    size_t T = (size_t)s->T;
    size_t map = (((size_t)l * s->heads + h) * s->examples + (size_t)v->opt->example) * T * T;
    return v->f.weights[map + (size_t)v->order[row] * T + (size_t)v->order[col]];
}

static int32_t chain_of(const view *v, int k)
{
    return v->f.chain[(size_t)v->opt->example * v->f.shape.T + v->order[k]];
}

static int32_t index_of(const view *v, int k)
{
    return v->f.index[(size_t)v->opt->example * v->f.shape.T + v->order[k]];
}

/* The shortest text that reads back as w. */
static void put_weight(FILE *f, float w)
{
    char b[32];
    for (int prec = 1; prec <= 9; prec++) {
        snprintf(b, sizeof b, "%.*g", prec, w);
        if (strtof(b, NULL) == w) break;
    }
    fputs(b, f);
}

/* One head's T x T matrix as CSV (row = attending position), labelled c<chain>i<index>,
 * written as it is computed: memory stays that of the frame, whatever T. */
static int write_csv(const view *v)
{
    const int T = v->f.shape.T;
    hs_stream_out out = {.f = stdout, .dir_fd = -1};
    hs_err err = {0};
    if (v->opt->out && hs_stream_open(&out, v->opt->out, &err)) {
        hs_term_printf(stderr, "hopsweep attn: %s\n", err.msg);
        return HS_EXIT_IO;
    }
    FILE *f = out.f;
    for (int k = 0; k < T; k++) fprintf(f, ",c%di%d", (int)chain_of(v, k), (int)index_of(v, k));
    fputc('\n', f);
    for (int r = 0; r < T && !ferror(f); r++) {
        fprintf(f, "c%di%d", (int)chain_of(v, r), (int)index_of(v, r));
        for (int c = 0; c < T; c++) {
            fputc(',', f);
            put_weight(f, weight(v, v->l0, v->h0, r, c));
        }
        fputc('\n', f);
    }
    if (v->opt->out) {
        if (hs_stream_commit(&out, &err)) {
            hs_term_printf(stderr, "hopsweep attn: %s\n", err.msg);
            return HS_EXIT_IO;
        }
    } else if (ferror(stdout) || fflush(stdout)) {
        fprintf(stderr, "hopsweep attn: cannot write standard output: %s\n", strerror(errno));
        return HS_EXIT_IO;
    }
    return HS_EXIT_OK;
}

/* Pixels per weight: maps of up to 256 positions become tiles of about 256 pixels. */
static int cell_pixels(int T) { return T >= 256 ? 1 : 256 / T; }

static int write_pgm(const view *v)
{
    const int T = v->f.shape.T, S = cell_pixels(T), gap = S > 4 ? S / 2 : 2;
    const int nl = v->l1 - v->l0, nh = v->h1 - v->h0, tile = T * S;
    const size_t width = (size_t)nh * tile + (size_t)(nh - 1) * gap,
                 height = (size_t)nl * tile + (size_t)(nl - 1) * gap;
    char head[64];
    int hn = snprintf(head, sizeof head, "P5\n%zu %zu\n255\n", width, height);
    char *img = malloc((size_t)hn + width * height);
    if (!img) {
        fprintf(stderr, "hopsweep attn: out of memory for a %zux%zu image\n", width, height);
        return HS_EXIT_IO;
    }
    memcpy(img, head, (size_t)hn);
    unsigned char *px = (unsigned char *)img + hn;
    memset(px, 96, width * height); /* the gaps between tiles, in dark gray */
    for (int li = 0; li < nl; li++)
        for (int hi = 0; hi < nh; hi++)
            for (int r = 0; r < T; r++)
                for (int c = 0; c < T; c++) {
                    float w = weight(v, v->l0 + li, v->h0 + hi, r, c);
                    unsigned char g = !(w > 0.0f) ? 0
                                      : w >= 1.0f ? 255
                                                  : (unsigned char)lrintf(w * 255.0f);
                    size_t y0 = (size_t)li * (tile + gap) + (size_t)r * S,
                           x0 = (size_t)hi * (tile + gap) + (size_t)c * S;
                    for (int y = 0; y < S; y++) memset(px + (y0 + y) * width + x0, g, (size_t)S);
                }
    int rc = emit(v->opt, img, (size_t)hn + width * height);
    free(img);
    return rc;
}

/* ---------------------------------------------------------------------------------------------
 * PNG and SVG through gnuplot */

static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)))
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
                char *p = hs_path_join(dir, e->d_name);
                if (p) unlink(p);
                free(p);
            }
        closedir(d);
    }
    rmdir(dir);
}

/* Writes one head's map as gnuplot's matrix text: T rows of T weights. */
static bool write_matrix(const view *v, const char *dir, int l, int h)
{
    char name[64];
    snprintf(name, sizeof name, "L%dH%d.dat", l + 1, h);
    char *path = hs_path_join(dir, name);
    FILE *f = path ? fopen(path, "w") : NULL;
    free(path);
    if (!f) return false;
    const int T = v->f.shape.T;
    for (int r = 0; r < T; r++)
        for (int c = 0; c < T; c++) {
            put_weight(f, weight(v, l, h, r, c));
            fputc(c + 1 < T ? ' ' : '\n', f);
        }
    bool ok = !ferror(f);
    return (fclose(f) == 0) && ok;
}

/* The -e text that tells attn_grid.gp what to draw; NULL when out of memory. */
static char *gnuplot_vars(const view *v, const char *dir, const char *out)
{
    char *text = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&text, &n);
    if (!f) return NULL;
    const int T = v->f.shape.T;
    fputs("dir=", f);
    hs_gnuplot_quote(f, dir);
    fputs("; out=", f);
    hs_gnuplot_quote(f, out);
    fprintf(f, "; fmt='%s'; T=%d; layers='", FORMAT_NAMES[v->opt->format], T);
    for (int l = v->l0; l < v->l1; l++) fprintf(f, "%s%d", l > v->l0 ? " " : "", l + 1);
    fputs("'; heads='", f);
    for (int h = v->h0; h < v->h1; h++) fprintf(f, "%s%d", h > v->h0 ? " " : "", h);
    /* where a new chain starts along the axes (only meaningful sorted by chain) */
    fputs("'; bounds='", f);
    for (int k = 1; !v->opt->input_order && k < T; k++)
        if (chain_of(v, k) != chain_of(v, k - 1)) fprintf(f, " %g", k - 0.5);
    fputs("'; labels='", f);
    for (int k = 0; k < T; k++)
        fprintf(f, "%sc%di%d", k ? " " : "", (int)chain_of(v, k), (int)index_of(v, k));
    char title[512];
    snprintf(title, sizeof title, "%s: step %d, example %d, %s order", v->opt->log, v->f.step,
             v->opt->example, v->opt->input_order ? "input" : "chain");
    fputs("'; title=", f);
    hs_gnuplot_quote(f, title);
    bool ok = !ferror(f);
    if (fclose(f) || !ok) {
        free(text);
        return NULL;
    }
    return text;
}

static int write_gnuplot(const view *v)
{
    const char *fmt = FORMAT_NAMES[v->opt->format];
    if (!hs_gnuplot_available()) {
        fprintf(stderr,
                "hopsweep attn: --format %s needs gnuplot, which is not on PATH; install "
                "it (apt-get install gnuplot-nox) or use --format csv|pgm\n",
                fmt);
        return HS_EXIT_BAD_INPUT;
    }
    char *script = NULL;
    hs_err err = {0};
    hs_status st = hs_gnuplot_script("attn_grid.gp", &script, &err);
    if (st) return hs_cli_fail("attn", &err);
    const char *tmp = getenv("TMPDIR");
    char *dir = hs_path_join(tmp && *tmp ? tmp : "/tmp", "hopsweep-attn-XXXXXX");
    if (!dir || !mkdtemp(dir)) {
        fprintf(stderr, "hopsweep attn: cannot create a temporary directory: %s\n",
                dir ? strerror(errno) : "out of memory");
        free(dir);
        free(script);
        return HS_EXIT_IO;
    }
    int rc = HS_EXIT_OK;
    for (int l = v->l0; l < v->l1 && !rc; l++)
        for (int h = v->h0; h < v->h1 && !rc; h++)
            if (!write_matrix(v, dir, l, h)) {
                fprintf(stderr, "hopsweep attn: cannot write gnuplot's data in %s: %s\n", dir,
                        strerror(errno));
                rc = HS_EXIT_IO;
            }
    char name[16];
    snprintf(name, sizeof name, "out.%s", fmt);
    char *out = hs_path_join(dir, name);
    char *vars = out ? gnuplot_vars(v, dir, out) : NULL;
    if (!rc && !vars) {
        fprintf(stderr, "hopsweep attn: out of memory\n");
        rc = HS_EXIT_IO;
    }
    char *img = NULL;
    size_t n = 0;
    if (!rc && hs_gnuplot_run(script, vars, &err)) {
        rc = hs_cli_fail("attn", &err);
    } else if (!rc && hs_read_file(out, (size_t)1 << 30, &img, &n, &err)) {
        hs_term_printf(stderr, "hopsweep attn: gnuplot wrote no image: %s\n", err.msg);
        rc = HS_EXIT_IO;
    }
    if (!rc) rc = emit(v->opt, img, n);
    free(img);
    free(vars);
    free(out);
    remove_dir(dir);
    free(dir);
    free(script);
    return rc;
}

/* ---------------------------------------------------------------------------------------------
 * The command */

static int list_frames(const hs_attnlog_reader *r)
{
    const hs_attnlog_shape *s = &r->shape;
    for (int i = 0; i < r->n_frames; i++)
        printf("step %d  layers %d  heads %d  examples %d  T %d  dtype %s  bytes %llu  "
               "offset %llu\n",
               r->frames[i].step, s->layers, s->heads, s->examples, s->T,
               hs_attnlog_dtype_name(s->dtype), (unsigned long long)r->frames[i].size,
               (unsigned long long)r->frames[i].offset);
    if (fflush(stdout) || ferror(stdout)) {
        fprintf(stderr, "hopsweep attn: cannot write standard output: %s\n", strerror(errno));
        return HS_EXIT_IO;
    }
    return HS_EXIT_OK;
}

/* The positions in display order: input order, or sorted by (chain id, chain index, position). */
static void display_order(view *v)
{
    const int T = v->f.shape.T;
    const int32_t *ch = v->f.chain + (size_t)v->opt->example * T,
                  *ix = v->f.index + (size_t)v->opt->example * T;
    /* insertion sort: T is small, and it keeps equal keys in input order */
    for (int t = 0; t < T; t++) {
        int k = t;
        for (; !v->opt->input_order && k > 0; k--) {
            int p = v->order[k - 1];
            if (ch[p] < ch[t] || (ch[p] == ch[t] && ix[p] <= ix[t])) break;
            v->order[k] = p;
        }
        v->order[k] = t;
    }
}

/* Prints the steps a log holds, for a message about a step it lacks. */
static void steps_hint(const hs_attnlog_reader *r, char *buf, size_t n)
{
    int k = r->n_frames;
    if (k <= 6) {
        size_t used = 0;
        buf[0] = '\0';
        for (int i = 0; i < k && used < n; i++)
            used +=
                (size_t)snprintf(buf + used, n - used, "%s%d", i ? ", " : "", r->frames[i].step);
    } else {
        snprintf(buf, n, "%d, %d, %d, ..., %d (%d frames)", r->frames[0].step, r->frames[1].step,
                 r->frames[2].step, r->frames[k - 1].step, k);
    }
}

static int show(const hs_attnlog_reader *r, const options *o)
{
    const hs_attnlog_shape *s = &r->shape;
    if (r->n_frames == 0) return bad("%s holds no frames", o->log);
    int i = r->n_frames - 1;
    if (o->step >= 0 && (i = hs_attnlog_find(r, o->step)) < 0) {
        char steps[160];
        steps_hint(r, steps, sizeof steps);
        return bad("step %d is not in %s, which logs steps %s; see --list", o->step, o->log, steps);
    }
    if (o->layer > s->layers)
        return bad("--layer %d is out of range: the log has layers 1..%d", o->layer, s->layers);
    if (o->head >= s->heads)
        return bad("--head %d is out of range: the log has heads 0..%d", o->head, s->heads - 1);
    if (o->example >= s->examples)
        return bad("--example %d is out of range: the log has examples 0..%d", o->example,
                   s->examples - 1);
    view v = {.opt = o};
    v.l0 = o->layer > 0 ? o->layer - 1 : 0;
    v.l1 = o->layer > 0 ? o->layer : s->layers;
    v.h0 = o->head >= 0 ? o->head : 0;
    v.h1 = o->head >= 0 ? o->head + 1 : s->heads;
    if (o->format == FMT_CSV && (v.l1 - v.l0 > 1 || v.h1 - v.h0 > 1)) {
        return bad("--format csv writes one head, and this log has %d layers x %d heads: give "
                   "--layer and --head (or --format pgm|png|svg for the grid)",
                   s->layers, s->heads);
    }
    hs_err err = {0};
    hs_status st = hs_attnlog_read(r, i, &v.f, &err);
    if (st) return hs_cli_fail_loading("attn", &err); /* a damaged log is the user's to fix */
    v.order = malloc(sizeof *v.order * (size_t)s->T);
    int rc;
    if (!v.order) {
        fprintf(stderr, "hopsweep attn: out of memory\n");
        rc = HS_EXIT_IO;
    } else {
        display_order(&v);
        rc = o->format == FMT_CSV   ? write_csv(&v)
             : o->format == FMT_PGM ? write_pgm(&v)
                                    : write_gnuplot(&v);
    }
    free(v.order);
    hs_attnlog_frame_free(&v.f);
    return rc;
}

int hs_cmd_attn(int argc, char **argv)
{
    options o;
    int rc = parse_args(argc, argv, &o);
    if (rc >= 0) return rc;
    if (o.example < 0) o.example = 0;
    hs_attnlog_reader r;
    hs_err err = {0};
    /* listing reads every frame's headers only; a frame shown is verified whole when read */
    hs_status st =
        o.list ? hs_attnlog_open_headers(&r, o.log, &err) : hs_attnlog_open(&r, o.log, &err);
    if (st) return hs_cli_fail_loading("attn", &err); /* a damaged log is the user's to fix */
    if (r.notice[0]) hs_term_printf(stderr, "hopsweep attn: warning: %s\n", r.notice);
    rc = o.list ? list_frames(&r) : show(&r, &o);
    hs_attnlog_close(&r);
    return rc;
}
