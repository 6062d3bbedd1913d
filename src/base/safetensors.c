/* safetensors.c — writing and strictly reading safetensors files: an 8-byte little-endian
 * header length, a JSON header (dtype, shape, data_offsets per tensor, __metadata__), then the
 * raw tensors. hopsweep only targets little-endian machines, so tensors are written as they
 * lie in memory. */
#include "hopsweep/safetensors.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hopsweep/json.h"
#include "hopsweep/jsonline.h"

static const char *const DTYPE_NAMES[] = {"F32", "I32", "U8"};
static const size_t DTYPE_SIZES[] = {4, 4, 1};

size_t hs_st_entry_bytes(const hs_st_entry *e)
{
    size_t n = DTYPE_SIZES[e->dtype];
    for (int k = 0; k < e->ndim; k++) n *= (size_t)e->shape[k];
    return n;
}

static char *build_header(const hs_st_entry *entries, int n, const hs_st_meta *meta, int n_meta)
{
    hs_json j;
    hs_json_init(&j);
    hs_json_object_begin(&j);
    if (n_meta) {
        hs_json_key(&j, "__metadata__");
        hs_json_object_begin(&j);
        for (int i = 0; i < n_meta; i++) {
            hs_json_key(&j, meta[i].key);
            hs_json_string(&j, meta[i].value);
        }
        hs_json_object_end(&j);
    }
    size_t offset = 0;
    for (int i = 0; i < n; i++) {
        const hs_st_entry *e = &entries[i];
        hs_json_key(&j, e->name);
        hs_json_object_begin(&j);
        hs_json_key(&j, "dtype");
        hs_json_string(&j, DTYPE_NAMES[e->dtype]);
        hs_json_key(&j, "shape");
        hs_json_array_begin(&j);
        for (int k = 0; k < e->ndim; k++) hs_json_int(&j, e->shape[k]);
        hs_json_array_end(&j);
        hs_json_key(&j, "data_offsets");
        hs_json_array_begin(&j);
        hs_json_uint(&j, offset);
        offset += hs_st_entry_bytes(e);
        hs_json_uint(&j, offset);
        hs_json_array_end(&j);
        hs_json_object_end(&j);
    }
    hs_json_object_end(&j);
    return hs_json_take(&j);
}

hs_status hs_st_write_meta(FILE *f, const hs_st_entry *entries, int n, const hs_st_meta *meta,
                           int n_meta, hs_err *err)
{
    char *header = build_header(entries, n, meta, n_meta);
    if (!header) return hs_fail(err, HS_ENOMEM, "out of memory building a safetensors header");
    /* The format asks for the data to start 8-byte aligned: pad the header with spaces. */
    size_t hlen = strlen(header), padded = (hlen + 7) & ~(size_t)7;
    unsigned char len8[8];
    for (int k = 0; k < 8; k++) len8[k] = (unsigned char)((uint64_t)padded >> (8 * k));
    int bad = fwrite(len8, 1, 8, f) != 8 || fwrite(header, 1, hlen, f) != hlen ||
              fwrite("        ", 1, padded - hlen, f) != padded - hlen;
    for (int i = 0; i < n && !bad; i++) {
        size_t bytes = hs_st_entry_bytes(&entries[i]);
        bad = bytes && fwrite(entries[i].data, 1, bytes, f) != bytes;
    }
    free(header);
    return bad ? hs_fail(err, HS_EIO, "cannot write safetensors data: %s", strerror(errno)) : HS_OK;
}

hs_status hs_st_write(FILE *f, const hs_st_entry *entries, int n, const char *config_json,
                      hs_err *err)
{
    hs_st_meta m = {"config", config_json};
    return hs_st_write_meta(f, entries, n, &m, config_json ? 1 : 0, err);
}

/* ---- reading ---- */

/* A JSON number written as plain decimal digits (no sign, fraction or exponent), <= max. */
static int parse_count(const yaml_node_t *node, uint64_t max, uint64_t *v)
{
    const char *s = hs_jl_scalar_text(node);
    if (!s || hs_jl_is_string(node) || !*s || strlen(s) > 19) return -1;
    uint64_t x = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9') return -1;
        x = x * 10 + (uint64_t)(*p - '0');
    }
    if (x > max) return -1;
    *v = x;
    return 0;
}

typedef struct {
    uint64_t begin, end;
    int index;
} span;

static int by_begin(const void *a, const void *b)
{
    const span *x = a, *y = b;
    return (x->begin > y->begin) - (x->begin < y->begin);
}

static hs_status read_entry(hs_st_file *f, const yaml_node_t *val, const char *name,
                            uint64_t data_len, span *sp, const char *what, hs_err *err)
{
    yaml_document_t *d = &f->doc;
#define BAD(...) hs_fail(err, HS_EINPUT, "%s: tensor \"%.64s\" " __VA_ARGS__)
    if (!val || val->type != YAML_MAPPING_NODE ||
        val->data.mapping.pairs.top - val->data.mapping.pairs.start != 3)
        return BAD("is not {dtype, shape, data_offsets}", what, name);
    const yaml_node_t *dt = hs_jl_map_get(d, val, "dtype"), *shape = hs_jl_map_get(d, val, "shape"),
                      *offs = hs_jl_map_get(d, val, "data_offsets");
    if (!dt || !shape || !offs) return BAD("is not {dtype, shape, data_offsets}", what, name);
    hs_st_entry *e = &f->entries[f->n];
    int k = 0;
    while (k < 3 && !(hs_jl_is_string(dt) && hs_jl_scalar_is(dt, DTYPE_NAMES[k]))) k++;
    if (k == 3) return BAD("has a dtype other than F32, I32 and U8", what, name);
    e->dtype = (hs_st_dtype)k;
    size_t nd = hs_jl_seq_len(shape);
    if (shape->type != YAML_SEQUENCE_NODE || nd > 3)
        return BAD("has a shape of more than 3 dimensions", what, name);
    uint64_t count = 1;
    for (size_t i = 0; i < nd; i++) {
        uint64_t v;
        if (parse_count(hs_jl_seq_at(d, shape, i), data_len, &v))
            return BAD("has a bad shape", what, name);
        e->shape[i] = (int64_t)v;
        count = v && count > data_len / v ? data_len + 1 : count * v; /* saturates: no wrap */
    }
    e->ndim = (int)nd;
    if (offs->type != YAML_SEQUENCE_NODE || hs_jl_seq_len(offs) != 2 ||
        parse_count(hs_jl_seq_at(d, offs, 0), data_len, &sp->begin) ||
        parse_count(hs_jl_seq_at(d, offs, 1), data_len, &sp->end) || sp->begin > sp->end)
        return BAD("has data_offsets outside the file's data", what, name);
    size_t es = DTYPE_SIZES[e->dtype];
    if (count > data_len || sp->end - sp->begin != count * es)
        return BAD("has data_offsets that do not hold its shape", what, name);
    if (sp->begin % es) return BAD("is not aligned to its element size", what, name);
#undef BAD
    e->name = name;
    sp->index = f->n++;
    return HS_OK;
}

/* Names and metadata are quoted in one-line messages, and no writer puts a control character
 * in them; a header that does (through JSON's escapes) is refused before anything prints it. */
static bool has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f) return true;
    return false;
}

hs_status hs_st_read(hs_st_file *f, const void *bytes, size_t n, const char *what, hs_err *err)
{
    memset(f, 0, sizeof *f);
    const unsigned char *b = bytes;
    if (n < 8)
        return hs_fail(err, HS_EINPUT, "%s: %zu bytes is too short for a safetensors file", what,
                       n);
    uint64_t hlen = 0;
    for (int k = 0; k < 8; k++) hlen |= (uint64_t)b[k] << (8 * k);
    if (hlen > n - 8 || hlen > HS_ST_MAX_HEADER || hlen % 8 || hlen < 2)
        return hs_fail(err, HS_EINPUT,
                       "%s: not a safetensors file (header length %llu in %zu bytes)", what,
                       (unsigned long long)hlen, n);
    const char *h = (const char *)b + 8;
    size_t len = (size_t)hlen;
    while (len && h[len - 1] == ' ') len--; /* the padding */
    const char *why = NULL;
    hs_jl_status js = hs_jl_load_object(h, len, &f->doc, &why);
    if (js == HS_JL_NOMEM)
        return hs_fail(err, HS_ENOMEM, "%s: out of memory reading its header", what);
    if (js != HS_JL_OK)
        return hs_fail(err, HS_EINPUT, "%s: its safetensors header is not one JSON object (%s)",
                       what, why ? why : "blank");
    f->has_doc = 1;
    f->header = h;
    f->header_len = len;
    uint64_t data_len = n - 8 - hlen;
    yaml_node_t *root = yaml_document_get_root_node(&f->doc);
    span spans[HS_ST_MAX_ENTRIES];
    hs_status st = HS_OK;
    bool seen_meta = false;
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start;
         !st && p < root->data.mapping.pairs.top; p++) {
        const yaml_node_t *key = yaml_document_get_node(&f->doc, p->key);
        const yaml_node_t *val = yaml_document_get_node(&f->doc, p->value);
        const char *name = hs_jl_scalar_text(key);
        if (!name) {
            st = hs_fail(err, HS_EINPUT, "%s: a header key is not a string", what);
        } else if (has_control(name)) {
            st = hs_fail(err, HS_EINPUT, "%s: a tensor name holds a control character", what);
        } else if (!strcmp(name, "__metadata__")) {
            if (seen_meta || !val || val->type != YAML_MAPPING_NODE) {
                st = hs_fail(err, HS_EINPUT, "%s: __metadata__ is not one object", what);
                break;
            }
            seen_meta = true;
            for (yaml_node_pair_t *q = val->data.mapping.pairs.start;
                 q < val->data.mapping.pairs.top; q++) {
                const yaml_node_t *mk = yaml_document_get_node(&f->doc, q->key);
                const yaml_node_t *mv = yaml_document_get_node(&f->doc, q->value);
                if (f->n_meta == HS_ST_MAX_ENTRIES || !hs_jl_is_string(mv) ||
                    !hs_jl_scalar_text(mk)) {
                    st = hs_fail(err, HS_EINPUT,
                                 "%s: __metadata__ holds more than %d strings or a value "
                                 "that is not a string",
                                 what, HS_ST_MAX_ENTRIES);
                    break;
                }
                const char *k = hs_jl_scalar_text(mk);
                const char *v = hs_jl_scalar_text(mv);
                if (!v || has_control(k) || has_control(v)) {
                    st =
                        hs_fail(err, HS_EINPUT,
                                "%s: a __metadata__ name or value holds a control character", what);
                    break;
                }
                if (hs_st_meta_get(f, k)) {
                    st = hs_fail(err, HS_EINPUT, "%s: __metadata__ names \"%.64s\" twice", what, k);
                    break;
                }
                f->meta[f->n_meta++] = (hs_st_meta){k, v};
            }
        } else if (f->n == HS_ST_MAX_ENTRIES) {
            st = hs_fail(err, HS_EINPUT, "%s: more than %d tensors", what, HS_ST_MAX_ENTRIES);
        } else if (hs_st_find(f, name)) {
            st = hs_fail(err, HS_EINPUT, "%s: tensor \"%.64s\" appears twice", what, name);
        } else {
            st = read_entry(f, val, name, data_len, &spans[f->n], what, err);
        }
    }
    /* the tensors tile the data exactly: sorted by offset, each begins where the last ended */
    if (!st) {
        qsort(spans, (size_t)f->n, sizeof *spans, by_begin);
        uint64_t at = 0;
        for (int i = 0; i < f->n && !st; i++) {
            if (spans[i].begin != at)
                st =
                    hs_fail(err, HS_EINPUT, "%s: tensor \"%.64s\" leaves a gap or overlaps another",
                            what, f->entries[spans[i].index].name);
            at = spans[i].end;
            f->entries[spans[i].index].data = (const char *)h + hlen + spans[i].begin;
        }
        if (!st && at != data_len)
            st = hs_fail(err, HS_EINPUT, "%s: %llu bytes after the last tensor", what,
                         (unsigned long long)(data_len - at));
    }
    if (st) hs_st_file_free(f);
    return st;
}

void hs_st_file_free(hs_st_file *f)
{
    if (f->has_doc) yaml_document_delete(&f->doc);
    memset(f, 0, sizeof *f);
}

const hs_st_entry *hs_st_find(const hs_st_file *f, const char *name)
{
    for (int i = 0; i < f->n; i++)
        if (!strcmp(f->entries[i].name, name)) return &f->entries[i];
    return NULL;
}

const char *hs_st_meta_get(const hs_st_file *f, const char *key)
{
    for (int i = 0; i < f->n_meta; i++)
        if (!strcmp(f->meta[i].key, key)) return f->meta[i].value;
    return NULL;
}
