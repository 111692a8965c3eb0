#!/usr/bin/env bash
# Data-parallel training under mpirun on the 2-core machine:
#  1. 2 ranks with global batch 60 follow one process's training (SGD, one epoch). The ranks sum
#     their half-batch gradients in another order than one GEMM over the whole batch, so the last
#     bits differ, and training amplifies that at a rate that depends on the CPU's kernels: 8e-6
#     after 1000 steps on a Zen 4, but 2e-6 after 100 steps and 2e-2 after 500 on a newer Xeon
#     (AVX-512 FP16) where OpenBLAS runs its SSE3 fallback. So step by step the loss must agree within 1e-5
#     relative over the first 100 steps (the gradients are the same up to rounding), and over the
#     whole epoch the two runs must end alike: train loss within 1% and test accuracy within 0.3
#     points.
#  2. killing one rank ends the job with a non-zero exit and mpirun naming the rank; the same
#     command again resumes from the last epoch's checkpoint and finishes.
# Arguments: the train program, the mpirun program, the MNIST folder, a scratch folder.
set -euo pipefail
app=$1 mpirun=$2 data=$3 scratch=$4
source "$(dirname "$0")/mpi_env.sh"
args=(--data "$data" --model lenet_300_100 --optimizer sgd --lr 0.05 --batch 60 --threads 1)
rm -rf "$scratch" && mkdir -p "$scratch"

"$app" "${args[@]}" --epochs 1 --out "$scratch/one" > "$scratch/one.log" 2>&1
run_mpi "$mpirun" -np 2 "$app" "${args[@]}" --epochs 1 --out "$scratch/two" > "$scratch/two.log" 2>&1
python3 - "$scratch/one" "$scratch/two" <<'PY'
import csv, sys
one, two = ([float(r["loss"]) for r in csv.DictReader(open(d + "/steps.csv"))] for d in sys.argv[1:3])
assert len(one) == len(two) == 1000, (len(one), len(two))
gaps = [abs(a - b) / abs(a) for a, b in zip(one, two)]
identical = sum(a == b for a, b in zip(one, two))
print(f"1 vs 2 ranks: largest relative loss difference {max(gaps[:100]):.2e} over steps 1-100, "
      f"{max(gaps):.2e} over all {len(one)}; {identical} steps bit-identical")
assert max(gaps[:100]) <= 1e-5, max(gaps[:100])
end_one, end_two = (next(csv.DictReader(open(d + "/metrics.csv"))) for d in sys.argv[1:3])
loss_gap = abs(float(end_one["train_loss"]) - float(end_two["train_loss"])) / float(end_one["train_loss"])
accuracy_gap = 100 * abs(float(end_one["test_acc"]) - float(end_two["test_acc"]))
print(f"epoch: train loss {end_one['train_loss']} vs {end_two['train_loss']} ({loss_gap:.1e} relative), "
      f"test accuracy {end_one['test_acc']} vs {end_two['test_acc']} ({accuracy_gap:.2f} points)")
assert loss_gap <= 0.01 and accuracy_gap <= 0.3, (loss_gap, accuracy_gap)
PY

# 2. a rank killed during epoch 2 of 3
run_mpi "$mpirun" -np 2 "$app" "${args[@]}" --epochs 3 --out "$scratch/killed" > "$scratch/killed.log" 2>&1 &
job=$!
until grep -q "^1," "$scratch/killed/metrics.csv" 2>/dev/null; do  # epoch 1 is checkpointed
  kill -0 "$job" 2>/dev/null || { echo "the job ended before a rank could be killed"; cat "$scratch/killed.log"; exit 1; }
  sleep 0.05
done
victim=$(pgrep -f "^$app .*--out $scratch/killed" | tail -1)  # a rank, not mpirun: its command starts with the app
[ -n "$victim" ] || { echo "no rank process found"; exit 1; }
kill -KILL "$victim"
status=0
wait "$job" || status=$?
[ "$status" -ne 0 ] || { echo "mpirun exited 0 after a rank was killed"; exit 1; }
grep -i -E "rank|signal|killed" "$scratch/killed.log" | head -3
run_mpi "$mpirun" -np 2 "$app" "${args[@]}" --epochs 3 --out "$scratch/killed" > "$scratch/resumed.log" 2>&1
grep -q "resuming after epoch" "$scratch/resumed.log" || { echo "the rerun did not resume"; cat "$scratch/resumed.log"; exit 1; }
[ "$(grep -c '^[0-9]' "$scratch/killed/metrics.csv")" -eq 3 ] || { echo "metrics.csv lacks epochs"; exit 1; }
echo "killed job: exit $status; rerun resumed: $(grep -m1 'resuming' "$scratch/resumed.log")"
