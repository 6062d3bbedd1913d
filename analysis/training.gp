# training.gp — one run's accuracy per hop label over training, with a marker where each hop
# emerged and the steps at which its attention heads emerged.
#
# Data (written by `hopsweep analyze --plots DIR`): one block per hop label k, opened by its
# title: step, accuracy, and the accuracy again at the step where hop k emerged (NaN
# elsewhere); the last block, titled "heads": step and role of each head's emergence.
# usage: gnuplot -e "datafile='DIR/training.dat'; outfile='DIR/training'; title='...'; tau=0.9" training.gp
# writes outfile.png and outfile.svg.

if (!exists("datafile")) datafile = 'training.dat'
if (!exists("outfile")) outfile = 'training'
if (!exists("title")) title = 'accuracy per hop label'
if (!exists("tau")) tau = 0.9

stats datafile using 1 nooutput
blocks = STATS_blocks
hops = blocks - 1

set title title
set xlabel 'training step'
set ylabel 'accuracy'
set yrange [0 : 1.12]
set ytics 0, 0.2, 1
set grid
set key outside right top
set offsets 0, graph 0.02, 0, 0
set datafile missing 'NaN'
set arrow from graph 0, first tau to graph 1, first tau nohead dt 2 lc rgb '#888888'

set terminal pngcairo size 1000,600 noenhanced
set output outfile.'.png'
plot for [k=0:hops-1] datafile index k using 1:2 with lines lw 1.5 lc k+1 title columnheader(1), \
     for [k=0:hops-1] datafile index k using 1:3 with points pt 7 ps 1.4 lc k+1 notitle, \
     datafile index hops using 1:(1.0):(0):(0.1) with vectors nohead dt 3 lc rgb 'black' notitle, \
     datafile index hops using 1:(1.1):2 with labels rotate by 90 right font ',8' notitle, \
     NaN with points pt 7 ps 1.4 lc rgb 'black' title 'hop emerged', \
     NaN with lines dt 3 lc rgb 'black' title 'head emerged'
set terminal svg size 1000,600 dynamic noenhanced
set output outfile.'.svg'
replot
unset output
