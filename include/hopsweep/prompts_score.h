/* prompts_score.h — scoring a harness's answers to a prompt set (`hopsweep prompts score`; the
 * answer format, the reading rules and the statistics in docs/prompts-scoring.md).
 *
 * An hs_score holds a prompt set, takes an answer file, and counts per (formulation, hops) and
 * overall: accuracy with its Wilson interval and the chance level. A malformed answer line is
 * counted and its reason kept, never an error; a malformed prompt set is one (HS_EINPUT). Reads
 * and counts; never prints.
 *
 * Use: hs_score_init, hs_score_load_prompts (or _add_prompts), hs_score_load_answers (or
 * _add_answers), hs_score_finish, read groups/all/malformed/bad, hs_score_free. */
#ifndef HOPSWEEP_PROMPTS_SCORE_H
#define HOPSWEEP_PROMPTS_SCORE_H

#include <stdbool.h>
#include <stddef.h>

#include "hopsweep/error.h"
#include "hopsweep/stats.h"

#define HS_SCORE_MIN_CHOICES 2
#define HS_SCORE_MAX_CHOICES 26 /* letters A..Z */
#define HS_SCORE_REPORTED    10 /* malformed answer lines kept with their reason */
#define HS_SCORE_FILE_LIMIT  ((size_t)1 << 30)

/* ---------------------------------------------------------------------------------------------
 * Reading one response */

typedef enum {
    HS_RULE_NONE,    /* nothing read: unparsed */
    HS_RULE_LETTER,  /* "B", "(b)", "B. 417" */
    HS_RULE_TEXT,    /* the whole response is an option's text */
    HS_RULE_MENTION, /* the option mentioned last */
} hs_answer_rule;

/* Which of the n options the response names: by letter (only when letters is true; A is
 * options[0]), by its exact text, or by the last whole-word mention, in that order; *pick is -1
 * when no rule applies. rule may be NULL. Allocates one copy of the response, freed before
 * returning; HS_ENOMEM is the only failure. */
hs_status hs_answer_pick(const char *response, const char *const *options, int n, bool letters,
                         int *pick, hs_answer_rule *rule, hs_err *err);

/* hs_wilson_interval, the interval of each score, is in stats.h. */

/* ---------------------------------------------------------------------------------------------
 * Scoring a set */

typedef enum {
    HS_ANSWER_MISSING, /* no usable answer line */
    HS_ANSWER_CORRECT,
    HS_ANSWER_WRONG,    /* read as another choice or chain entity */
    HS_ANSWER_UNPARSED, /* answered, but no rule read anything from it */
} hs_answer_outcome;

typedef struct hs_score_prompt {
    const char *id, *formulation, *answer;
    int hops, distractors;
    int n_choices;    /* 0: plain mode, the answer asked for as text */
    int answer_index; /* -1 in plain mode */
    int chain_len;
    size_t options; /* index into hs_score.strs: the n_choices choices, then the chain */
    size_t line;    /* in the prompt set */
    hs_answer_outcome outcome;
    size_t answer_line; /* the answer file's line that answered it; 0 while missing */
} hs_score_prompt;

typedef struct hs_score_stats {
    size_t n;        /* prompts */
    size_t answered; /* prompts with a usable answer line */
    size_t correct, missing, unparsed;
    double accuracy; /* correct / n: missing and unparsed answers count as wrong */
    double ci_low, ci_high;
    double chance; /* mean over the prompts of 1/choices, or 1/(distractors+1) when plain */
} hs_score_stats;

typedef struct hs_score_group {
    const char *formulation;
    int hops;
    hs_score_stats stats;
} hs_score_group;

typedef struct hs_score_bad_line {
    size_t line;
    char why[192];
} hs_score_bad_line;

struct hs_score_block;

typedef struct hs_score {
    hs_score_prompt *prompts;
    size_t n_prompts, prompts_cap;
    const char **strs; /* every prompt's choices and chain */
    size_t n_strs, strs_cap;
    size_t *slots; /* id -> prompt index + 1, open addressing; 0 is empty */
    size_t n_slots;
    struct hs_score_block *blocks; /* the text of every string; blocks never move */

    size_t answer_lines;                      /* non-blank lines of the answer file */
    size_t malformed;                         /* of them, skipped */
    hs_score_bad_line bad[HS_SCORE_REPORTED]; /* the first min(malformed, 10), in file order */

    hs_score_group *groups; /* after hs_score_finish: sorted by formulation, then hops */
    size_t n_groups;
    hs_score_stats all;
} hs_score;

void hs_score_init(hs_score *s);
void hs_score_free(hs_score *s);

/* A whole prompt set, one JSON object per line. A line that breaks the record's rules, a
 * repeated id, or a set without prompts is HS_EINPUT with the message "NAME:LINE: what is wrong;
 * what to do" (NAME names the text in messages: its path). */
hs_status hs_score_add_prompts(hs_score *s, const char *text, size_t len, const char *name,
                               hs_err *err);
/* Reads the file (up to HS_SCORE_FILE_LIMIT bytes) and adds it; a missing or unreadable file is
 * HS_EINPUT too. */
hs_status hs_score_load_prompts(hs_score *s, const char *path, hs_err *err);

/* A whole answer file, read after the prompt set: each line answers the prompt of its id.
 * Malformed lines are counted and skipped; only running out of memory fails. */
hs_status hs_score_add_answers(hs_score *s, const char *text, size_t len, hs_err *err);
/* A missing or unreadable file is HS_EINPUT. */
hs_status hs_score_load_answers(hs_score *s, const char *path, hs_err *err);

/* Counts the outcomes into groups and all; call after the answers. */
hs_status hs_score_finish(hs_score *s, hs_err *err);

#endif
