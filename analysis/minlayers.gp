# minlayers.gp — the minimum number of layers that solves each hops value, one series per
# curriculum, over the theory's staircase ceil(log3(2D+1)) (DESIGN §1). A triangle above the
# largest tested depth marks hops that no tested depth solved.
#
# Data (written by `hopsweep analyze --plots DIR`): block 0 is the theory, layers from hops
# x - 0.5 on (so that `with steps` rises between whole hops); each further block is one curriculum, opened by its title: hops, t_min (NaN unless found), and
# the largest tested depth + 0.3 where none solved (NaN otherwise).
# usage: gnuplot -e "datafile='DIR/minlayers.dat'; outfile='DIR/minlayers'" minlayers.gp
# writes outfile.png and outfile.svg.

if (!exists("datafile")) datafile = 'minlayers.dat'
if (!exists("outfile")) outfile = 'minlayers'

stats datafile index 0 using 1 nooutput
max_hops = STATS_max - 0.5
stats datafile using 1 nooutput
blocks = STATS_blocks
# a small sideways shift per series keeps coinciding points apart
shift(i) = blocks > 2 ? (i - blocks / 2.0) * 0.08 : 0

set xlabel 'hops D'
set ylabel 'layers'
set xrange [0.5 : max_hops + 0.5]
set yrange [0.5 : *]
set offsets 0, 0, 0.6, 0
set ytics 1
set xtics max_hops > 25 ? 5 : 1
set grid ytics
set key outside right top
set datafile missing 'NaN'

set terminal pngcairo size 1000,600 noenhanced
set output outfile.'.png'
plot datafile index 0 using 1:2 with steps lw 2 lc rgb '#888888' title 'theory ceil(log3(2D+1))', \
     for [i=1:blocks-1] datafile index i using ($1 + shift(i)):2 with linespoints pt 7 ps 1.3 lw 1.5 lc i title columnheader(1), \
     for [i=1:blocks-1] datafile index i using ($1 + shift(i)):3 with points pt 9 ps 1.6 lc i notitle, \
     NaN with points pt 9 ps 1.6 lc rgb 'black' title 'no tested depth solves'
set terminal svg size 1000,600 dynamic noenhanced
set output outfile.'.svg'
replot
unset output
