/* prompts_score_cmd.h — `hopsweep prompts score`: scores a harness's answers to a prompt set
 * (prompts_score.h) and prints the accuracy per (formulation, hops) as text, JSON or CSV. */
#ifndef HOPSWEEP_PROMPTS_SCORE_CMD_H
#define HOPSWEEP_PROMPTS_SCORE_CMD_H

/* argv holds the arguments after "score" (argv[0] is the prompt set). Returns the exit code:
 * 0 ok (malformed answer lines are reported on stderr, not fatal), 2 bad input (usage, a
 * missing, unreadable or malformed prompt set, a missing answer file), 3 out of memory or
 * standard output could not be written. */
int hs_cmd_prompts_score(int argc, char **argv);

#endif
