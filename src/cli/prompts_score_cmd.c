/* prompts_score_cmd.c — the `hopsweep prompts score` command: parses its arguments, scores the
 * answer file against the prompt set (prompts_score.c), reports malformed answer lines on
 * stderr, and prints the accuracy per (formulation, hops) as a table, one JSON object, or CSV
 * (table.h renders all three). */
#include "hopsweep/prompts_score_cmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hopsweep/cli.h"
#include "hopsweep/json.h"
#include "hopsweep/prompts_score.h"
#include "hopsweep/table.h"

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
        fprintf(stderr,
                PREFIX "no %s; usage: hopsweep prompts score PROMPTS.jsonl "
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
 * The tables (table.h): for people, the figures rounded and a row "all"; for scripts, the exact
 * figures of every group, and the overall ones apart */

/* Cells of one row of the text table. */
static void text_row(hs_table *t, const char *label, int hops, const hs_score_stats *st)
{
    hs_table_str(t, "%s", label);
    if (hops > 0)
        hs_table_int(t, hops);
    else
        hs_table_null(t);
    hs_table_int(t, (long long)st->n);
    hs_table_int(t, (long long)st->correct);
    hs_table_str(t, "%.3f", st->accuracy);
    hs_table_str(t, "[%.3f, %.3f]", st->ci_low, st->ci_high);
    hs_table_str(t, "%.3f", st->chance);
}

static bool render_text(const hs_score *s, const char *prompts_path)
{
    static const char *const h[] = {"formulation", "hops",   "n",     "correct",
                                    "accuracy",    "95% CI", "chance"};
    const hs_score_stats *all = &s->all;
    hs_table t;
    hs_table_init(&t, "groups", 7);
    hs_table_heads(&t, h);
    for (size_t g = 0; g < s->n_groups; g++)
        text_row(&t, s->groups[g].formulation, s->groups[g].hops, &s->groups[g].stats);
    text_row(&t, "all", 0, all);
    hs_table_note(&t, "accuracy counts missing and unparsed answers as wrong; 95%% CI: Wilson "
                      "score interval; chance: the accuracy of a uniform guess among the choices "
                      "(plain prompts: among the ends of the prompt's chains)");
    bool ok = hs_table_ok(&t);
    if (ok) {
        printf("%s: %zu %s in %zu %s; %zu %s used (%zu unparsed), %zu malformed %s skipped, "
               "%zu %s without an answer\n",
               prompts_path, all->n, plural(all->n, "prompt", "prompts"), s->n_groups,
               plural(s->n_groups, "group", "groups"), all->answered,
               plural(all->answered, "answer", "answers"), all->unparsed, s->malformed,
               plural(s->malformed, "line", "lines"), all->missing,
               plural(all->missing, "prompt", "prompts"));
        hs_table_text(stdout, &t, false);
    }
    hs_table_free(&t);
    return ok;
}

/* Every group: formulation, hops, n, answered, correct, accuracy, ci_low, ci_high, chance,
 * missing, unparsed. */
static void groups_table(hs_table *t, const hs_score *s)
{
    static const char *const h[] = {"formulation", "hops",     "n",       "answered",
                                    "correct",     "accuracy", "ci_low",  "ci_high",
                                    "chance",      "missing",  "unparsed"};
    hs_table_init(t, "groups", 11);
    hs_table_heads(t, h);
    for (size_t g = 0; g < s->n_groups; g++) {
        const hs_score_stats *st = &s->groups[g].stats;
        hs_table_str(t, "%s", s->groups[g].formulation);
        hs_table_int(t, s->groups[g].hops);
        hs_table_int(t, (long long)st->n);
        hs_table_int(t, (long long)st->answered);
        hs_table_int(t, (long long)st->correct);
        hs_table_num(t, st->accuracy);
        hs_table_num(t, st->ci_low);
        hs_table_num(t, st->ci_high);
        hs_table_num(t, st->chance);
        hs_table_int(t, (long long)st->missing);
        hs_table_int(t, (long long)st->unparsed);
    }
}

/* The overall figures as one row, in the order of the JSON object (accuracy first) or of the
 * CSV table (counts first). */
static void overall_table(hs_table *t, const hs_score *s, bool json)
{
    static const char *const hj[] = {"accuracy", "n",        "correct", "ci_low",   "ci_high",
                                     "chance",   "answered", "missing", "unparsed", "malformed"};
    static const char *const hc[] = {"n",       "answered", "correct", "accuracy", "ci_low",
                                     "ci_high", "chance",   "missing", "unparsed", "malformed"};
    const hs_score_stats *all = &s->all;
    hs_table_init(t, "overall", 10);
    hs_table_heads(t, json ? hj : hc);
    if (json) {
        hs_table_num(t, all->accuracy);
        hs_table_int(t, (long long)all->n);
        hs_table_int(t, (long long)all->correct);
        hs_table_num(t, all->ci_low);
        hs_table_num(t, all->ci_high);
        hs_table_num(t, all->chance);
        hs_table_int(t, (long long)all->answered);
    } else {
        hs_table_int(t, (long long)all->n);
        hs_table_int(t, (long long)all->answered);
        hs_table_int(t, (long long)all->correct);
        hs_table_num(t, all->accuracy);
        hs_table_num(t, all->ci_low);
        hs_table_num(t, all->ci_high);
        hs_table_num(t, all->chance);
    }
    hs_table_int(t, (long long)all->missing);
    hs_table_int(t, (long long)all->unparsed);
    hs_table_int(t, (long long)s->malformed);
}

/* One JSON object: the overall figures, then "groups"; or CSV: "# groups", then "# overall". */
static bool render_data(const hs_score *s, bool json)
{
    hs_table groups, overall;
    groups_table(&groups, s);
    overall_table(&overall, s, json);
    bool ok = hs_table_ok(&groups) && hs_table_ok(&overall);
    if (ok && json) {
        hs_json j;
        hs_json_init(&j);
        hs_json_object_begin(&j);
        hs_table_json_row(&j, &overall, 0);
        hs_table_json(&j, &groups);
        hs_json_object_end(&j);
        char *text = hs_json_ok(&j) ? hs_json_take(&j) : NULL;
        hs_json_free(&j);
        if (text) printf("%s\n", text);
        ok = text != NULL;
        free(text);
    } else if (ok) {
        hs_table_csv(stdout, &groups);
        putchar('\n');
        hs_table_csv(stdout, &overall);
    }
    hs_table_free(&groups);
    hs_table_free(&overall);
    return ok;
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
        rc = hs_cli_fail_loading("prompts score", &err);
        goto out;
    }
    report_malformed(&s, a.answers);
    bool ok = a.fmt == FMT_TEXT ? render_text(&s, a.prompts) : render_data(&s, a.fmt == FMT_JSON);
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
