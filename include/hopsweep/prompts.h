/* prompts.h — prompt sets: the retrieval problem in words, for language models answered without
 * fine-tuning (`hopsweep prompts`; format and formulations in docs/prompts.md).
 *
 * A prompt is one example of the task of DESIGN §1.1 told as sentences: K+1 chains of D hops
 * whose statements come in scrambled order, a question about the end of chain 0, and four
 * choices (or none, in plain-answer mode). Prompt i of a set depends only on (formulation, hops,
 * distractors, seed, i), so a longer set starts with the shorter one. This module sits beside
 * the training pipeline and knows none of it. */
#ifndef HOPSWEEP_PROMPTS_H
#define HOPSWEEP_PROMPTS_H

#include <stdbool.h>
#include <stdint.h>

#include "hopsweep/error.h"

typedef enum {
    HS_PROMPT_VARIABLES,   /* QX = 417 ... BD = QX; What is the value of BD? */
    HS_PROMPT_RELATIVES,   /* Kamori's mother is Tesulo; earliest ancestor along mothers */
    HS_PROMPT_LOCATIONS,   /* the key is in the red box, the red box in the attic; which room? */
    HS_PROMPT_CALLS,       /* parse_header calls read_block; where does the chain of calls end? */
    HS_PROMPT_CONDITIONAL, /* mentors and patrons; a rule says which line to follow */
    HS_PROMPT_FORMULATIONS
} hs_prompt_formulation;

#define HS_PROMPT_MAX_HOPS        1000
#define HS_PROMPT_MAX_DISTRACTORS 1000
#define HS_PROMPT_MAX_N           1000000
#define HS_PROMPT_CHOICES         4

typedef struct hs_prompt_opts {
    hs_prompt_formulation formulation;
    int hops;        /* D >= 1: statements between the question and the answer */
    int distractors; /* K >= 0: chains of D hops that the question is not about */
    int n;           /* prompts in the set */
    uint64_t seed;
    bool plain; /* no choices: the answer is asked for as text */
} hs_prompt_opts;

/* "variables", "relatives", ...; NULL for a value out of range. */
const char *hs_prompt_formulation_name(hs_prompt_formulation f);

/* HS_EINPUT, naming the accepted values, for a name that is none of them. */
hs_status hs_prompt_formulation_parse(const char *name, hs_prompt_formulation *f, hs_err *err);

/* HS_EINPUT when the options are out of range or need more distinct entities than the
 * formulation's names provide (the message says which option to lower, and to what). */
hs_status hs_prompts_check(const hs_prompt_opts *o, hs_err *err);

/* One prompt as a JSON object (no newline), in a new NUL-terminated buffer the caller frees:
 * id, formulation, hops, distractors, prompt, choices, answer, answer_index, chain (docs/
 * prompts.md). o must have passed hs_prompts_check and 0 <= index < o->n. */
hs_status hs_prompt_json(const hs_prompt_opts *o, int index, char **json, hs_err *err);

/* The whole set, one JSON object per line, in a new buffer (caller frees). */
hs_status hs_prompts_jsonl(const hs_prompt_opts *o, char **text, size_t *len, hs_err *err);

#endif
