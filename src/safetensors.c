/* safetensors.c — writing safetensors files: an 8-byte little-endian header length, a JSON
 * header (dtype, shape, data_offsets per tensor, __metadata__), then the raw tensors.
 * hopsweep only targets little-endian machines, so tensors are written as they lie in memory. */
#include "hopsweep/safetensors.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hopsweep/json.h"

static size_t entry_bytes(const hs_st_entry *e)
{
    size_t n = 4; /* F32 and I32 are both 4 bytes */
    for (int k = 0; k < e->ndim; k++) n *= (size_t)e->shape[k];
    return n;
}

static char *build_header(const hs_st_entry *entries, int n, const char *config_json)
{
    hs_json j;
    hs_json_init(&j);
    hs_json_object_begin(&j);
    if (config_json) {
        hs_json_key(&j, "__metadata__");
        hs_json_object_begin(&j);
        hs_json_key(&j, "config");
        hs_json_string(&j, config_json);
        hs_json_object_end(&j);
    }
    size_t offset = 0;
    for (int i = 0; i < n; i++) {
        const hs_st_entry *e = &entries[i];
        hs_json_key(&j, e->name);
        hs_json_object_begin(&j);
        hs_json_key(&j, "dtype");
        hs_json_string(&j, e->dtype == HS_ST_F32 ? "F32" : "I32");
        hs_json_key(&j, "shape");
        hs_json_array_begin(&j);
        for (int k = 0; k < e->ndim; k++) hs_json_int(&j, e->shape[k]);
        hs_json_array_end(&j);
        hs_json_key(&j, "data_offsets");
        hs_json_array_begin(&j);
        hs_json_uint(&j, offset);
        offset += entry_bytes(e);
        hs_json_uint(&j, offset);
        hs_json_array_end(&j);
        hs_json_object_end(&j);
    }
    hs_json_object_end(&j);
    return hs_json_take(&j);
}

hs_status hs_st_write(FILE *f, const hs_st_entry *entries, int n, const char *config_json,
                      hs_err *err)
{
    char *header = build_header(entries, n, config_json);
    if (!header) return hs_fail(err, HS_ENOMEM, "out of memory building a safetensors header");
    /* The format asks for the data to start 8-byte aligned: pad the header with spaces. */
    size_t hlen = strlen(header), padded = (hlen + 7) & ~(size_t)7;
    unsigned char len8[8];
    for (int k = 0; k < 8; k++) len8[k] = (unsigned char)((uint64_t)padded >> (8 * k));
    int bad = fwrite(len8, 1, 8, f) != 8 || fwrite(header, 1, hlen, f) != hlen ||
              fwrite("        ", 1, padded - hlen, f) != padded - hlen;
    for (int i = 0; i < n && !bad; i++) {
        size_t bytes = entry_bytes(&entries[i]);
        bad = fwrite(entries[i].data, 1, bytes, f) != bytes;
    }
    free(header);
    return bad ? hs_fail(err, HS_EIO, "cannot write safetensors data: %s", strerror(errno)) : HS_OK;
}
