# cluster.sh — sourced by the Slurm tests: starts a private single-node Slurm (munged,
# slurmctld, slurmd) with its configuration in a temporary directory, and stops every daemon it
# started, by pid, when the test exits however it exits.
#
# After `cluster_start DIR`: SLURM_CONF points at the generated slurm.conf, so sbatch, squeue,
# scontrol and srun talk to this cluster only. Needs root (SlurmUser=root), Debian's slurm-wlm
# and munge; `cluster_available || exit 77` skips a test without them. Partitions: test (the
# default) and batch, both on this one node.

cluster_dir=""
cluster_pids=""
# the daemons live in /usr/sbin, which a test's PATH may lack
PATH="$PATH:/usr/sbin:/sbin"
export PATH

# True when this machine can run the test cluster; otherwise says why on stdout.
cluster_available() {
    if [ "$(id -u)" -ne 0 ]; then
        echo "skipped: the test cluster runs its daemons as root"
        return 1
    fi
    for prog in munged slurmctld slurmd sbatch srun squeue scontrol scancel sinfo; do
        if ! command -v "$prog" >/dev/null 2>&1; then
            echo "skipped: $prog is not installed (Debian: slurm-wlm, munge)"
            return 1
        fi
    done
    return 0
}

# True while pid $1 is one of this cluster's daemons: alive (not a zombie: pid 1 of a container
# may never reap them) and started with a path inside the cluster directory, so a recycled pid is
# never taken for ours.
cluster_ours() {
    [ -r "/proc/$1/cmdline" ] || return 1
    state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
    [ -n "$state" ] && [ "$state" != Z ] || return 1
    tr '\0' ' ' <"/proc/$1/cmdline" | grep -qF "$cluster_dir"
}

cluster_stop() {
    [ -n "$cluster_dir" ] || return 0
    # jobs first, while slurmctld can still cancel them: their processes belong to no daemon.
    # KILL before cancelling: a cancel's TERM ends the batch shell at once, and what it started
    # is then orphaned, out of sight of proctrack/linuxproc, and never gets the KILL after it.
    if [ -f "$cluster_dir/slurmctld.pid" ] && cluster_ours "$(cat "$cluster_dir/slurmctld.pid")"; then
        scancel --quiet --full --signal=KILL --user=root 2>/dev/null
        scancel --quiet --user=root 2>/dev/null
        i=0
        while [ $i -lt 40 ] && squeue -h 2>/dev/null | grep -q .; do
            i=$((i + 1))
            sleep 0.25
        done
    fi
    for pidfile in "$cluster_dir/slurmd.pid" "$cluster_dir/slurmctld.pid" "$cluster_dir/munged.pid"; do
        [ -f "$pidfile" ] && cluster_pids="$cluster_pids $(cat "$pidfile" 2>/dev/null)"
    done
    for pid in $cluster_pids; do cluster_ours "$pid" && kill "$pid" 2>/dev/null; done
    # slurmd can take a few seconds to finish after its last job
    i=0
    while [ $i -lt 40 ]; do
        left=""
        for pid in $cluster_pids; do cluster_ours "$pid" && left="$left $pid"; done
        [ -n "$left" ] || break
        i=$((i + 1))
        sleep 0.25
    done
    for pid in $cluster_pids; do cluster_ours "$pid" && kill -9 "$pid" 2>/dev/null; done
    cluster_pids=""
    return 0
}

cluster_start() {
    cluster_dir=$1
    mkdir -p "$cluster_dir/state" "$cluster_dir/spool" "$cluster_dir/munge"
    chmod 700 "$cluster_dir/munge"
    host=$(hostname -s)
    cpus=$(nproc)
    mem=$(awk '/MemTotal/ {print int($2 / 1024 / 2)}' /proc/meminfo)
    # free ports for slurmctld and slurmd
    base=$(( 20000 + $$ % 20000 ))
    dd if=/dev/urandom of="$cluster_dir/munge/munge.key" bs=1024 count=1 2>/dev/null
    chmod 400 "$cluster_dir/munge/munge.key"
    cat >"$cluster_dir/slurm.conf" <<CONF
ClusterName=hopsweeptest
SlurmctldHost=$host
SlurmUser=root
SlurmctldPort=$base
SlurmdPort=$((base + 1))
AuthType=auth/munge
AuthInfo=socket=$cluster_dir/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$cluster_dir/state
SlurmdSpoolDir=$cluster_dir/spool
SlurmctldPidFile=$cluster_dir/slurmctld.pid
SlurmdPidFile=$cluster_dir/slurmd.pid
SlurmctldLogFile=$cluster_dir/slurmctld.log
SlurmdLogFile=$cluster_dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
JobRequeue=1
SlurmctldTimeout=30
SlurmdTimeout=30
KillWait=5
MinJobAge=300
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
PartitionName=batch Nodes=$host Default=NO MaxTime=INFINITE State=UP OverSubscribe=NO
CONF
    export SLURM_CONF="$cluster_dir/slurm.conf"
    munged --force --key-file="$cluster_dir/munge/munge.key" --socket="$cluster_dir/munge/munge.socket" \
        --pid-file="$cluster_dir/munged.pid" --log-file="$cluster_dir/munged.log" \
        --seed-file="$cluster_dir/munge/seed" || return 1
    cluster_pids="$(cat "$cluster_dir/munged.pid")"
    slurmctld -c -f "$SLURM_CONF" || return 1
    slurmd -f "$SLURM_CONF" || return 1
    i=0
    until sinfo -h -o %T 2>/dev/null | grep -q idle; do
        i=$((i + 1))
        if [ $i -gt 60 ]; then
            echo "the test cluster did not come up; logs in $cluster_dir:"
            tail -5 "$cluster_dir/slurmctld.log" "$cluster_dir/slurmd.log" 2>/dev/null
            return 1
        fi
        sleep 0.5
    done
    # the daemons remove their pid files when they stop: remember the pids now
    cluster_pids="$cluster_pids $(cat "$cluster_dir/slurmctld.pid") $(cat "$cluster_dir/slurmd.pid")"
}

# Waits until Slurm job $1 has left the queue (completed, failed, cancelled); at most $2 seconds.
cluster_wait_job() {
    i=0
    while squeue -h -j "$1" 2>/dev/null | grep -q .; do
        i=$((i + 1))
        [ $i -lt $(($2 * 4)) ] || { echo "job $1 still queued after $2 s"; return 1; }
        sleep 0.25
    done
}

# Waits until no process of a step of Slurm job $1 is left on this node (slurmstepd names its
# processes "slurmstepd: [JOB.STEP]"); at most $2 seconds. A requeued job whose step starts
# while the old one is still being torn down fails to launch it; Slurm's own two-minute hold on
# requeued jobs avoids that, and a test that releases the job sooner must wait for this.
cluster_wait_steps_gone() {
    i=0
    while cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\0' '\n' | grep -q "^slurmstepd: \[$1\."; do
        i=$((i + 1))
        [ $i -lt $(($2 * 4)) ] || { echo "steps of job $1 still running after $2 s"; return 1; }
        sleep 0.25
    done
}

# The state of Slurm job $1 (PENDING, RUNNING, COMPLETED, FAILED ...; array task: JOB_TASK).
cluster_job_state() {
    scontrol show job "$1" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' | head -1
}

# Kills, by pid, every process still running with the test's own directory $1 in its command
# line: a job process that a cancel orphaned at the wrong moment (see cluster_stop) would
# otherwise finish its training job after the test, writing into a directory that is gone.
cluster_kill_strays() {
    for dir in /proc/[0-9]*; do
        pid=${dir#/proc/}
        [ "$pid" != "$$" ] || continue
        tr '\0' ' ' <"$dir/cmdline" 2>/dev/null | grep -qF "$1/" && kill -9 "$pid" 2>/dev/null
    done
    return 0
}

# The common start of a Slurm test: skips it (exit 77) without Slurm, makes $tmp (a physical
# path, removed at exit) and starts the cluster in $tmp/cluster; the cluster is stopped at exit
# however the test ends, also on INT, TERM or HUP, and so are the processes whose pids the test
# put in $cluster_test_pids (its own background commands).
cluster_test_pids=""
cluster_test_begin() {
    cluster_available || exit 77
    tmp=$(mktemp -d)
    tmp=$(cd "$tmp" && pwd -P)
    trap 'for p in $cluster_test_pids; do kill -9 "$p" 2>/dev/null; done; cluster_stop; cluster_kill_strays "$tmp"; rm -rf "$tmp"' EXIT
    trap 'exit 1' INT TERM HUP
    cluster_start "$tmp/cluster" || exit 1
}

# Prints "FAIL: $1" and the end of each further file named (logs), then exits 1.
cluster_fail() {
    echo "FAIL: $1"
    shift
    for f in "$@" "$cluster_dir/slurmctld.log"; do
        [ -f "$f" ] || continue
        echo "--- $f"
        tail -n 30 "$f"
    done
    exit 1
}
