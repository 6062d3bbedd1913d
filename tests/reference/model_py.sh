#!/bin/sh
# analysis/hopsweep_model.py against hopsweep itself (model_py_check.py does the comparing):
#   1. ref_dump's perturbed weights and batch: the same logits (relative 1e-4), for retrieval
#      and for hopk with learned positions, the identity readout and dropout;
#   2. a tiny model trained here with log.checkpoint and an f32 attention log: on the probe
#      examples (probe_batch, checked against the log's chain ids and indices) the attention of
#      the checkpoint equals the log's last frame (logged at the last step, with those weights);
#   3. ablating the head the probes classified L1:-1 lowers the query accuracy;
#   4. bad input (not safetensors, an unknown curriculum) is one line and exit 2.
# usage: model_py.sh HOPSWEEP REF_DUMP PROBE_BATCH ANALYSIS_DIR
set -eu
hs=$1 ref_dump=$2 probe_batch=$3 analysis=$4
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cfg="task.hops=2 task.chains=2 task.vocab=16 model.layers=2 model.heads=2 model.d_model=32
model.mlp=2 train.steps=1500 train.batch=32 train.lr=0.003 train.eval_every=100
log.attention_every=500 log.attention_dtype=f32 log.checkpoint=true log.probe_examples=4"
# shellcheck disable=SC2086
"$ref_dump" "$tmp/ref" task.hops=3 task.chains=2 task.vocab=16 model.layers=2 model.heads=2 \
    model.d_model=32 model.mlp=4 train.batch=4 train.seed=1 >/dev/null
"$ref_dump" "$tmp/ref_hopk" task.kind=hopk task.hops=3 task.length=12 task.vocab=12 \
    model.layers=2 model.heads=2 model.d_model=32 model.attention=causal model.positions=learned \
    model.readout=identity model.dropout=0.1 train.batch=4 train.seed=1 >/dev/null
# shellcheck disable=SC2086
"$hs" train $cfg --out "$tmp/job" --quiet >/dev/null
# shellcheck disable=SC2086
"$probe_batch" "$tmp/job/probe.safetensors" $cfg
/usr/bin/python3 "$here/model_py_check.py" "$analysis" "$tmp"
