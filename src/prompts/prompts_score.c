/* prompts_score.c — reading a prompt set and a harness's answers, reading each response as a
 * choice (or a chain entity), and the accuracy statistics (definitions in prompts_score.h, the
 * rules in docs/prompts-scoring.md). */
#include "hopsweep/prompts_score.h"

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hopsweep/array.h"
#include "hopsweep/fileio.h"
#include "hopsweep/jsonline.h"

#define BLOCK_SIZE ((size_t)64 << 10)
#define REGENERATE "regenerate the prompt set with hopsweep prompts"

/* ---------------------------------------------------------------------------------------------
 * Characters, ASCII only: the locale must not change what a response means. */

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool is_word(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static char lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c; }

static bool starts_nocase(const char *s, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    if (n > len) return false;
    for (size_t i = 0; i < n; i++)
        if (lower(s[i]) != prefix[i]) return false;
    return true;
}

/* A text view [b, e) of a string; the rules narrow views rather than copy. */
typedef struct view {
    const char *s;
    size_t b, e;
} view;

static void trim(view *v)
{
    while (v->b < v->e && is_ws(v->s[v->b])) v->b++;
    while (v->e > v->b && is_ws(v->s[v->e - 1])) v->e--;
}

/* ---------------------------------------------------------------------------------------------
 * Reading one response */

static const char *const LEAD_INS[] = {"final answer:", "answer:", "the correct answer is",
                                       "the answer is", "answer is"};

/* The response as every rule sees it: trimmed, markdown's * and ` gone, lead-ins stripped. buf
 * holds the copy without * and `. */
static view normalise_response(const char *response, char *buf)
{
    size_t n = 0;
    for (const char *p = response; *p; p++)
        if (*p != '*' && *p != '`') buf[n++] = *p;
    buf[n] = '\0';
    view v = {buf, 0, n};
    trim(&v);
    for (bool again = true; again;) {
        again = false;
        for (size_t i = 0; i < sizeof LEAD_INS / sizeof LEAD_INS[0]; i++) {
            if (!starts_nocase(buf + v.b, v.e - v.b, LEAD_INS[i])) continue;
            v.b += strlen(LEAD_INS[i]);
            trim(&v);
            if (v.b < v.e && buf[v.b] == ':') v.b++; /* "The answer is: B" */
            trim(&v);
            again = true;
        }
    }
    return v;
}

/* The index of a letter A.. among n choices, either case; -1 for anything else. */
static int letter_index(char c, int n)
{
    int i = lower(c) - 'a';
    return i >= 0 && i < n && i < 26 ? i : -1;
}

/* Rule a: "B", "(B)", "[B]", "B.", "B)", "B:", or one of the wrapped or punctuated forms followed
 * by whitespace and more text; never a bare letter and text ("A kitchen"). */
static int read_letter(view v, int n)
{
    const char *s = v.s + v.b;
    size_t len = v.e - v.b;
    if (len == 1) return letter_index(s[0], n);
    size_t mark = 0; /* length of a wrapped or punctuated letter at the start */
    int i = -1;
    if (len >= 3 && ((s[0] == '(' && s[2] == ')') || (s[0] == '[' && s[2] == ']'))) {
        mark = 3;
        i = letter_index(s[1], n);
    } else if (len >= 2 && (s[1] == '.' || s[1] == ')' || s[1] == ':')) {
        mark = 2;
        i = letter_index(s[0], n);
    }
    if (i < 0 || !mark) return -1;
    return len == mark || is_ws(s[mark]) ? i : -1; /* the view is trimmed: text follows a space */
}

/* Rule b's further normalisation as a view: trailing . and !, surrounding quotes and a leading
 * "the " go, repeatedly; whitespace runs are collapsed by same_text. */
static view exact_view(const char *s, size_t b, size_t e)
{
    view v = {s, b, e};
    for (size_t before = SIZE_MAX; before != v.e - v.b;) {
        before = v.e - v.b;
        trim(&v);
        while (v.e > v.b && (s[v.e - 1] == '.' || s[v.e - 1] == '!')) v.e--;
        trim(&v);
        if (v.e - v.b >= 2 && (s[v.b] == '"' || s[v.b] == '\'') && s[v.e - 1] == s[v.b])
            v.b++, v.e--;
        if (starts_nocase(s + v.b, v.e - v.b, "the") && v.e - v.b > 3 && is_ws(s[v.b + 3]))
            v.b += 3;
    }
    return v;
}

/* Equal ignoring ASCII case, any whitespace run matching any other. */
static bool same_text(view a, view c)
{
    size_t i = a.b, j = c.b;
    while (i < a.e && j < c.e) {
        if (is_ws(a.s[i]) && is_ws(c.s[j])) {
            while (i < a.e && is_ws(a.s[i])) i++;
            while (j < c.e && is_ws(c.s[j])) j++;
        } else if (lower(a.s[i++]) != lower(c.s[j++])) {
            return false;
        }
    }
    return i == a.e && j == c.e;
}

static view option_exact_view(const char *option) { return exact_view(option, 0, strlen(option)); }

/* Where the last whole-word, case-insensitive occurrence of word in v ends; 0 when none. */
static size_t last_mention_end(view v, const char *word)
{
    size_t n = strlen(word);
    if (!n || n > v.e - v.b) return 0;
    for (size_t at = v.e - n + 1; at-- > v.b;) {
        if ((at > v.b && is_word(v.s[at - 1])) || (at + n < v.e && is_word(v.s[at + n]))) continue;
        size_t k = 0;
        while (k < n && lower(v.s[at + k]) == lower(word[k])) k++;
        if (k == n) return at + n;
    }
    return 0;
}

hs_status hs_answer_pick(const char *response, const char *const *options, int n, bool letters,
                         int *pick, hs_answer_rule *rule, hs_err *err)
{
    hs_answer_rule r = HS_RULE_NONE;
    *pick = -1;
    char *buf = malloc(strlen(response) + 1);
    if (!buf) return hs_fail(err, HS_ENOMEM, "out of memory reading an answer");
    view v = normalise_response(response, buf);
    if (letters && (*pick = read_letter(v, n)) >= 0) {
        r = HS_RULE_LETTER;
        goto done;
    }
    view exact = exact_view(buf, v.b, v.e);
    for (int i = 0; i < n; i++)
        if (exact.e > exact.b && same_text(exact, option_exact_view(options[i]))) {
            *pick = i;
            r = HS_RULE_TEXT;
            goto done;
        }
    size_t best_end = 0, best_len = 0;
    for (int i = 0; i < n; i++) {
        size_t end = last_mention_end(v, options[i]), len = strlen(options[i]);
        if (end && (end > best_end || (end == best_end && len > best_len))) {
            *pick = i;
            best_end = end;
            best_len = len;
        }
    }
    if (*pick >= 0) r = HS_RULE_MENTION;
done:
    free(buf);
    if (rule) *rule = r;
    return HS_OK;
}

/* ---------------------------------------------------------------------------------------------
 * Storage */

struct hs_score_block {
    struct hs_score_block *next;
    size_t used, cap;
    char text[];
};

void hs_score_init(hs_score *s) { memset(s, 0, sizeof *s); }

void hs_score_free(hs_score *s)
{
    for (struct hs_score_block *b = s->blocks, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    free(s->prompts);
    free(s->strs);
    free(s->slots);
    free(s->groups);
    memset(s, 0, sizeof *s);
}

/* A lasting copy of text[0..len) and a NUL; NULL when out of memory. */
static const char *keep(hs_score *s, const char *text, size_t len)
{
    struct hs_score_block *b = s->blocks;
    if (!b || b->cap - b->used < len + 1) {
        size_t cap = len + 1 > BLOCK_SIZE ? len + 1 : BLOCK_SIZE;
        b = malloc(sizeof *b + cap);
        if (!b) return NULL;
        b->used = 0;
        b->cap = cap;
        b->next = s->blocks;
        s->blocks = b;
    }
    char *p = b->text + b->used;
    memcpy(p, text, len);
    p[len] = '\0';
    b->used += len + 1;
    return p;
}

static uint64_t hash_text(const char *s)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325); /* FNV-1a */
    for (; *s; s++) h = (h ^ (unsigned char)*s) * UINT64_C(0x100000001b3);
    return h;
}

static size_t id_slot(const hs_score *s, const char *id)
{
    size_t mask = s->n_slots - 1, i = (size_t)hash_text(id) & mask;
    while (s->slots[i] && strcmp(s->prompts[s->slots[i] - 1].id, id)) i = (i + 1) & mask;
    return i;
}

/* The prompt of an id, or NULL. */
static hs_score_prompt *find_prompt(const hs_score *s, const char *id)
{
    if (!s->n_slots) return NULL;
    size_t at = s->slots[id_slot(s, id)];
    return at ? &s->prompts[at - 1] : NULL;
}

/* Room for one more id at a load of at most one half. */
static bool index_grow(hs_score *s)
{
    if ((s->n_prompts + 1) * 2 <= s->n_slots) return true;
    size_t n = s->n_slots ? s->n_slots * 2 : 256, *old = s->slots, old_n = s->n_slots;
    s->slots = calloc(n, sizeof *s->slots);
    if (!s->slots) {
        s->slots = old;
        return false;
    }
    s->n_slots = n;
    for (size_t i = 0; i < old_n; i++)
        if (old[i]) s->slots[id_slot(s, s->prompts[old[i] - 1].id)] = old[i];
    free(old);
    return true;
}

/* ---------------------------------------------------------------------------------------------
 * The prompt set */

typedef struct prompt_line {
    hs_score *s;
    yaml_document_t *doc;
    const char *name;
    size_t lineno;
    hs_err *err;
} prompt_line;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static hs_status
bad_prompt(const prompt_line *x, const char *fmt, ...)
{
    char what[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return hs_fail(x->err, HS_EINPUT, "%s:%zu: %s; " REGENERATE, x->name, x->lineno, what);
}

static hs_status nomem(const prompt_line *x)
{
    return hs_fail(x->err, HS_ENOMEM, "%s:%zu: out of memory reading the prompt set", x->name,
                   x->lineno);
}

/* An array of non-empty strings under key, appended to s->strs; *count items. */
static hs_status read_strings(const prompt_line *x, const yaml_node_t *seq, const char *key,
                              int *count)
{
    hs_score *s = x->s;
    size_t n = hs_jl_seq_len(seq);
    if (n > INT32_MAX) return bad_prompt(x, "\"%s\" is too long", key);
    if (!hs_grow((void **)&s->strs, &s->strs_cap, s->n_strs + n, sizeof *s->strs)) return nomem(x);
    for (size_t i = 0; i < n; i++) {
        const yaml_node_t *v = hs_jl_seq_at(x->doc, seq, i);
        if (!hs_jl_is_string(v))
            return bad_prompt(x, "\"%s\" holds something other than strings", key);
        view exact = option_exact_view(hs_jl_scalar_text(v));
        if (exact.e == exact.b) /* it would match every response, or none */
            return bad_prompt(x, "\"%s\" holds an empty name", key);
        const char *copy = keep(s, hs_jl_scalar_text(v), v->data.scalar.length);
        if (!copy) return nomem(x);
        s->strs[s->n_strs++] = copy;
    }
    *count = (int)n;
    return HS_OK;
}

/* A label printed in the text table and in one-line messages: a newline or other control
 * character there would break both, so none is allowed (JSON and CSV would quote it, the table
 * cannot). */
static bool has_control(const yaml_node_t *n)
{
    const unsigned char *t = n->data.scalar.value;
    for (size_t i = 0; i < n->data.scalar.length; i++)
        if (t[i] < 0x20 || t[i] == 0x7f) return true;
    return false;
}

static hs_status read_prompt(const prompt_line *x, const yaml_node_t *root)
{
    hs_score *s = x->s;
    yaml_document_t *d = x->doc;
    hs_score_prompt p = {.answer_index = -1, .options = s->n_strs, .line = x->lineno};
    const yaml_node_t *id = hs_jl_map_get(d, root, "id");
    if (!hs_jl_is_string(id) || !id->data.scalar.length) return bad_prompt(x, "no string \"id\"");
    if (has_control(id))
        return bad_prompt(x, "\"id\" holds a control character (a newline, a tab, ...)");
    const hs_score_prompt *same = find_prompt(s, hs_jl_scalar_text(id));
    if (same)
        return bad_prompt(x, "\"id\" \"%.80s\" is already on line %zu; ids must be unique",
                          same->id, same->line);

    const yaml_node_t *f = hs_jl_map_get(d, root, "formulation");
    if (!hs_jl_is_string(f) || !f->data.scalar.length)
        return bad_prompt(x, "no \"formulation\" (a non-empty string)");
    if (has_control(f))
        return bad_prompt(x, "\"formulation\" holds a control character (a newline, a tab, ...)");
    if (!hs_jl_scalar_int(hs_jl_map_get(d, root, "hops"), &p.hops) || p.hops < 1)
        return bad_prompt(x, "\"hops\" is not an integer >= 1");
    if (!hs_jl_scalar_int(hs_jl_map_get(d, root, "distractors"), &p.distractors) ||
        p.distractors < 0)
        return bad_prompt(x, "\"distractors\" is not an integer >= 0");
    const yaml_node_t *answer = hs_jl_map_get(d, root, "answer");
    if (!hs_jl_is_string(answer)) return bad_prompt(x, "\"answer\" is not a string");
    const char *answer_text = hs_jl_scalar_text(answer);

    const yaml_node_t *choices = hs_jl_map_get(d, root, "choices");
    const yaml_node_t *ai = hs_jl_map_get(d, root, "answer_index");
    if (!choices) return bad_prompt(x, "no \"choices\" (an array, or null for plain answers)");
    if (!ai) return bad_prompt(x, "no \"answer_index\" (an integer, or null for plain answers)");
    hs_status st;
    if (!hs_jl_is_null(choices)) {
        size_t n = hs_jl_seq_len(choices);
        if (choices->type != YAML_SEQUENCE_NODE || n < HS_SCORE_MIN_CHOICES ||
            n > HS_SCORE_MAX_CHOICES)
            return bad_prompt(x, "\"choices\" is not an array of %d to %d strings, nor null",
                              HS_SCORE_MIN_CHOICES, HS_SCORE_MAX_CHOICES);
        if ((st = read_strings(x, choices, "choices", &p.n_choices))) return st;
        const char **c = &s->strs[p.options];
        for (int i = 0; i < p.n_choices; i++)
            for (int j = 0; j < i; j++) /* two that read the same would make rule b a coin toss */
                if (same_text(option_exact_view(c[i]), option_exact_view(c[j])))
                    return bad_prompt(x, "choices \"%.60s\" and \"%.60s\" read the same", c[j],
                                      c[i]);
        bool listed = false;
        for (int i = 0; i < p.n_choices; i++) listed |= !strcmp(c[i], answer_text);
        if (!listed) return bad_prompt(x, "\"answer\" is not one of \"choices\"");
        if (!hs_jl_scalar_int(ai, &p.answer_index) || p.answer_index < 0 ||
            p.answer_index >= p.n_choices || strcmp(c[p.answer_index], answer_text))
            return bad_prompt(x, "\"answer_index\" does not point at \"answer\" in \"choices\"");
    } else if (!hs_jl_is_null(ai)) {
        return bad_prompt(x, "\"answer_index\" is not null though \"choices\" is");
    }

    const yaml_node_t *chain = hs_jl_map_get(d, root, "chain");
    if (!chain || chain->type != YAML_SEQUENCE_NODE || !hs_jl_seq_len(chain))
        return bad_prompt(x, "no \"chain\" (an array of strings ending with the answer)");
    if ((st = read_strings(x, chain, "chain", &p.chain_len))) return st;
    if (strcmp(s->strs[p.options + (size_t)p.n_choices + (size_t)p.chain_len - 1], answer_text))
        return bad_prompt(x, "the last entity of \"chain\" is not \"answer\"");

    /* Consecutive prompts mostly share a formulation: one copy serves them all. */
    const char *prev = s->n_prompts ? s->prompts[s->n_prompts - 1].formulation : NULL;
    p.formulation = prev && !strcmp(prev, hs_jl_scalar_text(f))
                        ? prev
                        : keep(s, hs_jl_scalar_text(f), f->data.scalar.length);
    p.id = keep(s, hs_jl_scalar_text(id), id->data.scalar.length);
    p.answer = p.n_choices ? s->strs[p.options + (size_t)p.answer_index]
                           : s->strs[p.options + (size_t)p.chain_len - 1];
    if (!p.formulation || !p.id || !index_grow(s) ||
        !hs_grow((void **)&s->prompts, &s->prompts_cap, s->n_prompts + 1, sizeof *s->prompts))
        return nomem(x);
    s->prompts[s->n_prompts++] = p;
    s->slots[id_slot(s, p.id)] = s->n_prompts;
    return HS_OK;
}

static hs_status add_prompt_line(hs_score *s, const char *line, size_t len, const char *name,
                                 size_t lineno, hs_err *err)
{
    yaml_document_t doc;
    const char *why;
    prompt_line x = {.s = s, .doc = &doc, .name = name, .lineno = lineno, .err = err};
    switch (hs_jl_load_object(line, len, &doc, &why)) {
    case HS_JL_BLANK: return HS_OK;
    case HS_JL_NOMEM: return nomem(&x);
    case HS_JL_BAD: return bad_prompt(&x, "%s", why);
    default: break;
    }
    size_t strs_before = s->n_strs;
    hs_status st = read_prompt(&x, yaml_document_get_root_node(&doc));
    yaml_document_delete(&doc);
    if (st) s->n_strs = strs_before; /* the strings of a refused line are not anyone's */
    return st;
}

/* The line at *p, without its newline, and its length; moves *p past it. A last line without
 * its newline is a line too. */
static const char *next_line(const char **p, const char *end, size_t *len)
{
    const char *line = *p, *nl = memchr(line, '\n', (size_t)(end - line));
    *len = (size_t)((nl ? nl : end) - line);
    *p = nl ? nl + 1 : end;
    return line;
}

hs_status hs_score_add_prompts(hs_score *s, const char *text, size_t len, const char *name,
                               hs_err *err)
{
    size_t before = s->n_prompts, n;
    const char *p = text, *end = text + len;
    for (size_t lineno = 1; p < end; lineno++) {
        const char *line = next_line(&p, end, &n);
        hs_status st = add_prompt_line(s, line, n, name, lineno, err);
        if (st) return st;
    }
    if (s->n_prompts == before)
        return hs_fail(err, HS_EINPUT,
                       "%s: no prompts in the file; give a prompt set written by "
                       "hopsweep prompts",
                       name);
    return HS_OK;
}

/* Reads a whole input file; a missing or unreadable one is the user's to fix (HS_EINPUT). */
static hs_status read_input(const char *path, const char *what, char **data, size_t *len,
                            hs_err *err)
{
    hs_status st = hs_read_file(path, HS_SCORE_FILE_LIMIT, data, len, err);
    if (st == HS_EIO || st == HS_EINPUT) {
        char msg[sizeof err->msg];
        snprintf(msg, sizeof msg, "%s", err->msg);
        return hs_fail(err, HS_EINPUT, "%.400s; give %s", msg, what);
    }
    return st;
}

hs_status hs_score_load_prompts(hs_score *s, const char *path, hs_err *err)
{
    char *data;
    size_t len;
    hs_status st = read_input(path, "a prompt set written by hopsweep prompts", &data, &len, err);
    if (st) return st;
    st = hs_score_add_prompts(s, data, len, path, err);
    free(data);
    return st;
}

/* ---------------------------------------------------------------------------------------------
 * The answers */

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void
malformed(hs_score *s, size_t lineno, const char *fmt, ...)
{
    if (s->malformed < HS_SCORE_REPORTED) {
        hs_score_bad_line *b = &s->bad[s->malformed];
        b->line = lineno;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(b->why, sizeof b->why, fmt, ap);
        va_end(ap);
    }
    s->malformed++;
}

static hs_status score_answer(hs_score_prompt *p, const char *const *options, const char *text,
                              hs_err *err)
{
    int pick;
    bool plain = !p->n_choices;
    hs_status st = hs_answer_pick(text, options, plain ? p->chain_len : p->n_choices, !plain, &pick,
                                  NULL, err);
    if (st) return st;
    if (pick < 0)
        p->outcome = HS_ANSWER_UNPARSED;
    else if (plain ? !strcmp(options[pick], p->answer) : pick == p->answer_index)
        p->outcome = HS_ANSWER_CORRECT;
    else
        p->outcome = HS_ANSWER_WRONG;
    return HS_OK;
}

static hs_status add_answer_line(hs_score *s, const char *line, size_t len, size_t lineno,
                                 hs_err *err)
{
    yaml_document_t doc;
    const char *why;
    switch (hs_jl_load_object(line, len, &doc, &why)) {
    case HS_JL_BLANK: return HS_OK;
    case HS_JL_NOMEM:
        return hs_fail(err, HS_ENOMEM, "out of memory reading line %zu of the answers", lineno);
    case HS_JL_BAD:
        s->answer_lines++;
        malformed(s, lineno, "%s", why);
        return HS_OK;
    default: break;
    }
    s->answer_lines++;
    const yaml_node_t *root = yaml_document_get_root_node(&doc);
    const yaml_node_t *id = hs_jl_map_get(&doc, root, "id");
    const yaml_node_t *answer = hs_jl_map_get(&doc, root, "answer");
    if (hs_jl_is_null(answer)) answer = hs_jl_map_get(&doc, root, "response");
    hs_score_prompt *p = NULL;
    hs_status st = HS_OK;
    if (!hs_jl_is_string(id))
        malformed(s, lineno, "no string \"id\"");
    else if (hs_jl_is_null(answer))
        malformed(s, lineno, "no \"answer\" (or \"response\")");
    else if (answer->type != YAML_SCALAR_NODE)
        malformed(s, lineno, "the answer is not text");
    else if (!(p = find_prompt(s, hs_jl_scalar_text(id))))
        malformed(s, lineno, "\"id\" \"%.60s\" is not in the prompt set", hs_jl_scalar_text(id));
    else if (p->answer_line)
        malformed(s, lineno, "a second answer for \"%.60s\" (the first, on line %zu, counts)",
                  p->id, p->answer_line);
    else if (!(st = score_answer(p, &s->strs[p->options], hs_jl_scalar_text(answer), err)))
        p->answer_line = lineno;
    yaml_document_delete(&doc);
    return st;
}

hs_status hs_score_add_answers(hs_score *s, const char *text, size_t len, hs_err *err)
{
    size_t n;
    const char *p = text, *end = text + len;
    for (size_t lineno = 1; p < end; lineno++) {
        const char *line = next_line(&p, end, &n);
        hs_status st = add_answer_line(s, line, n, lineno, err);
        if (st) return st;
    }
    return HS_OK;
}

hs_status hs_score_load_answers(hs_score *s, const char *path, hs_err *err)
{
    char *data;
    size_t len;
    hs_status st = read_input(path, "the answer file of the harness", &data, &len, err);
    if (st) return st;
    st = hs_score_add_answers(s, data, len, err);
    free(data);
    return st;
}

/* ---------------------------------------------------------------------------------------------
 * Statistics */

static int cmp_prompt(const void *a, const void *b)
{
    const hs_score_prompt *x = *(const hs_score_prompt *const *)a;
    const hs_score_prompt *y = *(const hs_score_prompt *const *)b;
    int c = x->formulation == y->formulation ? 0 : strcmp(x->formulation, y->formulation);
    return c ? c : (x->hops > y->hops) - (x->hops < y->hops);
}

static void count(hs_score_stats *st, const hs_score_prompt *p)
{
    st->n++;
    st->answered += p->outcome != HS_ANSWER_MISSING;
    st->correct += p->outcome == HS_ANSWER_CORRECT;
    st->missing += p->outcome == HS_ANSWER_MISSING;
    st->unparsed += p->outcome == HS_ANSWER_UNPARSED;
    st->chance += 1.0 / (p->n_choices ? p->n_choices : p->distractors + 1.0);
}

static void conclude(hs_score_stats *st)
{
    st->accuracy = (double)st->correct / (double)st->n;
    st->chance /= (double)st->n; /* a sum until now */
    hs_wilson_interval(st->correct, st->n, &st->ci_low, &st->ci_high);
}

hs_status hs_score_finish(hs_score *s, hs_err *err)
{
    free(s->groups);
    s->groups = NULL;
    s->n_groups = 0;
    memset(&s->all, 0, sizeof s->all);
    if (!s->n_prompts) return hs_fail(err, HS_EINPUT, "no prompts to score");
    const hs_score_prompt **order = malloc(s->n_prompts * sizeof *order);
    if (!order) return hs_fail(err, HS_ENOMEM, "out of memory counting the answers");
    for (size_t i = 0; i < s->n_prompts; i++) order[i] = &s->prompts[i];
    qsort(order, s->n_prompts, sizeof *order, cmp_prompt);
    size_t groups = 1;
    for (size_t i = 1; i < s->n_prompts; i++) groups += cmp_prompt(&order[i - 1], &order[i]) != 0;
    s->groups = malloc(groups * sizeof *s->groups);
    if (!s->groups) {
        free(order);
        return hs_fail(err, HS_ENOMEM, "out of memory counting the answers");
    }
    for (size_t i = 0; i < s->n_prompts; i++) {
        if (!i || cmp_prompt(&order[i - 1], &order[i]))
            s->groups[s->n_groups++] = (hs_score_group){order[i]->formulation, order[i]->hops, {0}};
        count(&s->groups[s->n_groups - 1].stats, order[i]);
        count(&s->all, order[i]);
    }
    free(order);
    for (size_t g = 0; g < s->n_groups; g++) conclude(&s->groups[g].stats);
    conclude(&s->all);
    return HS_OK;
}
