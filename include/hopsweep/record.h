/* record.h — the job record of DESIGN §3 (one line of runs.jsonl, `hopsweep train --json`):
 * writing it, and checking one read back before anything believes it. */
#ifndef HOPSWEEP_RECORD_H
#define HOPSWEEP_RECORD_H

#include <stdbool.h>
#include <stddef.h>

#include "hopsweep/config.h"
#include "hopsweep/error.h"
#include "hopsweep/json.h"
#include "hopsweep/jsonline.h"

struct hs_train_result; /* train.h: what hs_record_json writes */

/* What became of a job: the "status" of its record. The store and the analysis also say
 * HS_RUN_NONE for an id without a record; no record carries it. The values are the record's
 * order and travel between ranks as numbers (coord.c) and to progress.h (0 done, 1 failed,
 * 2 interrupted). */
typedef enum {
    HS_RUN_DONE = 0,
    HS_RUN_FAILED,
    HS_RUN_INTERRUPTED,
    HS_RUN_NONE, /* no record */
} hs_run_status;

/* "done", "failed", "interrupted", "none": the words of the record and of every command. */
const char *hs_run_status_name(hs_run_status s);
/* The status a record names (done, failed or interrupted; n bytes of name, not 0-terminated
 * necessarily); false for anything else, "none" included. */
bool hs_run_status_parse(const char *name, size_t n, hs_run_status *out);

typedef struct hs_record_meta {
    const char *sweep; /* sweep name, or NULL for a lone `hopsweep train` */
    const char *host;
    int rank;
    const char *metrics; /* paths relative to the store (or the --out directory); NULL = none */
    const char *attention;
    const char *model;
    /* the files' sizes in bytes, written as "sizes" so a rerun can tell a damaged file (a
     * power cut beyond what fsync promises, a disk error) from the one the job wrote; -1 = no
     * such file. All 0 (a record built without them) writes no "sizes". */
    long long sizes[3];
} hs_record_meta;

/* Writes the record as one JSON object. A failed job keeps its config, status and error. */
void hs_record_json(hs_json *j, const hs_config *cfg, const struct hs_train_result *res,
                    const hs_record_meta *meta);

/* ---------------------------------------------------------------------------------------------
 * Reading records back. Two readers share the parsing below: the store's (hs_record_check_line,
 * strict: every field, of its JSON type, files only under jobs/<id>/) decides what counts as
 * finished; the analysis's (hs_record_parse, tolerant: a field an older writer lacks is "no
 * data") takes what it measures. Both load the line as strict JSON (jsonline.h) and both refuse
 * a record whose "id" is not hs_config_id of its "config" (reliability finding F11: a copy of a
 * record with another config under the same id would otherwise replace the real result). */

/* A head role as found in records: "L2:-3", "L1:self", ...; parsed so roles sort by layer, then
 * offset from -D to +D, then self, other, query (then anything unrecognised, by name). */
typedef struct hs_role {
    char *name;
    int layer; /* from 1; INT32_MAX when the name is not L<l>:... */
    int kind;  /* 0 offset, 1 self, 2 other, 3 query, 4 unrecognised */
    int delta; /* the offset, for kind 0 */
} hs_role;

/* Fills layer, kind and delta of r from r->name. */
void hs_role_parse(hs_role *r);
/* <0, 0, >0 as a sorts before, with or after b (the order above). */
int hs_role_cmp(const hs_role *a, const hs_role *b);

/* One record as read back, as much of it as the analysis, status and report use. */
typedef struct hs_run_record {
    char id[17];
    hs_run_status status;
    size_t line;      /* line of runs.jsonl it came from (1-based) */
    hs_config config; /* defaults, then the record's config */
    int steps;        /* steps trained, -1 when absent */
    double query_acc; /* final.query_acc; NaN when absent or null */
    double loss;      /* final.loss; NaN when absent, null or not a number (only shown) */
    int n_hop_acc;    /* entries of final.hop_acc (hops+1 in a complete record, 0 = absent) */
    float *hop_acc;   /* NaN where null (not measured) */
    int n_k_error;    /* entries of final.k_error (hopk: hops+1; 0 = absent) */
    float *k_error;   /* hopk's error per k on fresh sequences; NaN where null */
    int n_hop_steps;  /* entries of emergence.hop_steps (0 = absent) */
    int *hop_steps;   /* -1 = never */
    bool has_heads;   /* emergence.order is present: head emergence was measured */
    int n_emerged;
    int *emerged;      /* role indices (hs_record_reader.role) in emergence order, each once */
    int *emerged_step; /* the step of each, -1 when emergence.heads does not give it */
    char *metrics;     /* files.metrics, relative to the store; NULL when absent */
    char *attention;   /* files.attention, relative to the store; NULL when absent */
    /* For the report and `status` (no statistic uses them): NULL or NaN when absent. */
    char *error, *host, *engine; /* engine: the matmul engine and ISA, when the writer names it */
    char *build_version, *build_commit; /* build.{version, commit}: absent in older records */
    double wall_s;
} hs_run_record;

void hs_run_record_free(hs_run_record *run);

typedef enum { HS_RECORD_OK = 0, HS_RECORD_BAD, HS_RECORD_NOMEM } hs_record_result;

/* What the tolerant reader asks of its caller. */
typedef struct hs_record_reader {
    /* The index of a role name (the caller's table, hs_run_record.emerged); -1: no memory. */
    int (*role)(void *user, const char *name, size_t len);
    /* A config key this build does not know (named in the caller's notice); may be NULL. */
    void (*unknown_key)(void *user, const char *key);
    /* The roles interned so far, to match emergence.heads against emergence.order. */
    const hs_role *(*roles)(void *user);
    void *user;
} hs_record_reader;

/* Parses one line (without its newline) as a record for the analysis: strict JSON, an object
 * with an "id" of 16 lowercase hex digits, a "status" done|failed|interrupted, a "config"
 * object applied over the defaults with hs_config_set (keys a record lacks keep their default;
 * unknown keys are told to rd->unknown_key) and valid as a whole (hs_config_validate), then
 * the id checked against hs_config_id of that config: a record with an unknown key, or any
 * other mismatch, is refused, since what it measured cannot be known. Fields a record lacks
 * are "no data"; present ones must have their type, and may claim no more than the config
 * allows (hop labels <= task.hops+1, roles and heads <= layers x heads, role layers <= layers).
 * *run is filled (free it with hs_run_record_free whatever the result); on HS_RECORD_BAD, why
 * says what is wrong. */
hs_record_result hs_record_parse(const char *line, size_t len, const hs_record_reader *rd,
                                 hs_run_record *run, char *why, size_t why_len);

/* Checks one line (without its newline) as the store counts records: strict JSON holding a
 * whole record (below) whose `files` paths are its own jobs/<id>/<name> or null. Gives its id,
 * status and the sizes its optional "sizes" {metrics, attention, model} gives (-1 where it
 * gives none: records written before it, or no such file); on HS_RECORD_BAD, *why (in why_buf or constant) says what is wrong. */
hs_record_result hs_record_check_line(const char *line, size_t len, char id[17],
                                      hs_run_status *status, long long sizes[3], char *why_buf,
                                      size_t why_len, const char **why);

/* What hs_record_check_line asks of the object: an "id" of 16 lowercase hex digits equal to
 * hs_config_id of its "config" (every key known to this build, each value valid, the whole
 * config valid), a "status" done|failed|interrupted, and every field the analysis reads with
 * its JSON type: steps; final {loss, query_acc, hop_acc}; emergence {hop_steps, heads [{layer,
 * head, role, score, step}], order}; files {metrics, attention, model}; and sweep, error, host,
 * rank, wall_s when present. Every record hs_record_json ever wrote passes. */

/* ---------------------------------------------------------------------------------------------
 * runs.jsonl, line by line: the one loop the store and the analysis read it with. */

/* What a scan met. */
typedef struct hs_runs_scan_info {
    size_t lines;         /* lines fn accepted */
    size_t skipped;       /* lines fn refused */
    size_t first_skipped; /* line number of the first refused (1-based), 0 when none */
    char first_why[512];  /* why fn refused it */
    size_t complete;      /* bytes of complete lines: the rest is a partial last line */
} hs_runs_scan_info;

/* Called with each complete line that is not blank, spaces, tabs and a CR around it trimmed
 * (hand-indented lines, CRLF ends), and its 1-based line number. HS_RECORD_BAD counts the line
 * as skipped (the first one's why is kept); HS_RECORD_NOMEM stops the scan. */
typedef hs_record_result (*hs_runs_line_fn)(const char *line, size_t len, size_t lineno, void *user,
                                            char *why, size_t why_len);

/* Calls fn on every record line of text; a last line without its newline (an append in
 * progress, or one a crash cut short) is not read, and info->complete says where it starts.
 * HS_ENOMEM (naming path and the line) when fn ran out of memory. */
hs_status hs_runs_scan(const char *text, size_t len, const char *path, hs_runs_line_fn fn,
                       void *user, hs_runs_scan_info *info, hs_err *err);

#endif
