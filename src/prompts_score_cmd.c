/* prompts_score_cmd.c — the `hopsweep prompts score` command: parses its arguments, scores the
 * answer file against the prompt set (prompts_score.c), reports malformed answer lines on
 * stderr, and prints the accuracy per (formulation, hops) as a table, one JSON object, or CSV. */
#include "hopsweep/prompts_score_cmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hopsweep/cli.h"
#include "hopsweep/csv.h"
#include "hopsweep/json.h"
#include "hopsweep/prompts_score.h"


#define PREFIX "hopsweep prompts score: "

static const char USAGE[] =
    "usage: hopsweep prompts score PROMPTS.jsonl ANSWERS.jsonl [--json | --csv]\n"
    "\n"
    "Scores a harness's answers to a prompt set written by `hopsweep prompts`. ANSWERS.jsonl\n"
    "holds one {\"id\": ..., \"answer\": ...} object per line (\"response\" is taken for\n"
    "\"answer\"). A response is read as a choice's letter, a choice's text, or the choice it\n"
    "mentions last (plain prompts: the entity of the chain it mentions last). A prompt without\n"
    "an answer, or whose answer names nothing, counts as wrong. Malformed answer lines are\n"
    "reported on stderr and skipped. Prints the accuracy per formulation and hops and overall,\n"
    "with a 95% Wilson interval and the accuracy of guessing.\n"
    "\n"
    "  --json   one JSON object: the overall figures and an array of groups\n"
    "  --csv    the groups, then the overall figures, each table after a \"# NAME\" line\n"
    "\n"
    "The answer format and the reading rules: docs/prompts-scoring.md.\n";

typedef enum { FMT_TEXT, FMT_JSON, FMT_CSV } out_format;

typedef struct args {
    const char *prompts, *answers;
    out_format fmt;
} args;

/* 1: --help; 0: run; -1: bad usage, reported. */
static int parse_args(int argc, char **argv, args *a)
{
    memset(a, 0, sizeof *a);
    int formats = 0;
    for (int i = 0; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) return 1;
    for (int i = 0; i < argc; i++) {
        const char *s = argv[i];
        if (!strcmp(s, "--json") || !strcmp(s, "--csv")) {
            a->fmt = s[2] == 'j' ? FMT_JSON : FMT_CSV;
            formats++;
        } else if (s[0] == '-' && s[1]) {
            fprintf(stderr, PREFIX "unknown option %s; see hopsweep prompts score --help\n", s);
            return -1;
        } else if (!a->prompts) {
            a->prompts = s;
        } else if (!a->answers) {
            a->answers = s;
        } else {
            fprintf(stderr, PREFIX "a third file %s; give PROMPTS.jsonl and ANSWERS.jsonl only\n",
                    s);
            return -1;
        }
    }
    if (formats > 1) {
        fprintf(stderr, PREFIX "give one of --json and --csv\n");
        return -1;
    }
    if (!a->answers) {
        fprintf(stderr, PREFIX "no %s; usage: hopsweep prompts score PROMPTS.jsonl "
                               "ANSWERS.jsonl [--json | --csv]\n",
                a->prompts ? "answer file" : "prompt set");
        return -1;
    }
    return 0;
}

static const char *plural(size_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

/* ---------------------------------------------------------------------------------------------
 * Text */

enum { COLS = 7 };

typedef struct row {
    const char *label; /* the formulation, or "all" */
    char cell[COLS - 1][32];
} row;

static void fill_row(row *r, const char *label, int hops, const hs_score_stats *st)
{
    r->label = label;
    if (hops > 0)
        snprintf(r->cell[0], sizeof r->cell[0], "%d", hops);
    else
        r->cell[0][0] = '\0';
    snprintf(r->cell[1], sizeof r->cell[1], "%zu", st->n);
    snprintf(r->cell[2], sizeof r->cell[2], "%zu", st->correct);
    snprintf(r->cell[3], sizeof r->cell[3], "%.3f", st->accuracy);
    snprintf(r->cell[4], sizeof r->cell[4], "[%.3f, %.3f]", st->ci_low, st->ci_high);
    snprintf(r->cell[5], sizeof r->cell[5], "%.3f", st->chance);
}

static void print_row(const row *r, const size_t *w)
{
    printf("%-*s", (int)w[0], r->label);
    for (int c = 1; c < COLS; c++) printf("  %*s", (int)w[c], r->cell[c - 1]);
    putchar('\n');
}

static bool render_text(const hs_score *s, const char *prompts_path)
{
    const hs_score_stats *all = &s->all;
    row *rows = malloc((s->n_groups + 2) * sizeof *rows);
    if (!rows) return false;
    printf("%s: %zu %s in %zu %s; %zu %s used (%zu unparsed), %zu malformed %s skipped, "
           "%zu %s without an answer\n",
           prompts_path, all->n, plural(all->n, "prompt", "prompts"), s->n_groups,
           plural(s->n_groups, "group", "groups"), all->answered,
           plural(all->answered, "answer", "answers"), all->unparsed, s->malformed,
           plural(s->malformed, "line", "lines"), all->missing,
           plural(all->missing, "prompt", "prompts"));
    rows[0] = (row){"formulation", {"hops", "n", "correct", "accuracy", "95% CI", "chance"}};
    for (size_t g = 0; g < s->n_groups; g++)
        fill_row(&rows[g + 1], s->groups[g].formulation, s->groups[g].hops, &s->groups[g].stats);
    fill_row(&rows[s->n_groups + 1], "all", 0, all);
    size_t w[COLS] = {0};
    for (size_t r = 0; r < s->n_groups + 2; r++) {
        size_t len = strlen(rows[r].label);
        if (len > w[0]) w[0] = len;
        for (int c = 1; c < COLS; c++)
            if ((len = strlen(rows[r].cell[c - 1])) > w[c]) w[c] = len;
    }
    for (size_t r = 0; r < s->n_groups + 2; r++) print_row(&rows[r], w);
    free(rows);
    printf("accuracy counts missing and unparsed answers as wrong; 95%% CI: Wilson score "
           "interval; chance: the accuracy of a uniform guess among the choices (plain prompts: "
           "among the ends of the prompt's chains)\n");
    return true;
}

/* ---------------------------------------------------------------------------------------------
 * JSON and CSV */

static void json_count(hs_json *j, const char *key, size_t v)
{
    hs_json_key(j, key);
    hs_json_uint(j, v);
}

static void json_number(hs_json *j, const char *key, double v)
{
    hs_json_key(j, key);
    hs_json_double(j, v);
}

static bool render_json(const hs_score *s)
{
    const hs_score_stats *all = &s->all;
    hs_json j;
    hs_json_init(&j);
    hs_json_object_begin(&j);
    json_number(&j, "accuracy", all->accuracy);
    json_count(&j, "n", all->n);
    json_count(&j, "correct", all->correct);
    json_number(&j, "ci_low", all->ci_low);
    json_number(&j, "ci_high", all->ci_high);
    json_number(&j, "chance", all->chance);
    json_count(&j, "answered", all->answered);
    json_count(&j, "missing", all->missing);
    json_count(&j, "unparsed", all->unparsed);
    json_count(&j, "malformed", s->malformed);
    hs_json_key(&j, "groups");
    hs_json_array_begin(&j);
    for (size_t g = 0; g < s->n_groups; g++) {
        const hs_score_stats *st = &s->groups[g].stats;
        hs_json_object_begin(&j);
        hs_json_key(&j, "formulation");
        hs_json_string(&j, s->groups[g].formulation);
        hs_json_key(&j, "hops");
        hs_json_int(&j, s->groups[g].hops);
        json_count(&j, "n", st->n);
        json_count(&j, "answered", st->answered);
        json_count(&j, "correct", st->correct);
        json_number(&j, "accuracy", st->accuracy);
        json_number(&j, "ci_low", st->ci_low);
        json_number(&j, "ci_high", st->ci_high);
        json_number(&j, "chance", st->chance);
        json_count(&j, "missing", st->missing);
        json_count(&j, "unparsed", st->unparsed);
        hs_json_object_end(&j);
    }
    hs_json_array_end(&j);
    hs_json_object_end(&j);
    char *text = hs_json_ok(&j) ? hs_json_take(&j) : NULL;
    hs_json_free(&j);
    if (!text) return false;
    printf("%s\n", text);
    free(text);
    return true;
}

/* n, answered, correct, accuracy, ci_low, ci_high, chance, missing, unparsed as CSV fields,
 * numbers as `hopsweep analyze --csv` writes them. */
static void csv_stats(const hs_score_stats *st)
{
    printf("%zu,%zu,%zu,%.6g,%.6g,%.6g,%.6g,%zu,%zu", st->n, st->answered, st->correct,
           st->accuracy, st->ci_low, st->ci_high, st->chance, st->missing, st->unparsed);
}

static void render_csv(const hs_score *s)
{
    printf("# groups\nformulation,hops,n,answered,correct,accuracy,ci_low,ci_high,chance,missing,"
           "unparsed\n");
    for (size_t g = 0; g < s->n_groups; g++) {
        hs_csv_field(stdout, s->groups[g].formulation);
        printf(",%d,", s->groups[g].hops);
        csv_stats(&s->groups[g].stats);
        putchar('\n');
    }
    printf("\n# overall\nn,answered,correct,accuracy,ci_low,ci_high,chance,missing,unparsed,"
           "malformed\n");
    csv_stats(&s->all);
    printf(",%zu\n", s->malformed);
}

/* ---------------------------------------------------------------------------------------------
 * The command */

static void report_malformed(const hs_score *s, const char *answers_path)
{
    size_t shown = s->malformed < HS_SCORE_REPORTED ? s->malformed : HS_SCORE_REPORTED;
    for (size_t i = 0; i < shown; i++)
        fprintf(stderr, PREFIX "%s:%zu: %s\n", answers_path, s->bad[i].line, s->bad[i].why);
    if (s->malformed > shown) fprintf(stderr, PREFIX "... and %zu more\n", s->malformed - shown);
}

int hs_cmd_prompts_score(int argc, char **argv)
{
    args a;
    int pr = parse_args(argc, argv, &a);
    if (pr > 0) {
        fputs(USAGE, stdout);
        return HS_EXIT_OK;
    }
    if (pr < 0) return HS_EXIT_BAD_INPUT;

    hs_score s;
    hs_score_init(&s);
    hs_err err = {0};
    hs_status st = hs_score_load_prompts(&s, a.prompts, &err);
    if (!st) st = hs_score_load_answers(&s, a.answers, &err);
    if (!st) st = hs_score_finish(&s, &err);
    int rc = HS_EXIT_OK;
    if (st) {
        fprintf(stderr, PREFIX "%s\n", err.msg);
        rc = hs_exit_code_loading(st);
        goto out;
    }
    report_malformed(&s, a.answers);
    bool ok = true;
    switch (a.fmt) {
    case FMT_TEXT: ok = render_text(&s, a.prompts); break;
    case FMT_JSON: ok = render_json(&s); break;
    case FMT_CSV: render_csv(&s); break;
    }
    if (!ok) {
        fprintf(stderr, PREFIX "out of memory formatting the scores\n");
        rc = HS_EXIT_IO;
    } else if (fflush(stdout) || ferror(stdout)) {
        fprintf(stderr, PREFIX "cannot write the scores: %s\n", strerror(errno));
        rc = HS_EXIT_IO;
    }
out:
    hs_score_free(&s);
    return rc;
}
