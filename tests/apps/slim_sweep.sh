#!/usr/bin/env bash
# slim with two pruning ratios split into its jobs gives the results.json of a sequential run
# (timings and speeds aside): on 2 MPI ranks (if mpirun is given), and as the jobs --print_jobs
# lists, run in order and merged by the command without --job. A ratio's job before job 0 refuses.
# Arguments: the slim program, the CIFAR-10 folder, a scratch folder, and optionally mpirun.
set -euo pipefail
app=$1 data=$2 scratch=$3 mpirun=${4:-}
source "$(dirname "$0")/sweep_jobs.sh"
args=(--data "$data" --train_images 300 --test_images 250 --width 0.125 --epochs 2 --finetune_epochs 1 --ratios 0.3,0.5
      --eb_patience 1 --eb_epsilon 0.5 --threads 1)
rm -rf "$scratch" && mkdir -p "$scratch"
run_reference "$app" "$scratch" "$mpirun" "${args[@]}"

if "$app" "${args[@]}" --out "$scratch/early" --job 1 > "$scratch/early.log" 2>&1; then
  echo "job 1 ran before job 0"; exit 1
fi
grep -q "job 0 .* has not finished" "$scratch/early.log" || { cat "$scratch/early.log"; exit 1; }

"$app" "${args[@]}" --out "$scratch/jobs" --print_jobs > "$scratch/jobs.txt"
[ "$(grep -c -- '--job' "$scratch/jobs.txt")" -eq 4 ] || { echo "expected jobs 0-3"; cat "$scratch/jobs.txt"; exit 1; }
run_printed_jobs "$app" "$scratch/jobs.txt" "$scratch/jobs.log"
compared+=("$scratch/jobs/results.json")

python3 "$(dirname "$0")/same_results.py" --length pruned 2 "${compared[@]}"
