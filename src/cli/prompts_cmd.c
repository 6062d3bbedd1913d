/* prompts_cmd.c — `hopsweep prompts`: option parsing and output for prompt sets. Several values
 * of --formulation and --hops make one file holding every combination, the groups the scorer
 * reports. */
#include "hopsweep/prompts_cmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hopsweep/cli.h"
#include "hopsweep/fileio.h"
#include "hopsweep/prompts.h"
#include "hopsweep/prompts_score_cmd.h"

static const char USAGE[] =
    "usage: hopsweep prompts [--formulation F[,F...]] [--hops D[,D...]] [--distractors K]\n"
    "                        [--n N] [--seed S] [--plain] [--out FILE]\n"
    "       hopsweep prompts score PROMPTS.jsonl ANSWERS.jsonl [--json | --csv]\n"
    "\n"
    "Writes a prompt set for language models, one JSON object per line (id, formulation, hops,\n"
    "distractors, prompt, choices, answer, answer_index, chain): K+1 chains of D hops told as\n"
    "sentences in scrambled order, a question about the end of one chain, four choices.\n"
    "Prompt i depends only on (formulation, hops, distractors, seed, i). docs/prompts.md has\n"
    "the format and an example of each formulation.\n"
    "\n"
    "  --formulation F  variables, relatives, locations, calls, conditional, or all; a comma\n"
    "                   list writes each in turn (default variables)\n"
    "  --hops D         hops from the question to the answer, 1..1000; a comma list writes\n"
    "                   each in turn (default 2)\n"
    "  --distractors K  chains of D hops the question is not about, 0..1000 (default 3)\n"
    "  --n N            prompts per formulation and hops, 1..1000000 (default 100)\n"
    "  --seed S         (default 0)\n"
    "  --plain          no choices: the answer is asked for as text\n"
    "  --out FILE       write FILE (whole or not at all) instead of standard output\n"
    "\n"
    "`hopsweep prompts score --help` describes scoring a harness's answers.\n";

/* A comma list of hops: every item a whole number in range. */
static int parse_hops(const char *s, int *hops, int max, int *n)
{
    *n = 0;
    char buf[256];
    if (strlen(s) >= sizeof buf) return -1;
    strcpy(buf, s);
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        long v;
        hs_err e; /* the caller says what is wrong with the whole list */
        if (*n == max || hs_cli_parse_long(t, 1, HS_PROMPT_MAX_HOPS, "--hops", &v, &e)) return -1;
        hops[(*n)++] = (int)v;
    }
    return *n ? 0 : -1;
}

static int parse_formulations(const char *s, hs_prompt_formulation *f, int *n, hs_err *err)
{
    *n = 0;
    if (!strcmp(s, "all")) {
        for (int i = 0; i < HS_PROMPT_FORMULATIONS; i++) f[(*n)++] = (hs_prompt_formulation)i;
        return 0;
    }
    char buf[256];
    if (strlen(s) >= sizeof buf) {
        hs_fail(err, HS_EINPUT, "--formulation is too long");
        return -1;
    }
    strcpy(buf, s);
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (*n == HS_PROMPT_FORMULATIONS) {
            hs_fail(err, HS_EINPUT, "--formulation names more than %d formulations",
                    HS_PROMPT_FORMULATIONS);
            return -1;
        }
        if (hs_prompt_formulation_parse(t, &f[*n], err)) return -1;
        for (int i = 0; i < *n; i++)
            if (f[i] == f[*n]) {
                hs_fail(err, HS_EINPUT, "--formulation names %s twice", t);
                return -1;
            }
        (*n)++;
    }
    if (!*n)
        hs_fail(err, HS_EINPUT,
                "--formulation is empty; give one of variables, relatives, "
                "locations, calls, conditional or all");
    return *n ? 0 : -1;
}

int hs_cmd_prompts(int argc, char **argv)
{
    if (argc > 0 && !strcmp(argv[0], "score")) return hs_cmd_prompts_score(argc - 1, argv + 1);
    hs_prompt_opts o = {.formulation = HS_PROMPT_VARIABLES, .hops = 2, .distractors = 3, .n = 100};
    hs_prompt_formulation forms[HS_PROMPT_FORMULATIONS] = {HS_PROMPT_VARIABLES};
    int n_forms = 1, hops[64] = {2}, n_hops = 1;
    const char *out = NULL;
    hs_err err = {0};
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        long x;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(USAGE, stdout);
            return 0;
        } else if (!strcmp(a, "--plain")) {
            o.plain = true;
            continue;
        } else if (!v && !strncmp(a, "--", 2) && strstr(USAGE, a)) {
            fprintf(stderr, "hopsweep prompts: %s needs a value; see hopsweep prompts --help\n", a);
            return HS_EXIT_BAD_INPUT;
        } else if (!v) {
            fprintf(stderr,
                    "hopsweep prompts: unexpected argument %s; see hopsweep prompts --help\n", a);
            return HS_EXIT_BAD_INPUT;
        }
        i++;
        if (!strcmp(a, "--formulation")) {
            if (parse_formulations(v, forms, &n_forms, &err)) return hs_cli_fail("prompts", &err);
        } else if (!strcmp(a, "--hops")) {
            if (parse_hops(v, hops, 64, &n_hops)) {
                fprintf(
                    stderr,
                    "hopsweep prompts: --hops \"%.64s\" must be whole numbers in 1..%d, at most "
                    "64, separated by commas\n",
                    v, HS_PROMPT_MAX_HOPS);
                return HS_EXIT_BAD_INPUT;
            }
        } else if (!strcmp(a, "--distractors") || !strcmp(a, "--n") || !strcmp(a, "--seed")) {
            bool seed = !strcmp(a, "--seed"), n = !strcmp(a, "--n");
            long hi = seed ? 2147483647L : n ? HS_PROMPT_MAX_N : HS_PROMPT_MAX_DISTRACTORS;
            if (hs_cli_parse_long(v, n ? 1 : 0, hi, a, &x, &err))
                return hs_cli_fail("prompts", &err);
            if (seed)
                o.seed = (uint64_t)x;
            else if (n)
                o.n = (int)x;
            else
                o.distractors = (int)x;
        } else if (!strcmp(a, "--out")) {
            out = v;
        } else {
            fprintf(stderr,
                    "hopsweep prompts: unexpected argument %s; see hopsweep prompts --help\n", a);
            return HS_EXIT_BAD_INPUT;
        }
    }
    /* Every combination is checked before any is drawn, so a bad one leaves no partial file. */
    for (int f = 0; f < n_forms; f++)
        for (int h = 0; h < n_hops; h++) {
            o.formulation = forms[f];
            o.hops = hops[h];
            if (hs_prompts_check(&o, &err)) return hs_cli_fail("prompts", &err);
        }
    char *all = NULL;
    size_t all_len = 0;
    FILE *buf = open_memstream(&all, &all_len);
    hs_status st = buf ? HS_OK : hs_fail(&err, HS_ENOMEM, "out of memory");
    for (int f = 0; f < n_forms && !st; f++)
        for (int h = 0; h < n_hops && !st; h++) {
            o.formulation = forms[f];
            o.hops = hops[h];
            char *text;
            size_t len;
            if (!(st = hs_prompts_jsonl(&o, &text, &len, &err))) {
                fwrite(text, 1, len, buf);
                free(text);
            }
        }
    if (buf && fclose(buf) && !st) st = hs_fail(&err, HS_ENOMEM, "out of memory");
    if (!st) {
        if (out) {
            st = hs_write_atomic(out, all, all_len, &err);
        } else if (fwrite(all, 1, all_len, stdout) != all_len || fflush(stdout)) {
            st = hs_fail(&err, HS_EIO, "cannot write the prompts to standard output (%s)",
                         strerror(errno));
        }
    }
    free(all);
    if (st) return hs_cli_fail("prompts", &err);
    return 0;
}
