#!/usr/bin/env bash
# slim with two pruning ratios split into its jobs gives the results.json of a sequential run
# (timings and speeds aside): on 2 MPI ranks (if mpirun is given), and as the jobs --print_jobs
# lists, run in order and merged by the command without --job. A ratio's job before job 0 refuses.
# Arguments: the slim program, the CIFAR-10 folder, a scratch folder, and optionally mpirun.
set -euo pipefail
app=$1 data=$2 scratch=$3 mpirun=${4:-}
source "$(dirname "$0")/mpi_env.sh"
source "$(dirname "$0")/sweep_jobs.sh"
args=(--data "$data" --train_images 300 --test_images 250 --width 0.125 --epochs 2 --finetune_epochs 1 --ratios 0.3,0.5
      --eb_patience 1 --eb_epsilon 0.5 --threads 1)
rm -rf "$scratch" && mkdir -p "$scratch"
"$app" "${args[@]}" --out "$scratch/sequential" > "$scratch/sequential.log" 2>&1
compared=("$scratch/sequential/results.json")

if [ -n "$mpirun" ]; then
  run_mpi "$mpirun" -np 2 "$app" "${args[@]}" --out "$scratch/mpi" > "$scratch/mpi.log" 2>&1
  compared+=("$scratch/mpi/results.json")
fi

if "$app" "${args[@]}" --out "$scratch/early" --job 1 > "$scratch/early.log" 2>&1; then
  echo "job 1 ran before job 0"; exit 1
fi
grep -q "job 0 .* has not finished" "$scratch/early.log" || { cat "$scratch/early.log"; exit 1; }

"$app" "${args[@]}" --out "$scratch/jobs" --print_jobs > "$scratch/jobs.txt"
[ "$(grep -c -- '--job' "$scratch/jobs.txt")" -eq 4 ] || { echo "expected jobs 0-3"; cat "$scratch/jobs.txt"; exit 1; }
run_printed_jobs "$app" "$scratch/jobs.txt" "$scratch/jobs.log"
compared+=("$scratch/jobs/results.json")

python3 - "${compared[@]}" <<'PY'
import json, sys
def strip(node):  # timings and measured speeds differ between runs; everything else must not
    if isinstance(node, dict):
        return {k: strip(v) for k, v in node.items() if "seconds" not in k and k != "inference"}
    if isinstance(node, list):
        return [strip(v) for v in node]
    return node
reference = strip(json.load(open(sys.argv[1])))
assert len(reference["pruned"]) == 2
for path in sys.argv[2:]:
    if strip(json.load(open(path))) != reference:
        sys.exit(f"{path} differs from the sequential run's results.json")
print("identical results in " + ", ".join(sys.argv[1:]))
PY
