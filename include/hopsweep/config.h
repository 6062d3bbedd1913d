/* config.h — a training job's configuration: every key of DESIGN §3, its default, type and
 * allowed range, the task's parameters and their rules (the vocabulary every later stage speaks),
 * and every text form of a config: key=value overrides and lines, the YAML job file and a sweep's
 * base:, the record's JSON object, the canonical values and the job id.
 *
 * Keys are dotted paths (task.hops, model.layers, ...). A YAML job file is a mapping of sections
 * to mappings (task: {hops: 4}); dotted keys at the top level are accepted too. Errors name the
 * file, line and column, the key, the bad value and what is allowed. Files: config.c (the key
 * table, values, canonical lines and id), config_check.c (hs_task_check, hs_config_validate),
 * config_text.c (the other text forms and the walker that reads them). */
#ifndef HOPSWEEP_CONFIG_H
#define HOPSWEEP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hopsweep/error.h"

/* ---- The task's parameters (task.*): the vocabulary the task module (task.h) samples from ---- */

typedef enum {
    HS_CURRICULUM_NONE = 0, /* query supervised; every query asks `hops` hops */
    HS_CURRICULUM_IMPLICIT, /* every position supervised */
    HS_CURRICULUM_MIXED,    /* query supervised; query hops uniform in 1..hops per example */
    HS_CURRICULUM_EXPLICIT, /* query supervised; query hops = the trainer's current level */
} hs_curriculum;

typedef enum {
    HS_TASK_RETRIEVAL = 0, /* one forest of chains (DESIGN §1.1) */
    HS_TASK_CONDITIONAL,   /* `relations` forests over the same nodes; the query names one */
    HS_TASK_HOPK, /* Sanford, Hsu & Telgarsky's hop_k over a letter sequence (task_hopk.c) */
} hs_task_kind;

typedef struct hs_task_params {
    int hops;   /* D >= 1 */
    int chains; /* C >= 1 per relation; chain 0 (of the asked relation) is asked about */
    int vocab;  /* V: node ids are in [0, V); id V is the query marker (child side) */
    hs_curriculum curriculum;
    hs_task_kind kind;
    int relations;      /* R, 1..HS_TASK_MAX_RELATIONS; read only when kind is conditional */
    int train_examples; /* N: 0 = fresh examples every step; N >= 1 = a fixed training set of N
                         * (hs_trainset_* in task.h); the training set is the same for every
                         * curriculum, the evaluation set is disjoint from it */
    /* hopk only: `length` letters of an alphabet of `letters`, k uniform in min_hops..hops */
    int min_hops, letters, length;
} hs_task_params;

enum { HS_TASK_MAX_RELATIONS = 64 };

/* Largest N: task.train_examples is an int key. 2^31 - 1 examples is 8,000 times the paper's
 * 2^18, and more than 2^31 distinct examples is more than a job at 10^8 steps of batch 16 can
 * visit even once: it is then a fresh-example job. */
enum { HS_TRAINSET_MAX = 2147483647 };

/* Refuses impossible parameters (HS_EINPUT) with a one-line message naming the key, its value
 * and what would work. Sizes are capped at 1,000,000 positions and node ids. */
hs_status hs_task_check(const hs_task_params *p, hs_err *err);
/* R*chains*hops + 1 (hopk: length + 1); saturates at INT_MAX for parameters hs_task_check would refuse. */
int hs_task_seq_len(const hs_task_params *p);
/* R: the relation count of a conditional task, 1 for plain retrieval. */
int hs_task_relations(const hs_task_params *p);
/* Smallest vocab the parameters need (mixed/explicit need one more node for the filler chain;
 * hopk: the letters, "does not exist", blank and the hops+1 k tokens).
 * Saturates at INT_MAX like hs_task_seq_len. */
int hs_task_min_vocab(const hs_task_params *p);

/* ---- The other sections' enums ---- */

/* linear: decay from the peak after warm-up to 0 at train.steps (the peer's schedule) */
typedef enum { HS_SCHEDULE_CONSTANT = 0, HS_SCHEDULE_COSINE, HS_SCHEDULE_LINEAR } hs_schedule;
/* model.positions: learned adds a trained row per position to the input embedding (emb.pos) */
typedef enum { HS_POSITIONS_NONE = 0, HS_POSITIONS_LEARNED } hs_positions;
/* model.readout: identity makes the final LayerNorm's output the logits (no out.w, out.b) */
typedef enum { HS_READOUT_LINEAR = 0, HS_READOUT_IDENTITY } hs_readout;
typedef enum { HS_ATTENTION_BIDIRECTIONAL = 0, HS_ATTENTION_CAUSAL } hs_attention;
typedef enum { HS_DTYPE_F32 = 0, HS_DTYPE_F16, HS_DTYPE_U8 } hs_dtype;
/* train.precision. bf16: matrix-product inputs in bfloat16 with f32 accumulation and output;
 * everything else (master weights, moments, LayerNorm statistics, softmax and loss) stays f32. */
typedef enum { HS_PRECISION_FP32 = 0, HS_PRECISION_BF16 } hs_precision;

typedef struct hs_config {
    hs_task_params task; /* task.{hops, chains, vocab, curriculum, kind, relations} */
    struct {
        int layers, heads, d_model;
        int mlp;        /* hidden width as a multiple of d_model; 0 = attention-only */
        bool layernorm; /* false drops every LayerNorm, the final one included */
        hs_attention attention;
        hs_positions positions;
        double dropout; /* training only: embeddings, attention weights, residual branches */
        hs_readout readout;
    } model;
    struct {
        int steps, batch;
        double lr;
        int warmup;
        hs_schedule schedule;
        double weight_decay, clip; /* clip: max global grad norm, 0 = off */
        uint64_t seed;
        int eval_every, eval_examples;
        double early_stop; /* stop once every hop accuracy stays >= this; 0 = off */
        hs_precision precision;
    } train;
    struct {
        int attention_every, probe_examples;
        hs_dtype attention_dtype;
        bool checkpoint;
    } log;
    struct {
        double tau_acc, tau_head;
        int patience;
    } emergence;
} hs_config;

typedef enum { HS_KEY_INT, HS_KEY_U64, HS_KEY_FLOAT, HS_KEY_BOOL, HS_KEY_ENUM } hs_key_kind;

/* At most this many keys (readers keep one slot per key). */
enum { HS_CONFIG_MAX_KEYS = 64 };

/* Every key at its default (the defaults of DESIGN §3). */
void hs_config_default(hs_config *c);

/* Sets one key from its text form, checking type and range; on failure c is unchanged and err
 * holds one line naming the key, the bad value and what is allowed (HS_EINPUT).
 * Text forms: integers in decimal (optional sign, nothing else: "4.5", "4x", " 4", "" and
 * overflow are refused); train.seed the same without a sign; floats as strtod reads them, but
 * finite and without leading space; booleans true|false, yes|no, on|off, 1|0 in any case;
 * enums by their exact lowercase name. An unknown key suggests the closest one. */
hs_status hs_config_set(hs_config *c, const char *key, const char *value, hs_err *err);
/* Applies one "key=value" command-line argument (split at the first '='). */
hs_status hs_config_override(hs_config *c, const char *arg, hs_err *err);
/* Cross-key checks: task sizes (hs_task_check), heads divides d_model, log.probe_examples <= train.eval_examples, attention logging has examples to log, and
 * no single activation tensor exceeds 2^31-1 values. Warmup beyond steps is allowed. */
hs_status hs_config_validate(const hs_config *c, hs_err *err);

/* The key table, sorted by name: lets writers (JSON record, canonical id) walk every key. */
size_t hs_config_key_count(void);
const char *hs_config_key_name(size_t i);
hs_key_kind hs_config_key_kind(size_t i);
/* Short text of key i's allowed values ("1..64", "constant|cosine"), as messages show it. */
const char *hs_config_key_allowed(size_t i);
/* Index of a key by name, -1 if there is no such key. */
int hs_config_key_index(const char *name);
/* Canonical text of key i's value: integers in decimal, floats with the fewest significant
 * digits that read back exactly, plain from 1e-4 up to 1e17 and with an exponent outside
 * (0.001, 10, 1000000, 1e-05; "-0" gives 0), booleans true/false, enums by name. Every form
 * is also valid JSON. Cut to fit n. */
void hs_config_format(const hs_config *c, size_t i, char *buf, size_t n);

/* True when name is a section: some key is "name.<something>" ("model"). */
bool hs_config_is_section(const char *name);
/* Fails (HS_EINPUT) with the message for a name that is not a key: a section given as if it
 * were a key lists its keys; otherwise the closest key or section, or the list of sections. */
hs_status hs_config_unknown_key(const char *name, hs_err *err);

/* ---- The config's text forms. Every writer and reader of a config as text is here (config.c,
 * config_text.c), and each form reads back into the same config, key for key. ---- */

/* Canonical "key=value\n" lines, one per key in table order, values in hs_config_format's text:
 * the coordinator's wire form, and with HS_CONFIG_LINES_ID the id hash's input (which leaves out
 * the keys marked in config.c to enter the id only away from their default: task.kind,
 * task.relations, task.train_examples, train.precision and every later key). Writes at most cap bytes, NUL-terminated
 * when cap > 0, and returns the length of the whole text, as snprintf does; the text always fits
 * HS_CONFIG_LINES_MAX bytes. */
enum { HS_CONFIG_LINES_ID = 1, HS_CONFIG_LINES_MAX = 8192 };
size_t hs_config_write_lines(const hs_config *c, unsigned flags, char *buf, size_t cap);
/* Applies such lines (each one a key=value override, the last one may lack its newline) on top
 * of c; on failure c is unchanged. Does not validate. */
hs_status hs_config_read_lines(hs_config *c, const char *text, hs_err *err);

/* Stable 16-hex-digit job id: FNV-1a 64 over hs_config_write_lines(c, HS_CONFIG_LINES_ID). Adding
 * a key to the table changes every id, unless the key is marked in config.c to enter the id only
 * away from its default. */
void hs_config_id(const hs_config *c, char out[17]);

/* YAML: one "<indent>key: value\n" line per key (dotted keys, canonical values), as a sweep's
 * base: in the store's sweep.yaml; hs_config_apply_yaml reads it back. Returns false when f
 * reports a write error. */
bool hs_config_write_yaml(const hs_config *c, const char *indent, FILE *f);

/* JSON: the whole config as nested objects, {"emergence": {"patience": 3, ...}, "log": {...},
 * ...}: enums as strings, every other value as a bare JSON number or true/false. The record's
 * "config". (struct hs_json is json.h's writer.) */
struct hs_json;
void hs_config_json(struct hs_json *j, const hs_config *c);

/* Reading a config from a libyaml document: one walker over the key table serves the YAML job
 * file, a sweep's base: and the record's JSON "config". Sections nest (model: {layers: 2}) or
 * keys are dotted at any level (model.layers: 2).
 *   HS_CONFIG_READ_YAML  a job file or base: (strict): every key known (an unknown one suggests
 *                        the closest), set once, to a single value; an empty section or value
 *                        sets nothing; messages start with path:line:column.
 *   HS_CONFIG_READ_JSON  a record's config as hs_config_json writes it (strict): every key known,
 *                        sections are objects, enums strings and other values not.
 *   HS_CONFIG_READ_JSON_TOLERANT  a record read by the analysis, perhaps from a newer hopsweep:
 *                        unknown keys are passed to `unknown` and skipped, a null value keeps the
 *                        default.
 * JSON messages are one short line without a position (the caller names the record). */
typedef enum {
    HS_CONFIG_READ_YAML = 0,
    HS_CONFIG_READ_JSON,
    HS_CONFIG_READ_JSON_TOLERANT,
} hs_config_read_mode;

typedef struct hs_config_reader {
    hs_config_read_mode mode;
    const char *path;                             /* YAML: the file, for messages */
    void (*unknown)(const char *key, void *user); /* JSON_TOLERANT: an unknown key; may be NULL */
    void *user;
} hs_config_reader;

/* The libyaml types are declared, not included, so that users of this header need not see
 * <yaml.h>. */
struct yaml_document_s;
struct yaml_node_s;
/* Applies the keys of map (a mapping node of doc) on top of c; on failure c is unchanged. In
 * YAML mode a plain empty value (`base:` with nothing under it) sets nothing. Refuses duplicate
 * keys, lists and unknown keys as described above. Does not validate. */
hs_status hs_config_read_node(hs_config *c, struct yaml_document_s *doc,
                              const struct yaml_node_s *map, const hs_config_reader *r,
                              hs_err *err);
/* hs_config_read_node in YAML mode: a sweep's base:, path naming the file in messages. */
hs_status hs_config_apply_yaml(hs_config *c, const char *path, struct yaml_document_s *doc,
                               const struct yaml_node_s *map, hs_err *err);
/* Applies every key of a YAML job file on top of c; on failure c is unchanged. An empty file
 * sets nothing. Refuses more than one document and non-UTF-8 text besides what
 * hs_config_read_node refuses; every message starts with path:line:column (1-based). A missing
 * or unreadable file is HS_EIO. Does not validate. */
hs_status hs_config_load_yaml(hs_config *c, const char *path, hs_err *err);

/* Names of enum values, as keys take them ("implicit", "conditional", "f16"); "?" out of range.
 * Defined once, in the key table. */
const char *hs_curriculum_name(hs_curriculum c);
const char *hs_dtype_name(hs_dtype d);

#endif
