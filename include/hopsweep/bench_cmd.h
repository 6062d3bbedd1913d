/* bench_cmd.h — `hopsweep bench`: time the training step of the reference models (bench.h). */
#ifndef HOPSWEEP_BENCH_CMD_H
#define HOPSWEEP_BENCH_CMD_H

int hs_cmd_bench(int argc, char **argv);

#endif
