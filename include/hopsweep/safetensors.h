/* safetensors.h — reading and writing safetensors files (JSON header + little-endian tensors),
 * the format of DESIGN §3's checkpoints and of resume.bin, which numpy and PyTorch read.
 *
 * Layout: an 8-byte little-endian header length H, H bytes of JSON (padded with spaces to a
 * multiple of 8, so the data starts 8-byte aligned), then the tensors back to back. The header
 * maps each tensor name to {"dtype", "shape", "data_offsets": [begin, end]} (offsets into the
 * data), and "__metadata__" to an object of strings.
 *
 * Writes go to a stream (a file, or memory through open_memstream); callers that write a file
 * make it appear whole with hs_write_atomic. The reader trusts nothing: see hs_st_read. */
#ifndef HOPSWEEP_SAFETENSORS_H
#define HOPSWEEP_SAFETENSORS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <yaml.h>

#include "hopsweep/error.h"

typedef enum { HS_ST_F32, HS_ST_I32, HS_ST_U8 } hs_st_dtype;

typedef struct hs_st_entry {
    const char *name;
    hs_st_dtype dtype;
    int ndim; /* 0..3 */
    int64_t shape[3];
    const void *data;
} hs_st_entry;

/* One string of __metadata__. */
typedef struct hs_st_meta {
    const char *key, *value;
} hs_st_meta;

/* config_json: NULL or the text of a JSON value stored as the string __metadata__.config. */
hs_status hs_st_write(FILE *f, const hs_st_entry *entries, int n, const char *config_json,
                      hs_err *err);
/* The same with any strings as __metadata__, in this order (none when n_meta is 0). */
hs_status hs_st_write_meta(FILE *f, const hs_st_entry *entries, int n, const hs_st_meta *meta,
                           int n_meta, hs_err *err);

/* Bytes of one entry's data: its element size times its shape. */
size_t hs_st_entry_bytes(const hs_st_entry *e);

enum { HS_ST_MAX_ENTRIES = 64, HS_ST_MAX_HEADER = 1 << 20 };

/* A file read back: entries and metadata point into the caller's bytes and into doc. */
typedef struct hs_st_file {
    int n;
    hs_st_entry entries[HS_ST_MAX_ENTRIES];
    int n_meta;
    hs_st_meta meta[HS_ST_MAX_ENTRIES];
    const char *header; /* the header's JSON text inside the bytes, and its length */
    size_t header_len;
    yaml_document_t doc;
    int has_doc;
} hs_st_file;

/* Reads bytes[0..n) strictly (HS_EINPUT with one line on any failure, f then needs no free): a
 * header length that fits the file, a multiple of 8 and at most HS_ST_MAX_HEADER; a header that
 * is one JSON object; at most HS_ST_MAX_ENTRIES tensors, each with a unique name, a dtype F32,
 * I32 or U8, a shape of at most 3 non-negative dimensions and offsets that hold exactly that
 * shape; tensors that tile the data without gap or overlap up to the end of the file, each
 * aligned to its element size; a __metadata__ of strings only. bytes must be 4-byte aligned
 * (malloc's are) for the entries' data to be read as their types. `what` names the file in
 * messages. */
hs_status hs_st_read(hs_st_file *f, const void *bytes, size_t n, const char *what, hs_err *err);
void hs_st_file_free(hs_st_file *f);
/* The entry or metadata string of that name, NULL when there is none. */
const hs_st_entry *hs_st_find(const hs_st_file *f, const char *name);
const char *hs_st_meta_get(const hs_st_file *f, const char *key);

#endif
