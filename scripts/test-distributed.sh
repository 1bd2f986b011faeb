#!/usr/bin/env bash
# Tests of Kiln beyond one process, with the real engines: Open MPI's mpirun and a one-node
# Slurm cluster (scripts/slurm-local.sh). Called by scripts/test.sh after the Swift tests;
# needs the release build of the examples. Checks results (byte-identical files, exit
# statuses, error lines), never timings.
#
#   scripts/test-distributed.sh [BIN]     BIN: the release bin folder (default: swift's)
#
# 1. mpirun -np 1, 2 and 4 of a small BatchNorm CNN (dropout, augmentation, 4 shards):
#    the saved model is byte-identical to the run without MPI; --resume under MPI too.
# 2. bagging-ensemble and hyperparameter-search under mpirun -np 2: the same member files
#    and the same leaderboard as in one process.
# 3. A failing rank: bad input on every rank, and one rank killed mid-training: the job
#    ends non-zero within seconds, one error line, no model file.
# 4. Slurm: an sbatch --array of bagging-ensemble --member K tasks builds the same
#    ensemble folder; an sbatch -n 2 job runs srun --mpi=pmix mnist-classifier and saves
#    the same model.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
bin=${1:-$(swift build -c release --show-bin-path)}
bin=$(cd "$bin" && pwd)
for tool in mpirun sbatch; do
    command -v "$tool" >/dev/null || { echo "test-distributed: $tool is missing; run scripts/setup.sh" >&2; exit 1; }
done

work=$(mktemp -d /tmp/kiln-distributed.XXXXXX)
slurm_dir="$work/slurm"
cleanup() {
    if [ -d "$slurm_dir" ]; then "$root/scripts/slurm-local.sh" stop "$slurm_dir" >/dev/null 2>&1 || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# Quiet Open MPI's aggregated help banners in the logs; they are not what is tested.
export OMPI_MCA_orte_base_help_aggregate=1

failures=0
pass() { echo "ok   $1"; }
fail() { echo "FAIL $1" >&2; failures=$((failures + 1)); }
same() { # same LABEL FILE_A FILE_B
    if cmp -s "$2" "$3"; then pass "$1"; else fail "$1: $2 and $3 differ"; fi
}
mpi() { mpirun --oversubscribe -np "$@"; }

cd "$work"
cnn="conv(4, kernel=3, padding=1)|batchnorm|relu|maxpool(2)|dropout(0.2)|flatten|dense(10)"
# The schedule names its length: the checkpointing run stops after epoch 1 of the same curve.
train=(--limit 1200 --epochs 2 --model "$cnn" --shards 4 --augment "random-crop(width=28, height=28, padding=2)" --schedule "warmup-cosine(warmup=0.5, total=2)")

# 1. Byte-identical models for 1, 2 and 4 ranks, and for --resume under MPI.
"$bin/mnist-classifier" "${train[@]}" --save plain.safetensors > plain.log 2>&1 || { fail "plain training"; cat plain.log >&2; }
for np in 1 2 4; do
    if mpi "$np" "$bin/mnist-classifier" --distributed mpi "${train[@]}" --save "np$np.safetensors" > "np$np.log" 2>&1; then
        same "mpirun -np $np: the model equals the one-process model" plain.safetensors "np$np.safetensors"
    else
        fail "mpirun -np $np exited non-zero"; tail -5 "np$np.log" >&2
    fi
done
lines=$(grep -c "^test accuracy" np4.log || true)
[ "$lines" = 1 ] && pass "only rank 0 prints (1 result line of 4 ranks)" || fail "4 ranks printed $lines result lines"
mpi 2 "$bin/mnist-classifier" --distributed mpi "${train[@]}" --epochs 1 --checkpoint run.ckpt > ckpt.log 2>&1 || fail "checkpointing under MPI"
mpi 2 "$bin/mnist-classifier" --distributed mpi "${train[@]}" --resume run.ckpt --save resumed.safetensors > resume.log 2>&1 || fail "--resume under MPI"
same "--resume under mpirun -np 2 ends with the uninterrupted model" plain.safetensors resumed.safetensors

# 2. The ensemble and the search under MPI.
bag=(--limit 1500 --epochs 2 --members 3 --model "dense(32)|batchnorm|relu|dropout(0.2)|dense(10)")
"$bin/bagging-ensemble" "${bag[@]}" --save bag-plain > bag-plain.log 2>&1 || fail "plain bagging"
if mpi 2 "$bin/bagging-ensemble" "${bag[@]}" --distributed mpi --save bag-mpi > bag-mpi.log 2>&1; then
    for f in bag-plain/member-*.safetensors; do same "bagging under MPI: $(basename "$f")" "$f" "bag-mpi/$(basename "$f")"; done
    same "bagging under MPI: the same report" <(grep "^ensemble (" bag-plain.log) <(grep "^ensemble (" bag-mpi.log)
else
    fail "bagging-ensemble under mpirun -np 2 exited non-zero"; tail -5 bag-mpi.log >&2
fi
search=(--trials 3 --rounds 2 --top 2 --epochs 1 --limit 1500 --dev-size 500 --grid 4 --final-epochs 1
        --space "lr=log(1e-3, 1e-1), hidden=choice(16, 32)")
"$bin/hyperparameter-search" "${search[@]}" > search-plain.log 2>&1 || fail "plain search"
if mpi 2 "$bin/hyperparameter-search" "${search[@]}" --distributed mpi > search-mpi.log 2>&1; then
    # Everything but the first line (it names the ranks) and the timings.
    same "hyperparameter-search under MPI: the same rounds, leaderboard and final result" \
        <(tail -n +2 search-plain.log | sed -E 's/[0-9.]+ s//g') <(tail -n +2 search-mpi.log | sed -E 's/[0-9.]+ s//g')
else
    fail "hyperparameter-search under mpirun -np 2 exited non-zero"; tail -5 search-mpi.log >&2
fi

# 3. Failing ranks.
status=0
timeout 60 mpirun -np 2 "$bin/mnist-classifier" --distributed mpi --data idx:/nonexistent > bad.out 2> bad.err || status=$?
if [ "$status" -ne 0 ] && [ "$status" -ne 124 ]; then pass "bad input on every rank: exit $status"; else fail "bad input: exit $status"; fi
lines=$(grep -c "mnist-classifier: error: .*nonexistent" bad.err || true)
[ "$lines" -ge 1 ] && [ "$lines" -le 2 ] && pass "bad input: $lines Kiln error line(s)" || fail "bad input: $lines error lines"
status=0
timeout 60 mpirun -np 2 "$bin/mnist-classifier" --distributed mpi --epochs 0 > usage.out 2> usage.err || status=$?
lines=$(grep -c "mnist-classifier: error: --epochs" usage.err || true)
[ "$status" -ne 0 ] && [ "$lines" = 1 ] && pass "a usage error under MPI: one line (rank 0's), exit $status" || fail "usage error: exit $status, $lines lines"

# One rank killed mid-training: the job must end, non-zero, within seconds, with no model.
mpirun -np 2 "$bin/mnist-classifier" --distributed mpi --epochs 50 --save killed.safetensors > killed.log 2>&1 &
launcher=$!
victim=""
for _ in $(seq 1 200); do
    # The ranks are the launcher's children running mnist-classifier; take the last one.
    victim=$(ps -o pid=,comm= --ppid "$launcher" 2>/dev/null | awk '$2 ~ /mnist-classif/ {print $1}' | tail -1 || true)
    if [ -n "$victim" ] && grep -q "^epoch\|distributed:" killed.log 2>/dev/null; then break; fi
    sleep 0.1
done
if [ -z "$victim" ]; then
    fail "a killed rank: no rank process found"; kill "$launcher" 2>/dev/null || true
else
    kill -9 "$victim"
    killed_at=$(date +%s)
    status=0
    for _ in $(seq 1 300); do kill -0 "$launcher" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$launcher" 2>/dev/null; then
        fail "a killed rank: mpirun still runs 30 s later"; kill -9 "$launcher" 2>/dev/null || true
    else
        wait "$launcher" || status=$?
        elapsed=$(( $(date +%s) - killed_at ))
        [ "$status" -ne 0 ] && pass "a killed rank ends the job: exit $status after ${elapsed} s" || fail "a killed rank: exit 0"
    fi
    [ ! -e killed.safetensors ] && pass "a killed rank leaves no model file" || fail "a killed rank left killed.safetensors"
fi

# 4. Slurm: a job array of members, and an MPI job started by srun.
eval "$("$root/scripts/slurm-local.sh" start "$slurm_dir")"
array=$(sbatch --parsable --array=0-2 -n 1 -o "$work/array-%a.log" \
    --wrap "cd '$work' && '$bin/bagging-ensemble' ${bag[*]@Q} --member \$SLURM_ARRAY_TASK_ID --save bag-array")
if "$root/scripts/slurm-local.sh" wait "$slurm_dir" "$array" 300 > array-states.log; then
    pass "sbatch --array=0-2 of --member K: every task completed"
    for f in bag-plain/member-*.safetensors; do same "job array: $(basename "$f")" "$f" "bag-array/$(basename "$f")"; done
    if "$bin/bagging-ensemble" --load bag-array --limit 1500 > bag-array-load.log 2>&1; then
        same "job array: --load gives the in-process ensemble's accuracy" \
            <(grep -o "test accuracy [0-9.]*, test loss [0-9.]*" bag-plain.log | tail -1) \
            <(grep -o "test accuracy [0-9.]*, test loss [0-9.]*" bag-array-load.log | tail -1)
    else
        fail "--load of the job-array ensemble"; cat bag-array-load.log >&2
    fi
else
    fail "the member job array failed"; cat array-states.log "$work"/array-*.log >&2 || true
fi
mpijob=$(sbatch --parsable -n 2 -o "$work/srun.log" \
    --wrap "cd '$work' && srun --mpi=pmix -n 2 '$bin/mnist-classifier' --distributed mpi ${train[*]@Q} --save slurm.safetensors")
if "$root/scripts/slurm-local.sh" wait "$slurm_dir" "$mpijob" 300 > mpi-states.log; then
    same "srun --mpi=pmix -n 2 under sbatch: the one-process model" plain.safetensors slurm.safetensors
else
    fail "the Slurm MPI job failed"; cat mpi-states.log srun.log >&2 || true
fi
"$root/scripts/slurm-local.sh" stop "$slurm_dir" >/dev/null 2>&1 && rm -rf "$slurm_dir"

if [ "$failures" -gt 0 ]; then
    echo "test-distributed: $failures check(s) failed" >&2
    exit 1
fi
echo "test-distributed: all checks passed"
