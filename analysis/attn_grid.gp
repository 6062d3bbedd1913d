# attn_grid.gp — draws the attention maps of one logged step as a grid, layers as rows and heads
# as columns, for `hopsweep attn LOG --format png|svg`. hopsweep writes one matrix file per head
# into a temporary directory and runs
#
#   gnuplot -e "dir='D'; out='D/out.png'; fmt='png'; T=17; layers='1 2'; heads='0 1'; \
#               bounds='4.5 8.5 12.5'; labels='c0i1 c0i2 ...'; title='...'" attn_grid.gp
#
# D/L<l>H<h>.dat: head h of layer l (layers from 1, heads from 0, as in head roles and the job
# record) as T rows of T weights, row = attending position, in the order the axes show.
# bounds: where a new chain starts along the axes (empty in input order), drawn as thin lines;
# labels: the position labels c<chain>i<index>, shown as tic labels on a single small map.
# Weight 0 is white and 1 dark blue, on one fixed scale so that maps compare across heads.

nl = words(layers)
nh = words(heads)
tile = (nl * nh == 1) ? 560 : 300
W = nh * tile + 40
H = nl * tile + 60 + (nl * nh == 1 ? 0 : 20)
if (fmt eq 'svg') {
    set terminal svg size W, H noenhanced font 'sans,10' background '#ffffff'
} else {
    set terminal pngcairo size W, H noenhanced font 'sans,9' background '#ffffff'
}
set output out

set palette defined (0 '#ffffff', 0.25 '#9ecae1', 0.6 '#3182bd', 1 '#08306b')
set cbrange [0:1]
set xrange [-0.5 : T - 0.5]
set yrange [T - 0.5 : -0.5]  # the first position at the top, as a matrix reads
set size ratio -1
set tics scale 0
set border lw 0.5

single = (nl * nh == 1)
if (single && T <= 48) {
    set xtics rotate by 90 right font ',7'
    set ytics font ',7'
    set xtics ()
    set ytics ()
    do for [k = 1:T] {
        set xtics add (word(labels, k) k - 1)
        set ytics add (word(labels, k) k - 1)
    }
    set xlabel 'attended position'
    set ylabel 'attending position'
} else {
    unset xtics
    unset ytics
}
if (!single) { unset colorbox }

set multiplot layout nl, nh title title
do for [i = 1:nl] {
    do for [j = 1:nh] {
        l = word(layers, i)
        h = word(heads, j)
        set title sprintf('layer %s, head %s', l, h)
        unset arrow
        do for [b in bounds] {
            set arrow from first b + 0, graph 0 to first b + 0, graph 1 nohead lc rgb '#bbbbbb' lw 0.5 front
            set arrow from graph 0, first b + 0 to graph 1, first b + 0 nohead lc rgb '#bbbbbb' lw 0.5 front
        }
        plot sprintf('%s/L%sH%s.dat', dir, l, h) matrix with image notitle
    }
}
unset multiplot
unset output
