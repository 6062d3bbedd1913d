/* rng.h — the small deterministic PRNG behind every random choice (xoshiro256**).
 *
 * One train.seed drives several independent streams (data, init, eval, probe): each stream is
 * seeded from (seed, stream) through splitmix64, so adding draws to one stream never shifts
 * another. Not rand(): results must not depend on the C library. */
#ifndef HOPSWEEP_RNG_H
#define HOPSWEEP_RNG_H

#include <stdint.h>

enum {
    HS_STREAM_DATA = 1,
    HS_STREAM_INIT = 2,
    HS_STREAM_EVAL = 3,
    HS_STREAM_PROBE = 4,
    HS_STREAM_PER_K = 5, /* hopk: the final evaluation per k */
};
/* The dropout masks of training step s come from stream HS_STREAM_DROPOUT + s: a step's masks
 * follow from the step alone, so a resumed job draws the same ones without saved state. */
#define HS_STREAM_DROPOUT (UINT64_C(1) << 61)

typedef struct hs_rng {
    uint64_t s[4];
} hs_rng;

void hs_rng_seed(hs_rng *r, uint64_t seed, uint64_t stream);
uint64_t hs_rng_next(hs_rng *r);
/* Uniform integer in [0, n), unbiased; n >= 1 (n == 0 returns 0). */
uint32_t hs_rng_below(hs_rng *r, uint32_t n);
/* Uniform float in [0, 1): the top 24 bits of one draw. */
float hs_rng_uniform(hs_rng *r);
/* Standard normal (Box–Muller, two uniforms per value; |result| < 5.8). */
float hs_rng_normal(hs_rng *r);

#endif
