#!/usr/bin/env bash
# A lottery-ticket experiment of 3 trials split three ways gives the results.json of a sequential
# run (timings aside): on 2 MPI ranks (if mpirun is given), and as the jobs --print_jobs lists, run
# one after another as a Slurm array would, then merged by the command without --job.
# Arguments: the lenet_lth program, the MNIST folder, a scratch folder, and optionally mpirun.
set -euo pipefail
app=$1 data=$2 scratch=$3 mpirun=${4:-}
source "$(dirname "$0")/mpi_env.sh"
args=(--data "$data" --model mlp_32 --validation 1000 --levels 2 --trials 3 --iterations 150 --eval_every 50
      --checkpoint_every 0 --threads 1)
rm -rf "$scratch" && mkdir -p "$scratch"
"$app" "${args[@]}" --out "$scratch/sequential" > "$scratch/sequential.log" 2>&1
compared=("$scratch/sequential/results.json")

if [ -n "$mpirun" ]; then
  run_mpi "$mpirun" -np 2 "$app" "${args[@]}" --out "$scratch/mpi" > "$scratch/mpi.log" 2>&1
  compared+=("$scratch/mpi/results.json")
fi

"$app" "${args[@]}" --out "$scratch/jobs" --print_jobs > "$scratch/jobs.txt"
grep -c -- "--job" "$scratch/jobs.txt" | grep -qx 3 || { echo "expected 3 job lines"; cat "$scratch/jobs.txt"; exit 1; }
source "$(dirname "$0")/sweep_jobs.sh"
run_printed_jobs "$app" "$scratch/jobs.txt" "$scratch/jobs.log"
compared+=("$scratch/jobs/results.json")

python3 - "${compared[@]}" <<'PY'
import json, sys
def runs(path):
    runs = json.load(open(path))["runs"]
    for run in runs:
        run.pop("seconds")
    return runs
reference = runs(sys.argv[1])
assert len(reference) == 3 * 7, len(reference)  # per trial: level 0, then ticket, reinit, random_mask at levels 1-2
for path in sys.argv[2:]:
    if runs(path) != reference:
        sys.exit(f"{path} differs from the sequential run's results.json")
print(f"identical: {len(reference)} runs in " + ", ".join(sys.argv[1:]))
PY
