/* prompts_cmd.h — `hopsweep prompts`: writes prompt sets (prompts.h) as JSONL, and hands
 * `hopsweep prompts score` to the scorer (prompts_score_cmd.h). */
#ifndef HOPSWEEP_PROMPTS_CMD_H
#define HOPSWEEP_PROMPTS_CMD_H

/* argv holds the arguments after "prompts". Returns the exit code: 0 ok, 2 bad input, 3 the
 * output could not be written or memory ran out. */
int hs_cmd_prompts(int argc, char **argv);

#endif
