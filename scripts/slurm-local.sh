#!/usr/bin/env bash
# A real, one-node Slurm cluster on this machine, for tests of the code that submits work
# to a batch scheduler (job arrays, MPI launched by srun or mpirun). A fake sbatch cannot
# show how array tasks are scheduled, how exit codes come back, or whether MPI starts under
# Slurm's PMIx; a local slurmctld + slurmd can. It is up in under a second, installs nothing
# (the packages come from scripts/setup.sh), and keeps all Slurm files in DIR (munged uses
# its usual /run/munge, /etc/munge and /var/log/munge).
#
#   scripts/slurm-local.sh start DIR            start munged (if not running), slurmctld
#                                               and slurmd; config, state, logs and pid
#                                               files all live in DIR. Waits until the node
#                                               is idle, then prints on stdout:
#                                                   export SLURM_CONF=DIR/slurm.conf
#                                               so `eval "$(scripts/slurm-local.sh start D)"`
#                                               works. sbatch/srun/squeue/scontrol/scancel
#                                               need SLURM_CONF=DIR/slurm.conf.
#   scripts/slurm-local.sh stop DIR             cancel the cluster's jobs, shut it down,
#                                               kill leftovers by the pid files in DIR (and
#                                               munged only if start started it). Idempotent.
#   scripts/slurm-local.sh wait DIR JOB [SECS]  poll until JOB (every array task) has left
#                                               the queue, print "TASK STATE EXITCODE" per
#                                               task; exit 1 unless all are COMPLETED 0:0.
#                                               On timeout (default 600 s) scancel JOB, exit 124.
#
# Needs root (munged is started as the munge user via runuser; slurmd runs jobs as the
# submitting user). Slurm 22.05 (Debian bookworm). Ports default to 6817/6818; set
# SLURM_LOCAL_CTLD_PORT / SLURM_LOCAL_SLURMD_PORT before start to run a second cluster.
# MPI: `srun --mpi=pmix -n N prog`, or `mpirun -np N prog` inside `sbatch -n N`
# (as root mpirun also needs OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1).
# `sacct` does not work (accounting is off); finished jobs stay visible to
# `scontrol show job` for MinJobAge (set to 3600 s below).
set -euo pipefail

me="slurm-local.sh"
die() { echo "$me: $*" >&2; exit 1; }
usage() {
    echo "usage: scripts/slurm-local.sh start DIR | stop DIR | wait DIR JOBID [TIMEOUT_SECONDS]" >&2
    exit 64
}

munge_dir=/run/munge
munge_socket=$munge_dir/munge.socket.2
munge_pidfile=$munge_dir/munged.pid

# proc_is PID EXE: PID is a live process running EXE (not a zombie, not a reused pid).
proc_is() {
    local exe
    [ -n "$1" ] && [ -d "/proc/$1" ] || return 1
    exe=$(readlink "/proc/$1/exe" 2>/dev/null) || return 1 # unreadable once it has exited
    exe=${exe##*/}
    exe=${exe% (deleted)}
    # Debian installs the daemons as slurmctld-wlm/slurmd-wlm behind alternatives symlinks.
    [ "$exe" = "$2" ] || [ "$exe" = "$2-wlm" ]
}

# pid_of PIDFILE EXE: print the pid in PIDFILE if that process is alive and runs EXE.
pid_of() {
    local pid
    [ -s "$1" ] || return 1
    pid=$(tr -dc '0-9' <"$1")
    proc_is "$pid" "$2" && echo "$pid"
}

pid_alive() { pid_of "$1" "$2" >/dev/null; }

# wait_gone PID EXE SECONDS: wait for PID to exit; after SECONDS send SIGTERM, after
# twice SECONDS SIGKILL. Returns when it has gone.
wait_gone() {
    local pid=$1 exe=$2 secs=$3 i
    for ((i = 0; i < secs * 30; i++)); do
        proc_is "$pid" "$exe" || return 0
        if [ "$i" -eq $((secs * 10)) ]; then
            kill -TERM "$pid" 2>/dev/null || true
        elif [ "$i" -eq $((secs * 20)) ]; then
            echo "$me: $exe ($pid) ignored SIGTERM; sending SIGKILL" >&2
            kill -KILL "$pid" 2>/dev/null || true
        fi
        sleep 0.1
    done
    echo "$me: $exe ($pid) is still running" >&2
    return 1
}

munge_ok() { [ -S "$munge_socket" ] && munge -n 2>/dev/null | unmunge >/dev/null 2>&1; }

# show_logs [FILE...]: the tails of FILEs (default: the Slurm logs in DIR) on stderr.
show_logs() {
    local f
    [ $# -gt 0 ] || set -- "$dir/log/slurmctld.log" "$dir/log/slurmd.log"
    for f in "$@"; do
        [ -s "$f" ] || continue
        echo "--- tail of $f" >&2
        tail -n 20 "$f" >&2
    done
}

cmd_stop() {
    local conf=$dir/slurm.conf jobs i ctld slurmd munged rc=0
    # The pids first: the daemons remove their pid files while shutting down.
    ctld=$(pid_of "$dir/slurmctld.pid" slurmctld) || ctld=""
    slurmd=$(pid_of "$dir/slurmd.pid" slurmd) || slurmd=""
    munged=""
    if [ -f "$dir/munged.started" ]; then
        munged=$(pid_of "$dir/munged.started" munged) || munged=""
    fi
    if [ -f "$conf" ] && [ -n "$ctld" ]; then
        export SLURM_CONF=$conf
        # Cancel what is left so no slurmstepd or job process outlives the cluster.
        jobs=$(timeout 10 squeue -h -o %A 2>/dev/null | sort -u | tr '\n' ' ') || jobs=""
        if [ -n "${jobs// /}" ]; then
            # shellcheck disable=SC2086
            timeout 10 scancel $jobs 2>/dev/null || true
            for ((i = 0; i < 100; i++)); do
                [ -z "$(timeout 5 squeue -h 2>/dev/null)" ] && break
                sleep 0.1
            done
        fi
        timeout 10 scontrol shutdown >/dev/null 2>&1 || true
    elif [ -n "$slurmd" ]; then
        kill -TERM "$slurmd" 2>/dev/null || true
    fi
    [ -z "$slurmd" ] || wait_gone "$slurmd" slurmd 5 || rc=1
    [ -z "$ctld" ] || wait_gone "$ctld" slurmctld 5 || rc=1
    # Only the munged this script started (its pid was recorded at start).
    if [ -n "$munged" ]; then
        kill -TERM "$munged" 2>/dev/null || true
        wait_gone "$munged" munged 5 || rc=1
    fi
    [ "$rc" -eq 0 ] || die "could not stop every daemon of $dir"
    rm -f "$dir/slurmctld.pid" "$dir/slurmd.pid" "$dir/munged.started"
}

start_munge() {
    local i
    if munge_ok; then return 0; fi
    if [ -S "$munge_socket" ] && pid_alive "$munge_pidfile" munged; then
        die "munged is running (pid file $munge_pidfile) but 'munge -n | unmunge' fails"
    fi
    [ "$(id -u)" -eq 0 ] || die "munged is not running and starting it needs root"
    id munge >/dev/null 2>&1 || die "no 'munge' user; run scripts/setup.sh"
    mkdir -p "$munge_dir"
    chown munge:munge "$munge_dir"
    chmod 0755 "$munge_dir"
    if [ ! -e /etc/munge/munge.key ]; then
        runuser -u munge -- /usr/sbin/mungekey --create >/dev/null ||
            die "mungekey --create failed"
    fi
    # munged leaves a stale socket behind when killed hard; it refuses to start over it.
    if [ -S "$munge_socket" ] && ! pid_alive "$munge_pidfile" munged; then
        rm -f "$munge_socket" "$munge_socket.lock"
    fi
    runuser -u munge -- /usr/sbin/munged ||
        { show_logs /var/log/munge/munged.log; die "munged failed to start"; }
    for ((i = 0; i < 100; i++)); do
        munge_ok && break
        sleep 0.1
    done
    munge_ok || { show_logs /var/log/munge/munged.log; die "munged started but 'munge -n | unmunge' fails"; }
    cp "$munge_pidfile" "$dir/munged.started"
}

write_conf() {
    local host=$1 cpus mem
    cpus=${SLURM_LOCAL_CPUS:-$(nproc)}
    # Slurm drains a node whose RealMemory exceeds what slurmd finds, so stay under it.
    mem=$(awk '/^MemTotal:/ { printf "%d", $2 / 1024 * 0.9 }' /proc/meminfo)
    cat >"$dir/slurm.conf" <<EOF
# Written by scripts/slurm-local.sh start; a one-node test cluster, all state in $dir.
ClusterName=kilnlocal
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=${SLURM_LOCAL_CTLD_PORT:-6817}
SlurmdPort=${SLURM_LOCAL_SLURMD_PORT:-6818}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/affinity
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MailProg=/bin/true
MpiDefault=none
ReturnToService=2
# Start array tasks as soon as resources free up instead of every few seconds.
SchedulerParameters=batch_sched_delay=0,sched_min_interval=100000,bf_interval=1
# Keep finished jobs in scontrol's view for an hour ('wait' reads their state from it).
MinJobAge=3600
KillWait=5
InactiveLimit=0
SlurmdTimeout=60
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
}

cmd_start() {
    local host conf state i
    started=0
    for c in slurmctld slurmd munged munge sinfo scontrol sbatch; do
        command -v "$c" >/dev/null 2>&1 || [ -x "/usr/sbin/$c" ] ||
            die "'$c' not found; run scripts/setup.sh (it installs slurmctld slurmd slurm-client munge)"
    done
    [ "$(id -u)" -eq 0 ] || die "needs root (slurmd and munged are started as root)"
    if pid_alive "$dir/slurmctld.pid" slurmctld || pid_alive "$dir/slurmd.pid" slurmd; then
        die "a cluster is already running in $dir; run 'scripts/slurm-local.sh stop $dir' first"
    fi
    local port
    for port in "${SLURM_LOCAL_CTLD_PORT:-6817}" "${SLURM_LOCAL_SLURMD_PORT:-6818}"; do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            die "port $port is in use (another Slurm cluster?); stop it or set SLURM_LOCAL_CTLD_PORT/SLURM_LOCAL_SLURMD_PORT"
        fi
    done
    mkdir -p "$dir/state" "$dir/spool" "$dir/log"
    # Node and controller must be named as slurmd sees this machine (short host name).
    host=$(hostname -s)
    conf=$dir/slurm.conf
    export SLURM_CONF=$conf

    # On any failure below (die, or a command failing under set -e) undo the start.
    trap 'if [ "$started" -eq 0 ]; then
              echo "$me: start failed; stopping what was started" >&2
              show_logs; cmd_stop
          fi' EXIT
    start_munge
    write_conf "$host"
    /usr/sbin/slurmctld -c -f "$conf" >"$dir/log/slurmctld.stderr" 2>&1 || {
        cat "$dir/log/slurmctld.stderr" >&2; false; }
    /usr/sbin/slurmd -f "$conf" >"$dir/log/slurmd.stderr" 2>&1 || {
        cat "$dir/log/slurmd.stderr" >&2; false; }
    state=""
    for ((i = 0; i < 300; i++)); do
        state=$(sinfo -h -N -n "$host" -o %t 2>/dev/null | head -n 1) || state=""
        case "$state" in
        idle) break ;;
        # Registered but rejected (config does not match the hardware): no use waiting.
        inval | drain* | drng*) break ;;
        esac
        if ! pid_alive "$dir/slurmctld.pid" slurmctld && [ "$i" -gt 20 ]; then break; fi
        sleep 0.1
    done
    if [ "$state" != "idle" ]; then
        scontrol show node "$host" 2>/dev/null | grep -i reason >&2 || true
        die "node $host is '${state:-unknown}', not idle (waited up to 30 s)"
    fi
    started=1
    trap - EXIT
    echo "$me: cluster up in $dir (node $host, $(nproc) CPUs); set SLURM_CONF=$conf" >&2
    echo "export SLURM_CONF=$conf"
}

cmd_wait() {
    local job=$1 timeout=$2 deadline out bad=0 line id state code report
    [ -f "$dir/slurm.conf" ] || die "no $dir/slurm.conf; run 'scripts/slurm-local.sh start $dir' first"
    export SLURM_CONF=$dir/slurm.conf
    deadline=$((SECONDS + timeout))
    while :; do
        if ! out=$(squeue -h -j "$job" 2>&1); then
            # A job purged after MinJobAge is "Invalid job id"; anything else is an error.
            case "$out" in *"Invalid job id"*) break ;; esac
            die "squeue -j $job failed: $out"
        fi
        [ -z "$out" ] && break
        if [ "$SECONDS" -ge "$deadline" ]; then
            scancel "$job" 2>/dev/null || true
            echo "$me: job $job still queued or running after ${timeout}s; cancelled it" >&2
            exit 124
        fi
        sleep 0.5
    done
    out=$(scontrol -o show job "$job" 2>&1) ||
        die "job $job is unknown (never submitted, or purged MinJobAge after it ended): $out"
    report=""
    while IFS= read -r line; do
        [ -n "$line" ] || continue
        id=$(sed -n 's/^JobId=\([0-9]*\).*/\1/p' <<<"$line")
        if [[ "$line" =~ ArrayJobId=([0-9]+)\ ArrayTaskId=([0-9]+) ]]; then
            id="${BASH_REMATCH[1]}_${BASH_REMATCH[2]}"
        fi
        state=$(sed -n 's/.* JobState=\([^ ]*\).*/\1/p' <<<"$line")
        code=$(sed -n 's/.* ExitCode=\([^ ]*\).*/\1/p' <<<"$line")
        report+="$id $state $code"$'\n'
        if [ "$state" != "COMPLETED" ] || [ "$code" != "0:0" ]; then bad=1; fi
    done <<<"$out"
    printf '%s' "$report" | sort -t _ -k2,2n
    if [ "$bad" -ne 0 ]; then
        echo "$me: job $job: not every task ended COMPLETED 0:0" >&2
        exit 1
    fi
}

[ $# -ge 2 ] || usage
action=$1
dir=$2
[ -n "$dir" ] || usage
case "$action" in
start)
    [ $# -eq 2 ] || usage
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd -P)
    cmd_start ;;
stop)
    [ $# -eq 2 ] || usage
    [ -d "$dir" ] || exit 0
    dir=$(cd "$dir" && pwd -P)
    cmd_stop ;;
wait)
    [ $# -ge 3 ] && [ $# -le 4 ] || usage
    [[ "$3" =~ ^[0-9]+(_[0-9]+)?$ ]] || die "JOBID must be a number (or NUMBER_TASK), got '$3'"
    [[ "${4:-600}" =~ ^[0-9]+$ ]] || die "TIMEOUT must be whole seconds, got '$4'"
    dir=$(cd "$dir" 2>/dev/null && pwd -P) || die "no directory $2"
    cmd_wait "$3" "${4:-600}" ;;
*) usage ;;
esac
