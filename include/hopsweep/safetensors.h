/* safetensors.h — reading and writing safetensors files (JSON header + little-endian tensors),
 * the checkpoint format of DESIGN §3 that numpy and PyTorch read.
 *
 * Writes go to a stream (a file, or memory through open_memstream); callers that write a file
 * make it appear whole with hs_write_atomic. */
#ifndef HOPSWEEP_SAFETENSORS_H
#define HOPSWEEP_SAFETENSORS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hopsweep/error.h"

typedef enum { HS_ST_F32, HS_ST_I32 } hs_st_dtype;

typedef struct hs_st_entry {
    const char *name;
    hs_st_dtype dtype;
    int ndim;
    int64_t shape[3];
    const void *data;
} hs_st_entry;

/* metadata_json: NULL or the text of a JSON value stored as the string __metadata__.config. */
hs_status hs_st_write(FILE *f, const hs_st_entry *entries, int n, const char *config_json,
                      hs_err *err);

#endif
