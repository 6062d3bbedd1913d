/* prompts.c — drawing prompt sets: chains of entities, told as sentences of one formulation,
 * with four choices (definitions in prompts.h and docs/prompts.md).
 *
 * A prompt is built like an example of the task (task.c): C = K+1 chains x_0 → … → x_D, chain 0
 * asked about at x_D, answer x_0. Node c·(D+1)+i is x_i of chain c. What changes per
 * formulation is only what kind of entity each x_i is and the sentence an edge becomes. */
#include "hopsweep/prompts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hopsweep/json.h"
#include "hopsweep/rng.h"

/* ---------------------------------------------------------------------------------------------
 * Entity names. Every kind is a pool of names indexed 0..size−1, so that drawing distinct names
 * is drawing distinct indices. People are invented three-syllable names rather than real ones,
 * so that a model's knowledge of famous families cannot answer for it. */

typedef enum { E_VALUE, E_VARIABLE, E_PERSON, E_ROOM, E_CONTAINER, E_OBJECT, E_FUNCTION } kind;

static const char *const ROOMS[] = {
    "attic",   "basement", "bathroom", "bedroom", "cellar",   "conservatory", "den",    "garage",
    "hallway", "kitchen",  "larder",   "laundry", "library",  "loft",         "lounge", "nursery",
    "office",  "pantry",   "parlour",  "porch",   "scullery", "shed",         "study",  "workshop",
};
static const char *const OBJECTS[] = {
    "key",   "ring",    "coin",    "watch",   "letter", "locket", "marble", "button",
    "stamp", "thimble", "compass", "whistle", "brooch", "pearl",  "die",    "badge",
    "medal", "token",   "feather", "shell",   "pencil", "candle", "spoon",  "needle",
};
static const char *const COLOURS[] = {
    "red",  "blue",   "green",  "yellow", "black",  "white", "grey", "brown",
    "pink", "purple", "orange", "silver", "golden", "teal",  "navy", "cream",
};
static const char *const CONTAINERS[] = {
    "box",  "crate", "bag",   "basket", "chest",  "drawer", "jar",    "tin",
    "case", "trunk", "pouch", "bucket", "carton", "barrel", "casket", "suitcase",
};
static const char *const VERBS[] = {
    "load",  "parse", "read", "write", "check", "build",  "render", "send",   "fetch", "merge",
    "split", "sort",  "scan", "store", "clean", "format", "encode", "decode", "open",  "close",
};
static const char *const NOUNS[] = {
    "config", "header", "block",  "buffer", "record", "index",  "table", "cache",
    "frame",  "packet", "token",  "string", "matrix", "vector", "queue", "stream",
    "file",   "entry",  "column", "row",    "page",   "node",   "graph", "image",
    "chunk",  "batch",  "field",  "label",  "report", "socket",
};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Consonants without Y and the vowels: variable names of consonants only spell no English word,
 * which keeps a response's prose from matching a name when it is scored. */
static const char VAR_LETTERS[] = "BCDFGHJKLMNPQRSTVWXZ";
static const char SYL_CONSONANTS[] = "bdfgklmnprstvz";
static const char SYL_VOWELS[] = "aeiou";
#define SYLLABLES ((sizeof SYL_CONSONANTS - 1) * (sizeof SYL_VOWELS - 1))

#define NAME_LEN  32
#define VALUE_MAX 999
/* Two-letter variable names (400) while a prompt needs at most this many, else three letters. */
#define SHORT_VARIABLES 200

static uint32_t pool_size(kind k, int var_letters)
{
    switch (k) {
    case E_VALUE: return VALUE_MAX;
    case E_VARIABLE: return var_letters == 2 ? 400u : 8000u;
    case E_PERSON: return (uint32_t)(SYLLABLES * SYLLABLES * SYLLABLES);
    case E_ROOM: return COUNT(ROOMS);
    case E_CONTAINER: return COUNT(COLOURS) * COUNT(CONTAINERS);
    case E_OBJECT: return COUNT(OBJECTS);
    case E_FUNCTION: return COUNT(VERBS) * COUNT(NOUNS);
    }
    return 0;
}

static const char *kind_name(kind k)
{
    static const char *const names[] = {"value",     "variable", "person",  "room",
                                        "container", "object",   "function"};
    return names[k];
}

static void pool_name(kind k, uint32_t i, int var_letters, char out[NAME_LEN])
{
    switch (k) {
    case E_VALUE: snprintf(out, NAME_LEN, "%u", i + 1); return;
    case E_VARIABLE:
        for (int c = var_letters - 1; c >= 0; c--, i /= 20) out[c] = VAR_LETTERS[i % 20];
        out[var_letters] = '\0';
        return;
    case E_PERSON:
        for (int s = 0; s < 3; s++, i /= (uint32_t)SYLLABLES) {
            out[2 * s] = SYL_CONSONANTS[i % SYLLABLES / 5];
            out[2 * s + 1] = SYL_VOWELS[i % 5];
        }
        out[6] = '\0';
        out[0] = (char)(out[0] - 'a' + 'A');
        return;
    case E_ROOM: snprintf(out, NAME_LEN, "%s", ROOMS[i]); return;
    case E_CONTAINER:
        snprintf(out, NAME_LEN, "%s %s", COLOURS[i / COUNT(CONTAINERS)],
                 CONTAINERS[i % COUNT(CONTAINERS)]);
        return;
    case E_OBJECT: snprintf(out, NAME_LEN, "%s", OBJECTS[i]); return;
    case E_FUNCTION:
        snprintf(out, NAME_LEN, "%s_%s", VERBS[i / COUNT(NOUNS)], NOUNS[i % COUNT(NOUNS)]);
        return;
    }
}

/* The kind of x_i on a chain of D hops. */
static kind node_kind(hs_prompt_formulation f, int i, int D)
{
    switch (f) {
    case HS_PROMPT_VARIABLES: return i == 0 ? E_VALUE : E_VARIABLE;
    case HS_PROMPT_LOCATIONS: return i == 0 ? E_ROOM : i == D ? E_OBJECT : E_CONTAINER;
    case HS_PROMPT_CALLS: return E_FUNCTION;
    default: return E_PERSON;
    }
}

static int var_letters_for(int C, int D) { return (long)C * D <= SHORT_VARIABLES ? 2 : 3; }

/* ---------------------------------------------------------------------------------------------
 * Formulations */

const char *hs_prompt_formulation_name(hs_prompt_formulation f)
{
    static const char *const names[] = {"variables", "relatives", "locations", "calls",
                                        "conditional"};
    return (unsigned)f < HS_PROMPT_FORMULATIONS ? names[f] : NULL;
}

hs_status hs_prompt_formulation_parse(const char *name, hs_prompt_formulation *f, hs_err *err)
{
    for (int i = 0; i < HS_PROMPT_FORMULATIONS; i++)
        if (!strcmp(name, hs_prompt_formulation_name((hs_prompt_formulation)i))) {
            *f = (hs_prompt_formulation)i;
            return HS_OK;
        }
    return hs_fail(err, HS_EINPUT,
                   "--formulation \"%.64s\" is not one of variables, relatives, locations, calls, "
                   "conditional",
                   name);
}

/* How many distinct names of each kind a prompt of C chains needs: its nodes, and three more of
 * the answer's kind for wrong choices that are not in the prompt. Returns the first kind whose
 * pool is too small, or -1. */
static int short_kind(hs_prompt_formulation f, int C, int D, long *need_out)
{
    long need[E_FUNCTION + 1] = {0};
    for (int i = 0; i <= D; i++) need[node_kind(f, i, D)] += C;
    need[node_kind(f, 0, D)] += HS_PROMPT_CHOICES - 1;
    int letters = var_letters_for(C, D);
    for (int k = 0; k <= E_FUNCTION; k++)
        if (need[k] > (long)pool_size((kind)k, letters)) {
            *need_out = need[k];
            return k;
        }
    return -1;
}

hs_status hs_prompts_check(const hs_prompt_opts *o, hs_err *err)
{
    const char *fname = hs_prompt_formulation_name(o->formulation);
    if (!fname) return hs_fail(err, HS_EINPUT, "unknown formulation %d", (int)o->formulation);
    if (o->hops < 1 || o->hops > HS_PROMPT_MAX_HOPS)
        return hs_fail(err, HS_EINPUT, "--hops %d is out of range; give 1 to %d", o->hops,
                       HS_PROMPT_MAX_HOPS);
    if (o->distractors < 0 || o->distractors > HS_PROMPT_MAX_DISTRACTORS)
        return hs_fail(err, HS_EINPUT, "--distractors %d is out of range; give 0 to %d",
                       o->distractors, HS_PROMPT_MAX_DISTRACTORS);
    if (o->n < 1 || o->n > HS_PROMPT_MAX_N)
        return hs_fail(err, HS_EINPUT, "--n %d is out of range; give 1 to %d", o->n,
                       HS_PROMPT_MAX_N);
    long need, fit_need;
    int k = short_kind(o->formulation, o->distractors + 1, o->hops, &need);
    if (k < 0) return HS_OK;
    int fit = o->distractors;
    while (fit >= 0 && short_kind(o->formulation, fit + 1, o->hops, &fit_need) >= 0) fit--;
    char advice[96];
    if (fit >= 0)
        snprintf(advice, sizeof advice, "use --distractors %d or fewer at --hops %d", fit, o->hops);
    else
        snprintf(advice, sizeof advice, "use fewer --hops");
    return hs_fail(err, HS_EINPUT,
                   "--formulation %s with --hops %d and --distractors %d needs %ld distinct %s "
                   "names but has %u; %s",
                   fname, o->hops, o->distractors, need, kind_name((kind)k),
                   pool_size((kind)k, var_letters_for(o->distractors + 1, o->hops)), advice);
}

/* ---------------------------------------------------------------------------------------------
 * One prompt */

typedef struct gen {
    const hs_prompt_opts *o;
    hs_rng rng;
    int C, D, nodes;
    int letters;            /* of variable names */
    char (*name)[NAME_LEN]; /* per node */
    int *other;             /* conditional: the other relation's chains, as node ids */
    uint32_t *used;         /* drawn pool indices + 1 of the answer's kind, open addressing */
    size_t used_cap;
    int *scratch;
} gen;

/* Adds v to the set of drawn indices; false when it was there already. */
static bool used_add(gen *g, uint32_t v)
{
    size_t m = g->used_cap - 1;
    for (size_t s = (v * 0x9e3779b1u) & m;; s = (s + 1) & m) {
        if (g->used[s] == v + 1) return false;
        if (!g->used[s]) {
            g->used[s] = v + 1;
            return true;
        }
    }
}

static void shuffle(hs_rng *r, int *a, int n)
{
    for (int i = n - 1; i > 0; i--) {
        int j = (int)hs_rng_below(r, (uint32_t)i + 1);
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}

/* Names every node: distinct within its kind. Kinds never share a name (a number, letters
 * only, a capitalised word, ...), so the names are distinct across the prompt. The answer's
 * kind keeps its drawn indices in g->used for the fresh wrong choices. */
static void name_nodes(gen *g)
{
    kind answer = node_kind(g->o->formulation, 0, g->D);
    for (int step = 0; step <= E_FUNCTION; step++) {
        /* Every kind but the answer's in turn, the answer's last. */
        kind k = step == E_FUNCTION ? answer : (kind)(step < (int)answer ? step : step + 1);
        memset(g->used, 0, g->used_cap * sizeof *g->used);
        uint32_t size = pool_size(k, g->letters);
        for (int node = 0; node < g->nodes; node++) {
            if (node_kind(g->o->formulation, node % (g->D + 1), g->D) != k) continue;
            uint32_t i;
            do i = hs_rng_below(&g->rng, size);
            while (!used_add(g, i));
            pool_name(k, i, g->letters, g->name[node]);
        }
    }
}

/* The relations of a conditional prompt: 0 is followed for a wizard, 1 for a muggle. Neither is
 * a parent: under two parent relations the same person would be one child's mother and another's
 * father, which a reader would take for a mistake in the prompt. */
static const char *const RELATION[] = {"mentor", "patron"};

static void sentence(FILE *f, hs_prompt_formulation form, int relation, const char *parent,
                     const char *child)
{
    switch (form) {
    case HS_PROMPT_VARIABLES: fprintf(f, "%s = %s\n", child, parent); break;
    case HS_PROMPT_RELATIVES: fprintf(f, "%s's mother is %s.\n", child, parent); break;
    case HS_PROMPT_LOCATIONS: fprintf(f, "The %s is in the %s.\n", child, parent); break;
    case HS_PROMPT_CALLS: fprintf(f, "%s calls %s.\n", child, parent); break;
    default: fprintf(f, "%s's %s is %s.\n", child, RELATION[relation], parent); break;
    }
}

static const char *const INTRO[] = {
    "Each line sets a variable to a number or to the value of another variable.",
    "Each line names someone's mother.",
    "Each line says where something is.",
    "Each line says which function a function calls; no function calls more than one.",
    "Each line names someone's mentor or patron.",
};
static const char *const PLAIN_ASK[] = {
    "Answer with the number only.", "Answer with the name only.",
    "Answer with the room only.",   "Answer with the function name only.",
    "Answer with the name only.",
};

/* Writes the prompt's text: the statements of every chain (of both relations when conditional)
 * in one uniformly random order, then the question. */
static void write_text(gen *g, FILE *f, int asked, int relation)
{
    hs_prompt_formulation form = g->o->formulation;
    int C = g->C, D = g->D, R = form == HS_PROMPT_CONDITIONAL ? 2 : 1;
    int edges = R * C * D;
    int *order = g->scratch;
    for (int e = 0; e < edges; e++) order[e] = e;
    shuffle(&g->rng, order, edges);
    fprintf(f, "%s\n", INTRO[form]);
    for (int e = 0; e < edges; e++) {
        /* Edge e: relation e / (C·D), chain and index within it; the asked relation lays
         * the chains out in node order, the other one through the permutation `other`. */
        int rel = order[e] / (C * D), c = order[e] % (C * D) / D, i = order[e] % D + 1;
        int parent = c * (D + 1) + i - 1, child = parent + 1;
        if (rel == 1) parent = g->other[parent], child = g->other[child];
        sentence(f, form, rel == 0 ? relation : 1 - relation, g->name[parent], g->name[child]);
    }
    const char *q = g->name[asked];
    switch (form) {
    case HS_PROMPT_VARIABLES: fprintf(f, "What is the value of %s?\n", q); break;
    case HS_PROMPT_RELATIVES:
        fprintf(f, "Going from mother to mother, who is the earliest ancestor of %s named above?\n",
                q);
        break;
    case HS_PROMPT_LOCATIONS: fprintf(f, "Which room is the %s in?\n", q); break;
    case HS_PROMPT_CALLS:
        fprintf(f, "When %s runs, in which function does the chain of calls end?\n", q);
        break;
    default:
        fprintf(f,
                "A wizard's line runs from mentor to mentor, a muggle's from patron to patron. "
                "%s is a %s.\nWho is the last person named above in %s's line?\n",
                q, relation == 0 ? "wizard" : "muggle", q);
        break;
    }
}

/* Appends the nodes of `from` (shuffled) to the wrong choices until there are three, skipping
 * the answer and nodes already chosen. */
static void take_wrong(gen *g, int *wrong, int *n_wrong, int *from, int n, int answer)
{
    shuffle(&g->rng, from, n);
    for (int i = 0; i < n && *n_wrong < HS_PROMPT_CHOICES - 1; i++) {
        bool seen = from[i] == answer;
        for (int j = 0; j < *n_wrong; j++) seen |= wrong[j] == from[i];
        if (!seen) wrong[(*n_wrong)++] = from[i];
    }
}

/* The three wrong choices, most tempting first: the root the other relation leads to
 * (conditional), the roots of the distractor chains, the nodes the asked chain passes through
 * when they are of the answer's kind (stopping short), and names of the answer's kind that are
 * not in the prompt. Returns how many came from the prompt; the rest are written to fresh. */
static int wrong_choices(gen *g, int other_root, int wrong[], char fresh[][NAME_LEN])
{
    int C = g->C, D = g->D, n = 0, answer = 0;
    int *cand = g->scratch;
    if (other_root >= 0) take_wrong(g, wrong, &n, &other_root, 1, answer);
    for (int c = 1; c < C; c++) cand[c - 1] = c * (D + 1);
    take_wrong(g, wrong, &n, cand, C - 1, answer);
    if (node_kind(g->o->formulation, 1, D) == node_kind(g->o->formulation, 0, D)) {
        for (int i = 1; i < D; i++) cand[i - 1] = i;
        take_wrong(g, wrong, &n, cand, D - 1, answer);
    }
    kind k = node_kind(g->o->formulation, 0, D);
    uint32_t size = pool_size(k, g->letters);
    for (int w = n; w < HS_PROMPT_CHOICES - 1; w++) {
        uint32_t i;
        do i = hs_rng_below(&g->rng, size);
        while (!used_add(g, i));
        pool_name(k, i, g->letters, fresh[w]);
    }
    return n;
}

static hs_status build(gen *g, int index, hs_json *j, hs_err *err)
{
    const hs_prompt_opts *o = g->o;
    hs_prompt_formulation form = o->formulation;
    int D = g->D;
    /* Prompt i draws from its own stream, so a set is a prefix of any longer one and the other
     * options give unrelated sets. Limits keep the fields apart: f < 16, D, K ≤ 1000 < 2^20,
     * index < 2^20. */
    hs_rng_seed(&g->rng, o->seed,
                (uint64_t)form << 60 | (uint64_t)D << 40 | (uint64_t)o->distractors << 20 |
                    (uint64_t)index);
    name_nodes(g);
    int relation = 0, other_root = -1;
    if (form == HS_PROMPT_CONDITIONAL) {
        /* The other relation is redrawn until it leads elsewhere from the asked node (about one
         * draw in nine at 2 chains, 3 hops is redrawn): a prompt whose answer is the same
         * whichever relation is followed would not test the rule. */
        relation = (int)hs_rng_below(&g->rng, 2);
        for (int v = 0; v < g->nodes; v++) g->other[v] = v;
        do {
            shuffle(&g->rng, g->other, g->nodes);
            for (int p = 0; p < g->nodes; p++)
                if (g->other[p] == D) other_root = g->other[p - p % (D + 1)];
        } while (other_root == 0);
    }
    char *text = NULL;
    size_t text_len = 0;
    FILE *f = open_memstream(&text, &text_len);
    if (!f) return hs_fail(err, HS_ENOMEM, "out of memory writing prompt %d", index);
    write_text(g, f, D, relation);

    int wrong[HS_PROMPT_CHOICES - 1];
    char fresh[HS_PROMPT_CHOICES - 1][NAME_LEN];
    const char *choice[HS_PROMPT_CHOICES];
    int answer_index = -1;
    if (!o->plain) {
        int from_prompt = wrong_choices(g, other_root, wrong, fresh);
        int order[HS_PROMPT_CHOICES] = {0, 1, 2, 3};
        shuffle(&g->rng, order, HS_PROMPT_CHOICES);
        for (int c = 0; c < HS_PROMPT_CHOICES; c++) {
            int w = order[c] - 1;
            choice[c] = w < 0 ? g->name[0] : w < from_prompt ? g->name[wrong[w]] : fresh[w];
            if (w < 0) answer_index = c;
            fprintf(f, "%c. %s\n", 'A' + c, choice[c]);
        }
        fputs("Answer with the letter of the correct choice.", f);
    } else {
        fputs(PLAIN_ASK[form], f);
    }
    if (fclose(f)) {
        free(text);
        return hs_fail(err, HS_ENOMEM, "out of memory writing prompt %d", index);
    }

    char id[96];
    snprintf(id, sizeof id, "%s-h%d-k%d-s%llu-%d", hs_prompt_formulation_name(form), D,
             o->distractors, (unsigned long long)o->seed, index);
    hs_json_object_begin(j);
    hs_json_key(j, "id");
    hs_json_string(j, id);
    hs_json_key(j, "formulation");
    hs_json_string(j, hs_prompt_formulation_name(form));
    hs_json_key(j, "hops");
    hs_json_int(j, D);
    hs_json_key(j, "distractors");
    hs_json_int(j, o->distractors);
    hs_json_key(j, "prompt");
    hs_json_string(j, text);
    hs_json_key(j, "choices");
    if (o->plain) {
        hs_json_null(j);
    } else {
        hs_json_array_begin(j);
        for (int c = 0; c < HS_PROMPT_CHOICES; c++) hs_json_string(j, choice[c]);
        hs_json_array_end(j);
    }
    hs_json_key(j, "answer");
    hs_json_string(j, g->name[0]);
    hs_json_key(j, "answer_index");
    if (o->plain)
        hs_json_null(j);
    else
        hs_json_int(j, answer_index);
    hs_json_key(j, "chain");
    hs_json_array_begin(j);
    for (int i = D; i >= 0; i--) hs_json_string(j, g->name[i]);
    hs_json_array_end(j);
    hs_json_object_end(j);
    free(text);
    return HS_OK;
}

static void gen_free(gen *g)
{
    free(g->name);
    free(g->other);
    free(g->used);
    free(g->scratch);
}

static hs_status gen_init(gen *g, const hs_prompt_opts *o, hs_err *err)
{
    memset(g, 0, sizeof *g);
    hs_status st = hs_prompts_check(o, err);
    if (st) return st;
    g->o = o;
    g->C = o->distractors + 1;
    g->D = o->hops;
    g->nodes = g->C * (g->D + 1);
    g->letters = var_letters_for(g->C, g->D);
    g->used_cap = 16;
    while (g->used_cap < 2 * (size_t)(g->nodes + HS_PROMPT_CHOICES)) g->used_cap *= 2;
    g->name = malloc((size_t)g->nodes * sizeof *g->name);
    g->other = malloc((size_t)g->nodes * sizeof *g->other);
    g->used = malloc(g->used_cap * sizeof *g->used);
    g->scratch = malloc((size_t)2 * g->nodes * sizeof *g->scratch); /* ≥ R·C·D edges */
    if (!g->name || !g->other || !g->used || !g->scratch) {
        gen_free(g);
        return hs_fail(err, HS_ENOMEM, "out of memory for prompts of %d nodes", g->nodes);
    }
    return HS_OK;
}

hs_status hs_prompt_json(const hs_prompt_opts *o, int index, char **json, hs_err *err)
{
    gen g;
    hs_status st = gen_init(&g, o, err);
    if (st) return st;
    hs_json j;
    hs_json_init(&j);
    st = build(&g, index, &j, err);
    gen_free(&g);
    *json = st ? NULL : hs_json_take(&j);
    hs_json_free(&j);
    if (!st && !*json) st = hs_fail(err, HS_ENOMEM, "out of memory writing prompt %d", index);
    return st;
}

hs_status hs_prompts_jsonl(const hs_prompt_opts *o, char **text, size_t *len, hs_err *err)
{
    gen g;
    hs_status st = gen_init(&g, o, err);
    if (st) return st;
    *text = NULL;
    *len = 0;
    FILE *f = open_memstream(text, len);
    if (!f) {
        gen_free(&g);
        return hs_fail(err, HS_ENOMEM, "out of memory for %d prompts", o->n);
    }
    for (int i = 0; i < o->n && !st; i++) {
        hs_json j;
        hs_json_init(&j);
        st = build(&g, i, &j, err);
        if (!st && !hs_json_ok(&j)) st = hs_fail(err, HS_ENOMEM, "out of memory for prompt %d", i);
        if (!st) fprintf(f, "%s\n", j.buf);
        hs_json_free(&j);
    }
    gen_free(&g);
    if (fclose(f) && !st) st = hs_fail(err, HS_ENOMEM, "out of memory for %d prompts", o->n);
    if (st) {
        free(*text);
        *text = NULL;
        *len = 0;
    }
    return st;
}
