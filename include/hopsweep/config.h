/* config.h — a training job's configuration: every key of DESIGN §3, its default, type and
 * allowed range, read from a YAML file and from `key=value` overrides.
 *
 * Keys are dotted paths (task.hops, model.layers, ...). A YAML job file is a mapping of sections
 * to mappings (task: {hops: 4}); dotted keys at the top level are accepted too. Errors name the
 * file, line and column, the key, the bad value and what is allowed. */
#ifndef HOPSWEEP_CONFIG_H
#define HOPSWEEP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hopsweep/error.h"
#include "hopsweep/task.h"

typedef enum { HS_SCHEDULE_CONSTANT = 0, HS_SCHEDULE_COSINE } hs_schedule;
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
/* Applies every key of a YAML job file on top of c; on failure c is unchanged. Sections nest
 * (model: {layers: 2}) or keys are dotted at any level (model.layers: 2); an empty section
 * (`task:` with nothing under it) and an empty file set nothing. Refuses duplicate keys, lists,
 * unknown keys, more than one document and non-UTF-8 text; every message starts with
 * path:line:column (1-based). A missing or unreadable file is HS_EIO. Does not validate. */
hs_status hs_config_load_yaml(hs_config *c, const char *path, hs_err *err);
/* Applies one mapping node of an already-loaded libyaml document (a sweep's base:) the way
 * hs_config_load_yaml applies a job file's top level, with the same rules and messages (path
 * names the file in them); a plain empty value (`base:` with nothing under it) sets nothing.
 * On failure c is unchanged. Does not validate. The libyaml types are declared, not included,
 * so that users of this header need not see <yaml.h>. */
struct yaml_document_s;
struct yaml_node_s;
hs_status hs_config_apply_yaml(hs_config *c, const char *path, struct yaml_document_s *doc,
                               const struct yaml_node_s *map, hs_err *err);
/* Cross-key checks: task sizes (hs_task_check), heads divides
 * d_model, log.probe_examples <= train.eval_examples, attention logging has examples to log, and
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

/* Stable 16-hex-digit job id: FNV-1a 64 over "key=value\n" of every key in sorted order, values
 * in hs_config_format's text. Adding a key to the table changes every id, unless the key is
 * marked in config.c to enter the id only away from its default (task.kind, task.relations). */
void hs_config_id(const hs_config *c, char out[17]);

const char *hs_curriculum_name(hs_curriculum c);

#endif
