/* task_hopk.c — the hop_k task of Sanford, Hsu & Telgarsky (peers/hopk.md, task.h): one example
 * of `length` letters without immediate repeats, its k token, its hop_k targets, and the chain id
 * and chain index of every position for the head probes. */
#include <stdlib.h>
#include <string.h>

#include "hopsweep/task.h"

int hs_hopk_none_token(const hs_task_params *p) { return p->letters; }
int hs_hopk_blank_token(const hs_task_params *p) { return p->letters + 1; }
int hs_hopk_k_token(const hs_task_params *p, int k) { return p->letters + 2 + k; }

void hs_hopk_example(const hs_task_params *p, hs_rng *rng, int k, int ex, hs_batch *b)
{
    const int L = p->letters, n = p->length, T = b->T;
    if (T != n + 1 || b->vocab < hs_task_min_vocab(p) || k < p->min_hops || k > p->hops || ex < 0 ||
        ex >= b->B)
        abort(); /* a broken precondition of hs_task_sample; never write out of bounds */
    const size_t o = (size_t)ex * T;
    int32_t *tok = b->parent + o, *target = b->target + o, *chain = b->chain + o,
            *index = b->index + o;
    /* scratch (vocab + 2T entries) holds find() of every letter position, then the last
     * occurrence of every letter; the letters themselves are tok[1..n]. */
    int32_t *find = b->scratch, *last = b->scratch + n;
    if ((size_t)n + (size_t)L > (size_t)b->vocab + 2 * (size_t)T) abort();
    for (int c = 0; c < L; c++) last[c] = -1;
    int roots = 0;
    for (int i = 0; i < n; i++) {
        int x = i == 0 ? (int)hs_rng_below(rng, (uint32_t)L)
                       : (tok[i] + 1 + (int)hs_rng_below(rng, (uint32_t)(L - 1))) % L;
        tok[i + 1] = x;
        find[i] = last[x] < 0 ? -1 : last[x] + 1;
        last[x] = i;
        /* position i+1 of the input holds letter i; its chain is that of find(i) */
        if (find[i] < 0) {
            chain[i + 1] = roots++;
            index[i + 1] = 1;
        } else {
            chain[i + 1] = chain[find[i] + 1];
            index[i + 1] = index[find[i] + 1] + 1;
        }
    }
    tok[0] = hs_hopk_k_token(p, k);
    chain[0] = L;
    index[0] = 0;
    target[0] = hs_hopk_blank_token(p);
    for (int i = 0; i < n; i++) {
        /* find^k(i) exists exactly when i sits at least k steps down its chain */
        int j = i;
        if (index[i + 1] - 1 < k) {
            target[i + 1] = hs_hopk_none_token(p);
            continue;
        }
        for (int s = 0; s < k; s++) j = find[j];
        target[i + 1] = tok[j + 1];
    }
    for (int t = 0; t < T; t++) {
        b->child[o + t] = b->vocab;
        b->rel[o + t] = 0;
        b->hop[o + t] = k;
        b->supervised[o + t] = 1;
        b->scored[o + t] = target[t] < L;
    }
    b->query_hops[ex] = k;
    b->ordered = 1;
}
