/* config.c — a training job's configuration (DESIGN §3): the key table, parsing values from
 * text, the names of its enums, canonical text and the job id. Cross-key validation is in
 * config_check.c, the config's text forms (YAML, JSON, key=value lines) in config_text.c.
 *
 * Every key is one row of `keys[]` below: its name, type, where it lives in hs_config, its
 * range and its default. Setting a key, formatting it, hashing the id and (through the
 * accessors) writing the JSON record all walk that one table, so adding a key means one row
 * here plus its field in config.h. Ids hash every key, except that keys added after stores
 * already existed (id_if_changed) enter the id only away from their default, so those stores
 * keep their ids. */
#include "hopsweep/config.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hopsweep/yamlfile.h"

/* ---------------------------------------------------------------------------------------------
 * The key table */

typedef struct key_def {
    const char *name;
    hs_key_kind kind;
    size_t offset;            /* into hs_config */
    long long imin, imax;     /* HS_KEY_INT: inclusive range */
    double fmin, fmax;        /* HS_KEY_FLOAT: range; fmin excluded when fmin_open */
    bool fmin_open;           /* train.lr must be > 0, not >= 0 */
    const char *const *names; /* HS_KEY_ENUM: value v is named names[v]; NULL-terminated */
    const char *def;          /* default, in the text form hs_config_set accepts */
    const char *allowed;      /* what messages say is allowed */
} key_def;

_Static_assert(ULLONG_MAX == UINT64_MAX, "train.seed is parsed with strtoull");
/* Enum values are stored through an int, so every enum must be int-sized and its names must
 * follow the enum's numbering. */
_Static_assert(sizeof(hs_curriculum) == sizeof(int), "enum size");
_Static_assert(sizeof(hs_attention) == sizeof(int), "enum size");
_Static_assert(sizeof(hs_schedule) == sizeof(int), "enum size");
_Static_assert(sizeof(hs_dtype) == sizeof(int), "enum size");
_Static_assert(sizeof(hs_task_kind) == sizeof(int), "enum size");
_Static_assert(HS_TASK_RETRIEVAL == 0 && HS_TASK_CONDITIONAL == 1 && HS_TASK_HOPK == 2,
               "kind_names order");
_Static_assert(HS_CURRICULUM_NONE == 0 && HS_CURRICULUM_IMPLICIT == 1 && HS_CURRICULUM_MIXED == 2 &&
                   HS_CURRICULUM_EXPLICIT == 3,
               "curriculum_names order");
_Static_assert(HS_ATTENTION_BIDIRECTIONAL == 0 && HS_ATTENTION_CAUSAL == 1,
               "attention_names order");
_Static_assert(HS_SCHEDULE_CONSTANT == 0 && HS_SCHEDULE_COSINE == 1 && HS_SCHEDULE_LINEAR == 2,
               "schedule_names order");
_Static_assert(sizeof(hs_positions) == sizeof(int), "enum size");
_Static_assert(HS_POSITIONS_NONE == 0 && HS_POSITIONS_LEARNED == 1, "positions_names order");
_Static_assert(sizeof(hs_readout) == sizeof(int), "enum size");
_Static_assert(HS_READOUT_LINEAR == 0 && HS_READOUT_IDENTITY == 1, "readout_names order");
_Static_assert(HS_DTYPE_F32 == 0 && HS_DTYPE_F16 == 1 && HS_DTYPE_U8 == 2, "dtype_names order");
_Static_assert(sizeof(hs_precision) == sizeof(int), "enum size");
_Static_assert(HS_PRECISION_FP32 == 0 && HS_PRECISION_BF16 == 1, "precision_names order");

static const char *const curriculum_names[] = {"none", "implicit", "mixed", "explicit", NULL};
static const char *const attention_names[] = {"bidirectional", "causal", NULL};
static const char *const schedule_names[] = {"constant", "cosine", "linear", NULL};
static const char *const dtype_names[] = {"f32", "f16", "u8", NULL};
static const char *const precision_names[] = {"fp32", "bf16", NULL};
static const char *const kind_names[] = {"retrieval", "conditional", "hopk", NULL};
static const char *const positions_names[] = {"none", "learned", NULL};
static const char *const readout_names[] = {"linear", "identity", NULL};

/* offsetof that refuses to compile unless the field has the C type the key kind writes. */
/* clang-format off */
#define FIELD_OF(f, T) (offsetof(hs_config, f) + 0 * sizeof(_Generic(((hs_config *)0)->f, T: 1)))
#define ENUM_FIELD(f) \
    (offsetof(hs_config, f) + 0 * sizeof(char[sizeof(((hs_config *)0)->f) == sizeof(int) ? 1 : -1]))

#define INT_KEY(n, f, lo, hi, d, a) \
    {n, HS_KEY_INT, FIELD_OF(f, int), lo, hi, 0, 0, false, NULL, d, a}
#define U64_KEY(n, f, d, a) \
    {n, HS_KEY_U64, FIELD_OF(f, uint64_t), 0, 0, 0, 0, false, NULL, d, a}
#define FLOAT_KEY(n, f, lo, hi, open, d, a) \
    {n, HS_KEY_FLOAT, FIELD_OF(f, double), 0, 0, lo, hi, open, NULL, d, a}
#define BOOL_KEY(n, f, d) \
    {n, HS_KEY_BOOL, FIELD_OF(f, bool), 0, 0, 0, 0, false, NULL, d, \
     "true|false, yes|no, on|off, 1|0"}
#define ENUM_KEY(n, f, names, d, a) \
    {n, HS_KEY_ENUM, ENUM_FIELD(f), 0, 0, 0, 0, false, names, d, a}
/* clang-format on */

/* Sorted by name (strcmp order): lookups use bsearch and the id hashes keys in this order.
 * tests/test_config.c checks the order. */
static const key_def keys[] = {
    INT_KEY("emergence.patience", emergence.patience, 1, 1000000, "3", "1..1000000"),
    FLOAT_KEY("emergence.tau_acc", emergence.tau_acc, 0, 1, false, "0.9", "0..1"),
    FLOAT_KEY("emergence.tau_head", emergence.tau_head, 0, 1, false, "0.5", "0..1"),
    ENUM_KEY("log.attention_dtype", log.attention_dtype, dtype_names, "f16", "f32|f16|u8"),
    INT_KEY("log.attention_every", log.attention_every, 0, INT_MAX, "0", "integer >= 0, 0 = off"),
    BOOL_KEY("log.checkpoint", log.checkpoint, "false"),
    INT_KEY("log.probe_examples", log.probe_examples, 0, 4096, "4", "0..4096"),
    ENUM_KEY("model.attention", model.attention, attention_names, "bidirectional",
             "bidirectional|causal"),
    INT_KEY("model.d_model", model.d_model, 1, 4096, "64", "1..4096"),
    FLOAT_KEY("model.dropout", model.dropout, 0, 1, false, "0", "0 <= p < 1, 0 = off"),
    INT_KEY("model.heads", model.heads, 1, 64, "2", "1..64"),
    BOOL_KEY("model.layernorm", model.layernorm, "true"),
    INT_KEY("model.layers", model.layers, 1, 64, "2", "1..64"),
    INT_KEY("model.mlp", model.mlp, 0, 16, "4", "0..16, 0 = attention-only"),
    ENUM_KEY("model.positions", model.positions, positions_names, "none", "none|learned"),
    ENUM_KEY("model.readout", model.readout, readout_names, "linear", "linear|identity"),
    INT_KEY("task.chains", task.chains, 1, INT_MAX, "4", "integer >= 1"),
    ENUM_KEY("task.curriculum", task.curriculum, curriculum_names, "implicit",
             "none|implicit|mixed|explicit"),
    INT_KEY("task.hops", task.hops, 1, INT_MAX, "4", "integer >= 1"),
    ENUM_KEY("task.kind", task.kind, kind_names, "retrieval", "retrieval|conditional|hopk"),
    INT_KEY("task.length", task.length, 1, 100000, "98", "1..100000 (hopk)"),
    INT_KEY("task.letters", task.letters, 2, 1000, "4", "2..1000 (hopk)"),
    INT_KEY("task.min_hops", task.min_hops, 0, INT_MAX, "0", "integer >= 0 (hopk)"),
    INT_KEY("task.relations", task.relations, 1, HS_TASK_MAX_RELATIONS, "2", "1..64"),
    INT_KEY("task.train_examples", task.train_examples, 0, HS_TRAINSET_MAX, "0",
            "0..2147483647, 0 = fresh examples every step"),
    INT_KEY("task.vocab", task.vocab, 2, INT_MAX, "64", "integer >= 2"),
    INT_KEY("train.batch", train.batch, 1, 65536, "64", "1..65536"),
    FLOAT_KEY("train.clip", train.clip, 0, 1e6, false, "1", "0..1e6, 0 = off"),
    FLOAT_KEY("train.early_stop", train.early_stop, 0, 1, false, "0", "0..1, 0 = off"),
    INT_KEY("train.eval_every", train.eval_every, 1, INT_MAX, "100", "integer >= 1"),
    INT_KEY("train.eval_examples", train.eval_examples, 1, 1000000, "512", "1..1000000"),
    FLOAT_KEY("train.lr", train.lr, 0, 10, true, "0.001", "0 < lr <= 10"),
    ENUM_KEY("train.precision", train.precision, precision_names, "fp32", "fp32|bf16"),
    ENUM_KEY("train.schedule", train.schedule, schedule_names, "cosine", "constant|cosine|linear"),
    U64_KEY("train.seed", train.seed, "0", "0..18446744073709551615"),
    INT_KEY("train.steps", train.steps, 0, 100000000, "3000", "0..100000000"),
    INT_KEY("train.warmup", train.warmup, 0, INT_MAX, "100", "integer >= 0"),
    FLOAT_KEY("train.weight_decay", train.weight_decay, 0, 10, false, "0.01", "0..10"),
};

#define N_KEYS (sizeof keys / sizeof keys[0])
_Static_assert(N_KEYS <= HS_CONFIG_MAX_KEYS, "raise HS_CONFIG_MAX_KEYS");

/* Keys added after the first stores were written: hashed only when they differ from their
 * default, so a plain-retrieval job keeps the id it had before the conditional task existed. */
static bool id_if_changed(const key_def *k)
{
    static const char *const late[] = {
        "task.kind",    "task.relations", "task.train_examples", "train.precision", "task.min_hops",
        "task.letters", "task.length",    "model.positions",     "model.dropout",   "model.readout",
    };
    for (size_t i = 0; i < sizeof late / sizeof late[0]; i++)
        if (!strcmp(k->name, late[i])) return true;
    return false;
}

size_t hs_config_key_count(void) { return N_KEYS; }

const char *hs_config_key_name(size_t i) { return i < N_KEYS ? keys[i].name : NULL; }

hs_key_kind hs_config_key_kind(size_t i) { return i < N_KEYS ? keys[i].kind : HS_KEY_INT; }

const char *hs_config_key_allowed(size_t i) { return i < N_KEYS ? keys[i].allowed : NULL; }

static int key_cmp(const void *name, const void *entry)
{
    return strcmp((const char *)name, ((const key_def *)entry)->name);
}

static const key_def *find_key(const char *name)
{
    return bsearch(name, keys, N_KEYS, sizeof keys[0], key_cmp);
}

int hs_config_key_index(const char *name)
{
    const key_def *k = name ? find_key(name) : NULL;
    return k ? (int)(k - keys) : -1;
}

/* names[v], "?" when v is outside the NULL-terminated list. */
static const char *enum_name(const char *const *names, size_t count, int v)
{
    return v >= 0 && (size_t)v < count - 1 ? names[v] : "?";
}

#define ENUM_NAME(names, v) enum_name(names, sizeof names / sizeof names[0], (int)(v))

const char *hs_curriculum_name(hs_curriculum c) { return ENUM_NAME(curriculum_names, c); }
const char *hs_dtype_name(hs_dtype d) { return ENUM_NAME(dtype_names, d); }

/* ---------------------------------------------------------------------------------------------
 * Message helpers */

static size_t section_len(const char *key_name)
{
    return (size_t)(strchr(key_name, '.') - key_name);
}

/* The key or section a mistyped name most likely meant, as (text, length); NULL if nothing is
 * close. A bare name matching the tail of exactly one key ("layers") suggests that key. */
static const char *suggest(const char *name, size_t *len_out)
{
    size_t len = strlen(name);
    if (!strchr(name, '.')) {
        const char *hit = NULL;
        int hits = 0;
        for (size_t i = 0; i < N_KEYS; i++)
            if (!strcmp(keys[i].name + section_len(keys[i].name) + 1, name)) {
                hit = keys[i].name;
                hits++;
            }
        if (hits == 1) {
            *len_out = strlen(hit);
            return hit;
        }
    }
    const char *best = NULL;
    size_t best_d = SIZE_MAX, best_len = 0;
    for (size_t i = 0; i < N_KEYS; i++) {
        /* Candidates: the key itself and its section ("modle" -> "model"). */
        size_t lens[2] = {strlen(keys[i].name), section_len(keys[i].name)};
        for (int c = 0; c < 2; c++) {
            size_t d = hs_edit_distance(name, len, keys[i].name, lens[c]);
            if (d < best_d) {
                best_d = d;
                best = keys[i].name;
                best_len = lens[c];
            }
        }
    }
    /* One edit per four characters or so: "foo" must not suggest "log". */
    size_t limit = (len + 2) / 4 > 1 ? (len + 2) / 4 : 1;
    if (!best || best_d == 0 || best_d > limit) return NULL;
    *len_out = best_len;
    return best;
}

bool hs_config_is_section(const char *name)
{
    size_t len = strlen(name);
    for (size_t i = 0; i < N_KEYS; i++)
        if (!strncmp(keys[i].name, name, len) && keys[i].name[len] == '.') return true;
    return false;
}

hs_status hs_config_unknown_key(const char *name, hs_err *err)
{
    char q[HS_QUOTED_MAX];
    hs_quote(name, strlen(name), '"', q, sizeof q);
    if (hs_config_is_section(name)) {
        char list[400];
        size_t o = 0, len = strlen(name);
        list[0] = '\0';
        for (size_t i = 0; i < N_KEYS; i++)
            if (!strncmp(keys[i].name, name, len) && keys[i].name[len] == '.' && o < sizeof list)
                o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", o ? ", " : "",
                                      keys[i].name);
        return hs_fail(err, HS_EINPUT, "%s is a section, not a key (its keys: %s)", q, list);
    }
    size_t slen = 0;
    const char *s = suggest(name, &slen);
    if (s) return hs_fail(err, HS_EINPUT, "unknown key %s (did you mean %.*s?)", q, (int)slen, s);
    return hs_fail(err, HS_EINPUT,
                   "unknown key %s (keys start with emergence., log., model., task. or train.)", q);
}

/* ---------------------------------------------------------------------------------------------
 * Parsing one value */

static bool ascii_ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = (*a >= 'A' && *a <= 'Z') ? (char)(*a - 'A' + 'a') : *a;
        if (x != *b) return false;
    }
    return *a == *b;
}

/* Optional sign then decimal digits only: strtol alone would accept " 4", "0x" prefixes (with
 * base 0) and silently stop at "4.5". */
static bool is_decimal(const char *v, bool allow_minus)
{
    if (*v == '+' || (allow_minus && *v == '-')) v++;
    if (!*v) return false;
    for (; *v; v++)
        if (*v < '0' || *v > '9') return false;
    return true;
}

/* Parses `v` for key k into *out (a buffer big enough for any field); writes nothing to the
 * config, so a failed set leaves it untouched. */
static hs_status parse_value(const key_def *k, const char *v, void *out, hs_err *err)
{
    char q[HS_QUOTED_MAX];
    hs_quote(v, strlen(v), '"', q, sizeof q);
    switch (k->kind) {
    case HS_KEY_INT: {
        if (!is_decimal(v, true))
            return hs_fail(err, HS_EINPUT, "%s: %s is not an integer (allowed: %s)", k->name, q,
                           k->allowed);
        errno = 0;
        long long x = strtoll(v, NULL, 10);
        if (errno == ERANGE || x < k->imin || x > k->imax)
            return hs_fail(err, HS_EINPUT, "%s: %s is out of range (allowed: %s)", k->name, q,
                           k->allowed);
        int i = (int)x;
        memcpy(out, &i, sizeof i);
        return HS_OK;
    }
    case HS_KEY_U64: {
        /* strtoull would wrap "-1" to 2^64-1, so the sign is refused up front. */
        if (!is_decimal(v, false))
            return hs_fail(err, HS_EINPUT, "%s: %s is not a non-negative integer (allowed: %s)",
                           k->name, q, k->allowed);
        errno = 0;
        unsigned long long x = strtoull(v, NULL, 10);
        if (errno == ERANGE)
            return hs_fail(err, HS_EINPUT, "%s: %s is out of range (allowed: %s)", k->name, q,
                           k->allowed);
        uint64_t u = (uint64_t)x;
        memcpy(out, &u, sizeof u);
        return HS_OK;
    }
    case HS_KEY_FLOAT: {
        /* Leading space would be skipped by strtod; refuse it to match the integer rules. */
        char *end = NULL;
        double x = (*v && !isspace((unsigned char)*v)) ? strtod(v, &end) : 0;
        if (!end || end == v || *end)
            return hs_fail(err, HS_EINPUT, "%s: %s is not a number (allowed: %s)", k->name, q,
                           k->allowed);
        if (!isfinite(x))
            return hs_fail(err, HS_EINPUT, "%s: %s is not a finite number (allowed: %s)", k->name,
                           q, k->allowed);
        if (x < k->fmin || (k->fmin_open && x == k->fmin) || x > k->fmax)
            return hs_fail(err, HS_EINPUT, "%s: %s is out of range (allowed: %s)", k->name, q,
                           k->allowed);
        if (x == 0) x = 0.0; /* "-0" and "0" must give the same canonical text and id */
        memcpy(out, &x, sizeof x);
        return HS_OK;
    }
    case HS_KEY_BOOL: {
        static const char *const yes[] = {"true", "yes", "on", "1"};
        static const char *const no[] = {"false", "no", "off", "0"};
        for (size_t i = 0; i < 4; i++) {
            bool b = ascii_ieq(v, yes[i]);
            if (b || ascii_ieq(v, no[i])) {
                memcpy(out, &b, sizeof b);
                return HS_OK;
            }
        }
        return hs_fail(err, HS_EINPUT, "%s: %s is not a boolean (allowed: %s)", k->name, q,
                       k->allowed);
    }
    case HS_KEY_ENUM: {
        /* Suggest a name that differs only in case, else one within two edits. */
        const char *close = NULL;
        size_t close_d = 3;
        for (int i = 0; k->names[i]; i++) {
            if (!strcmp(v, k->names[i])) {
                memcpy(out, &i, sizeof i);
                return HS_OK;
            }
            size_t d = ascii_ieq(v, k->names[i])
                           ? 0
                           : hs_edit_distance(v, strlen(v), k->names[i], strlen(k->names[i]));
            if (d < close_d) {
                close = k->names[i];
                close_d = d;
            }
        }
        if (close)
            return hs_fail(err, HS_EINPUT, "%s: %s is not one of %s (did you mean %s?)", k->name, q,
                           k->allowed, close);
        return hs_fail(err, HS_EINPUT, "%s: %s is not one of %s", k->name, q, k->allowed);
    }
    }
    return hs_fail(err, HS_EINTERNAL, "%s: key of unknown kind", k->name);
}

static size_t kind_size(hs_key_kind kind)
{
    switch (kind) {
    case HS_KEY_INT: return sizeof(int);
    case HS_KEY_U64: return sizeof(uint64_t);
    case HS_KEY_FLOAT: return sizeof(double);
    case HS_KEY_BOOL: return sizeof(bool);
    case HS_KEY_ENUM: return sizeof(int);
    }
    return 0;
}

static hs_status set_key(hs_config *c, const key_def *k, const char *value, hs_err *err)
{
    union {
        int i;
        uint64_t u;
        double d;
        bool b;
    } v;
    hs_status st = parse_value(k, value, &v, err);
    if (st == HS_OK) memcpy((char *)c + k->offset, &v, kind_size(k->kind));
    return st;
}

void hs_config_default(hs_config *c)
{
    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < N_KEYS; i++) {
        hs_err e;
        if (set_key(c, &keys[i], keys[i].def, &e) != HS_OK) {
            /* A default outside its own range is a bug in the table above, not user input. */
            fprintf(stderr, "hopsweep: internal error: bad default: %s\n", e.msg);
            abort();
        }
    }
}

hs_status hs_config_set(hs_config *c, const char *key, const char *value, hs_err *err)
{
    const key_def *k = find_key(key);
    if (!k) return hs_config_unknown_key(key, err);
    return set_key(c, k, value, err);
}

hs_status hs_config_override(hs_config *c, const char *arg, hs_err *err)
{
    char q[HS_QUOTED_MAX];
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg) {
        hs_quote(arg, strlen(arg), '"', q, sizeof q);
        return hs_fail(err, HS_EINPUT, "%s: %s; write key=value, e.g. model.layers=3", q,
                       eq ? "empty key before '='" : "missing '='");
    }
    char key[128];
    size_t klen = (size_t)(eq - arg);
    if (klen >= sizeof key) /* longer than any key: report it as unknown, cut for the message */
        klen = sizeof key - 1;
    memcpy(key, arg, klen);
    key[klen] = '\0';
    return hs_config_set(c, key, eq + 1, err);
}

/* ---------------------------------------------------------------------------------------------
 * Canonical text and id */

/* Canonical float text: the fewest significant digits that read back as the same double, so
 * 1e-3 and 0.001 both give "0.001"; plain decimal for magnitudes 1e-4 up to 1e17 (10, not
 * 1e+01), exponent form outside (1e-05), much like Python's repr. */
static void format_double(double v, char *buf, size_t n)
{
    char tmp[48];
    int prec = 1;
    if (v == 0) v = 0.0;
    for (; prec < 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*e", prec - 1, v);
        if (strtod(tmp, NULL) == v) break;
    }
    snprintf(tmp, sizeof tmp, "%.*e", prec - 1, v);
    int exp10 = atoi(strchr(tmp, 'e') + 1);
    /* %g switches to exponent form when exp10 >= precision: widen the precision to stay plain. */
    if (exp10 >= prec && exp10 < 17) prec = exp10 + 1;
    snprintf(buf, n, "%.*g", prec, v);
}

void hs_config_format(const hs_config *c, size_t i, char *buf, size_t n)
{
    if (!n) return;
    buf[0] = '\0';
    if (i >= N_KEYS) return;
    const key_def *k = &keys[i];
    const char *field = (const char *)c + k->offset;
    switch (k->kind) {
    case HS_KEY_INT: {
        int v;
        memcpy(&v, field, sizeof v);
        snprintf(buf, n, "%d", v);
        break;
    }
    case HS_KEY_U64: {
        uint64_t v;
        memcpy(&v, field, sizeof v);
        snprintf(buf, n, "%" PRIu64, v);
        break;
    }
    case HS_KEY_FLOAT: {
        double v;
        memcpy(&v, field, sizeof v);
        format_double(v, buf, n);
        break;
    }
    case HS_KEY_BOOL: {
        bool v;
        memcpy(&v, field, sizeof v);
        snprintf(buf, n, "%s", v ? "true" : "false");
        break;
    }
    case HS_KEY_ENUM: {
        int v, count = 0;
        memcpy(&v, field, sizeof v);
        while (k->names[count]) count++;
        snprintf(buf, n, "%s", v >= 0 && v < count ? k->names[v] : "?");
        break;
    }
    }
}

/* Every key's line is "name=value\n" with name < 128 (hs_config_override's limit) and value < 64
 * bytes (hs_config_format's buffer below), so the whole text always fits. */
_Static_assert(N_KEYS *(128 + 1 + 64 + 1) <= HS_CONFIG_LINES_MAX, "canonical lines fit");

size_t hs_config_write_lines(const hs_config *c, unsigned flags, char *buf, size_t cap)
{
    char value[64], def[64];
    hs_config d;
    if (flags & HS_CONFIG_LINES_ID) hs_config_default(&d);
    size_t n = 0;
    if (cap) buf[0] = '\0';
    for (size_t i = 0; i < N_KEYS; i++) {
        hs_config_format(c, i, value, sizeof value);
        if ((flags & HS_CONFIG_LINES_ID) && id_if_changed(&keys[i])) {
            hs_config_format(&d, i, def, sizeof def);
            if (!strcmp(value, def)) continue;
        }
        int w = snprintf(n < cap ? buf + n : NULL, n < cap ? cap - n : 0, "%s=%s\n", keys[i].name,
                         value);
        n += w > 0 ? (size_t)w : 0;
    }
    return n;
}

void hs_config_id(const hs_config *c, char out[17])
{
    char text[HS_CONFIG_LINES_MAX];
    size_t n = hs_config_write_lines(c, HS_CONFIG_LINES_ID, text, sizeof text);
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a 64 offset basis */
    for (size_t i = 0; i < n && i < sizeof text; i++) {
        h ^= (unsigned char)text[i];
        h *= 0x100000001b3ull; /* FNV-1a 64 prime */
    }
    snprintf(out, 17, "%016" PRIx64, h);
}
