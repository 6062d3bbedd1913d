/* results.c — a result store's runs.jsonl read for the analysis (results.h): every
 * line through record.c's scanner and tolerant parser, the latest record of each id kept
 * behind an id index, role names interned in one table, and one notice line saying what was
 * ignored. Reads without the store's lock; never writes. */
#include "hopsweep/results.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hopsweep/array.h"
#include "hopsweep/fileio.h"
#include "hopsweep/store_layout.h"

static void append(char *buf, size_t n, const char *fmt, const char *s)
{
    size_t used = strlen(buf);
    if (used < n) snprintf(buf + used, n - used, fmt, s);
}

/* ---------------------------------------------------------------------------------------------
 * Roles */

/* Index of the role, added if new; -1 when out of memory. Role names are few (layers × bins),
 * so a linear search is enough. */
static int role_intern(void *user, const char *name, size_t len)
{
    hs_results *r = user;
    for (int i = 0; i < r->n_roles; i++)
        if (strlen(r->roles[i].name) == len && !memcmp(r->roles[i].name, name, len)) return i;
    size_t cap = (size_t)r->cap_roles;
    if (!hs_grow((void **)&r->roles, &cap, (size_t)r->n_roles + 1, sizeof *r->roles)) return -1;
    r->cap_roles = (int)cap;
    hs_role *role = &r->roles[r->n_roles];
    role->name = malloc(len + 1);
    if (!role->name) return -1;
    memcpy(role->name, name, len);
    role->name[len] = '\0';
    hs_role_parse(role);
    return r->n_roles++;
}

static const hs_role *roles_of(void *user) { return ((hs_results *)user)->roles; }

/* Remembers an unknown config key for the notice: the distinct names that fit are spelled
 * out, and unknown_more says there were others. */
static void note_unknown_key(void *user, const char *key)
{
    hs_results *r = user;
    size_t len = strlen(key);
    for (const char *p = r->unknown_names; *p;) { /* already noted? */
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n == len && !memcmp(p, key, len)) return;
        p = end ? end + 2 : p + n;
    }
    if (strlen(r->unknown_names) + len + 3 >= sizeof r->unknown_names) {
        r->unknown_more = true;
        return;
    }
    append(r->unknown_names, sizeof r->unknown_names, r->unknown_names[0] ? ", %s" : "%s", key);
}

/* ---------------------------------------------------------------------------------------------
 * Records: the id index */

static uint64_t id_value(const char *id)
{
    uint64_t v = 0;
    for (int i = 0; i < 16; i++)
        v = v << 4 | (uint64_t)(id[i] <= '9' ? id[i] - '0' : id[i] - 'a' + 10);
    return v;
}

static size_t id_slot(const hs_results *r, const char *id)
{
    /* Ids are FNV hashes already; one multiply spreads hand-made ones too. */
    uint64_t h = id_value(id) * UINT64_C(0x9e3779b97f4a7c15);
    size_t mask = r->n_slots - 1, i = (size_t)(h >> 20) & mask;
    while (r->slots[i] && strcmp(r->runs[r->slots[i] - 1].id, id)) i = (i + 1) & mask;
    return i;
}

long hs_results_find(const hs_results *r, const char *id)
{
    if (!r->n_slots || !id || strlen(id) != 16) return -1;
    size_t s = r->slots[id_slot(r, id)];
    return s ? (long)s - 1 : -1;
}

long hs_results_find_prefix(const hs_results *r, const char *prefix, long two[2])
{
    two[0] = two[1] = -1;
    long exact = hs_results_find(r, prefix);
    if (exact >= 0) return exact;
    size_t n = strlen(prefix);
    for (size_t i = 0; n && n < 16 && i < r->n; i++) {
        if (strncmp(r->runs[i].id, prefix, n)) continue;
        if (two[0] >= 0) {
            two[1] = (long)i;
            return -2;
        }
        two[0] = (long)i;
    }
    return two[0];
}

static bool index_grow(hs_results *r)
{
    if ((r->n + 1) * 2 <= r->n_slots) return true;
    size_t n = r->n_slots ? r->n_slots * 2 : 64;
    size_t *old = r->slots, old_n = r->n_slots;
    r->slots = calloc(n, sizeof *r->slots);
    if (!r->slots) {
        r->slots = old;
        return false;
    }
    r->n_slots = n;
    for (size_t i = 0; i < old_n; i++)
        if (old[i]) r->slots[id_slot(r, r->runs[old[i] - 1].id)] = old[i];
    free(old);
    return true;
}

void hs_results_init(hs_results *r) { memset(r, 0, sizeof *r); }

void hs_results_free(hs_results *r)
{
    for (size_t i = 0; i < r->n; i++) hs_run_record_free(&r->runs[i]);
    for (int i = 0; i < r->n_roles; i++) free(r->roles[i].name);
    free(r->runs);
    free(r->roles);
    free(r->slots);
    hs_results_init(r);
}

/* ---------------------------------------------------------------------------------------------
 * Reading lines */

/* Stores a parsed run: replaces the earlier record of its id, or appends. Takes ownership. */
static bool put_run(hs_results *r, hs_run_record *run)
{
    if (!index_grow(r) || !hs_grow((void **)&r->runs, &r->cap, r->n + 1, sizeof *r->runs))
        return false;
    size_t slot = id_slot(r, run->id);
    if (r->slots[slot]) {
        hs_run_record *old = &r->runs[r->slots[slot] - 1];
        hs_run_record_free(old);
        *old = *run;
    } else {
        r->runs[r->n++] = *run;
        r->slots[slot] = r->n;
    }
    return true;
}

/* One line: parsed (hs_record_parse) and kept, or refused with why. */
static hs_record_result take_line(const char *line, size_t len, size_t lineno, void *user,
                                  char *why, size_t why_len)
{
    hs_results *r = user;
    const hs_record_reader rd = {
        .role = role_intern, .unknown_key = note_unknown_key, .roles = roles_of, .user = r};
    hs_run_record run;
    hs_record_result lr = hs_record_parse(line, len, &rd, &run, why, why_len);
    run.line = lineno;
    if (lr == HS_RECORD_OK && !put_run(r, &run)) lr = HS_RECORD_NOMEM;
    if (lr != HS_RECORD_OK) hs_run_record_free(&run);
    return lr;
}

/* Adds what one scan met to the counts of the notice. */
static void add_counts(hs_results *r, const hs_runs_scan_info *in)
{
    r->lines += in->lines;
    if (in->skipped && !r->skipped) {
        r->first_skipped = in->first_skipped;
        snprintf(r->first_why, sizeof r->first_why, "%s", in->first_why);
    }
    r->skipped += in->skipped;
}

hs_status hs_results_add_line(hs_results *r, const char *line, size_t len, size_t lineno,
                              hs_err *err)
{
    size_t blank = 0;
    while (blank < len && strchr(" \t\r", line[blank])) blank++;
    if (blank == len) return HS_OK; /* tolerated, as the store itself does */
    char why[512];
    hs_record_result lr = take_line(line, len, lineno, r, why, sizeof why);
    if (lr == HS_RECORD_NOMEM)
        return hs_fail(err, HS_ENOMEM, "out of memory reading line %zu of the records", lineno);
    hs_runs_scan_info in = {
        .lines = lr == HS_RECORD_OK, .skipped = lr != HS_RECORD_OK, .first_skipped = lineno};
    snprintf(in.first_why, sizeof in.first_why, "%s", why);
    add_counts(r, &in);
    return HS_OK;
}

hs_status hs_results_add_text(hs_results *r, const char *text, size_t len, hs_err *err)
{
    hs_runs_scan_info in;
    hs_status st = hs_runs_scan(text, len, "the records", take_line, r, &in, err);
    if (st) return st;
    add_counts(r, &in);
    r->partial_bytes = len - in.complete;
    return HS_OK;
}

hs_status hs_results_load(hs_results *r, const char *dir, hs_err *err)
{
    hs_store_view v;
    hs_status st = hs_store_view_open(&v, dir, err);
    if (st) return st;
    st = hs_results_load_view(r, &v, err);
    hs_store_view_close(&v);
    return st;
}

hs_status hs_results_load_view(hs_results *r, const hs_store_view *v, hs_err *err)
{
    char *data = NULL;
    size_t size = 0;
    hs_status st = hs_store_view_read(v, HS_STORE_RUNS, HS_STORE_FILE_LIMIT, &data, &size, err);
    if (!st && !data)
        st = hs_fail(err, HS_EINPUT,
                     "%s has no runs.jsonl, so it is not a result store; give the output "
                     "directory of a sweep",
                     v->dir);
    if (!st) st = hs_results_add_text(r, data, size, err);
    free(data);
    return st;
}

void hs_results_notice(const hs_results *r, const char *path, char *buf, size_t n)
{
    buf[0] = '\0';
    char part[1200];
    if (r->partial_bytes) {
        snprintf(part, sizeof part,
                 "ignored a last line without its newline (%zu bytes; a record being written)",
                 r->partial_bytes);
        append(buf, n, "%s", part);
    }
    if (r->skipped) {
        snprintf(part, sizeof part, "skipped %zu unreadable line(s), the first at line %zu (%s)",
                 r->skipped, r->first_skipped, r->first_why);
        append(buf, n, buf[0] ? "; %s" : "%s", part);
    }
    if (r->unknown_names[0]) {
        snprintf(part, sizeof part,
                 "records with unknown config key(s) %s%s skipped (another hopsweep version?)",
                 r->unknown_names, r->unknown_more ? " and others" : "");
        append(buf, n, buf[0] ? "; %s" : "%s", part);
    }
    if (buf[0] && path) {
        char *copy = strdup(buf);
        if (copy) {
            snprintf(buf, n, "%s: %s", path, copy);
            free(copy);
        }
    }
}
