# manpage.cmake — writes hopsweep(1) from the binary's own help (cmake -P, at build time), so
# the man page says what `hopsweep --help` and `hopsweep <command> --help` say and cannot drift.
#   -DHOPSWEEP=<the built hopsweep> -DOUT=<hopsweep.1>
function(help_of out)
  execute_process(COMMAND "${HOPSWEEP}" ${ARGN} OUTPUT_VARIABLE text ERROR_VARIABLE text
    RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "hopsweep ${ARGN} exited ${rc}: the man page needs every command's --help")
  endif()
  # roff: a backslash is \e, and a line starting with . or ' would be a request
  string(REPLACE "\\" "\\e" text "${text}")
  string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" text "${text}")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

help_of(usage --help)
help_of(version --version)
string(REGEX MATCH "^hopsweep ([^\n]*)" _ "${version}")
set(version "${CMAKE_MATCH_1}")
# the commands are the indented names under "commands:" in the usage text
string(REGEX MATCHALL "\n  [a-z]+ " lines "${usage}")
set(page ".TH HOPSWEEP 1 \"\" \"hopsweep ${version}\" \"User Commands\"
.SH NAME
hopsweep \\- train small transformers on multi-hop retrieval, run sweeps of them, analyse the results
.SH SYNOPSIS
.B hopsweep
.I command
.RI [ options ]
.SH DESCRIPTION
.nf
${usage}.fi
.SH COMMANDS
")
foreach(line ${lines})
  string(STRIP "${line}" cmd)
  if(cmd STREQUAL "help")
    continue()
  endif()
  help_of(text ${cmd} --help)
  string(APPEND page ".SS ${cmd}\n.nf\n${text}.fi\n")
endforeach()
help_of(text prompts score --help) # the one command with a subcommand of its own
string(APPEND page ".SS \"prompts score\"\n.nf\n${text}.fi\n")
string(APPEND page ".SH FILES
.TP
.I <prefix>/share/hopsweep/analysis
the gnuplot scripts of
.B analyze \\-\\-plots
and
.BR attn ;
found relative to the hopsweep executable, then in the source tree it was built from, then in
.BR HOPSWEEP_ANALYSIS_DIR ,
never in the current directory
.TP
.I <prefix>/share/hopsweep/sweeps
ready sweeps (smoke.yaml, paper-*.yaml)
.TP
.I <prefix>/share/hopsweep/slurm
the batch-script template that
.B hopsweep slurm
renders (compiled into the binary as well)
.SH ENVIRONMENT
.TP
.B HOPSWEEP_ANALYSIS_DIR
where to find the gnuplot scripts when neither the installed tree nor the source tree holds them
.SH SEE ALSO
.BR mpirun (1),
.BR sbatch (1),
.BR gnuplot (1)
")
file(WRITE "${OUT}" "${page}")
