/* array.h — growing a heap array by doubling, for the readers that collect an unknown number of
 * rows (the analysis of a store, prompt scoring). */
#ifndef HOPSWEEP_ARRAY_H
#define HOPSWEEP_ARRAY_H

#include <stdbool.h>
#include <stddef.h>

/* Makes *p (capacity *cap elements of size bytes) hold at least need elements, doubling from
 * 16; false (and *p unchanged) when out of memory or when the size would overflow. */
bool hs_grow(void **p, size_t *cap, size_t need, size_t size);

#endif
