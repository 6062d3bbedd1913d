/* rng.c — xoshiro256** with splitmix64 seeding, and the few distributions hopsweep draws from.
 *
 * Everything here is integer arithmetic plus log/cos/sqrt in double, so a stream gives the same
 * values on every machine and C library. */
#include "hopsweep/rng.h"

#include <math.h>

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

/* The splitmix64 finaliser: a bijection on 64 bits that spreads every input bit everywhere. */
static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static uint64_t splitmix64_next(uint64_t *x)
{
    *x += 0x9e3779b97f4a7c15u;
    return mix64(*x);
}

void hs_rng_seed(hs_rng *r, uint64_t seed, uint64_t stream)
{
    /* Hash the stream before combining it with the seed. Seeding splitmix64 with seed + stream*γ
     * instead would make stream s+1 the same sequence as stream s shifted by one word. */
    uint64_t x = mix64(seed ^ mix64(stream + 0x632be59bd9b4e019u));
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64_next(&x);
    /* Four outputs of a bijection at four distinct inputs are never all zero, the one state
     * xoshiro cannot leave. */
}

uint64_t hs_rng_next(hs_rng *r)
{
    uint64_t *s = r->s;
    const uint64_t result = rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Lemire, "Fast random integer generation in an interval" (2019): multiply instead of divide,
 * and reject the 2^32 mod n low products that would otherwise make some results likelier. */
uint32_t hs_rng_below(hs_rng *r, uint32_t n)
{
    if (n == 0) /* outside the contract; avoids the division by zero below */
        return 0;
    uint64_t m = (hs_rng_next(r) >> 32) * (uint64_t)n;
    uint32_t low = (uint32_t)m;
    if (low < n) {
        const uint32_t threshold = (uint32_t)(-n) % n; /* = 2^32 mod n */
        while (low < threshold) {
            m = (hs_rng_next(r) >> 32) * (uint64_t)n;
            low = (uint32_t)m;
        }
    }
    return (uint32_t)(m >> 32);
}

float hs_rng_uniform(hs_rng *r)
{
    /* 24 bits fill a float's significand exactly, so the result is never rounded up to 1. */
    return (float)(hs_rng_next(r) >> 40) * 0x1.0p-24f;
}

float hs_rng_normal(hs_rng *r)
{
    /* 1 - u lies in (0, 1], so the log is finite. The second Box–Muller value is dropped to
     * keep hs_rng's state the four xoshiro words and nothing else. */
    const double u1 = 1.0 - (double)hs_rng_uniform(r);
    const double u2 = (double)hs_rng_uniform(r);
    const double two_pi = 6.283185307179586476925286766559;
    return (float)(sqrt(-2.0 * log(u1)) * cos(two_pi * u2));
}
