#!/usr/bin/env bash
# A lottery-ticket experiment of 3 trials split three ways gives the results.json of a sequential
# run (timings aside): on 2 MPI ranks (if mpirun is given), and as the jobs --print_jobs lists, run
# one after another as a Slurm array would, then merged by the command without --job.
# Arguments: the lenet_lth program, the MNIST folder, a scratch folder, and optionally mpirun.
set -euo pipefail
app=$1 data=$2 scratch=$3 mpirun=${4:-}
source "$(dirname "$0")/sweep_jobs.sh"
args=(--data "$data" --model mlp_32 --validation 1000 --levels 2 --trials 3 --iterations 150 --eval_every 50
      --checkpoint_every 0 --threads 1)
rm -rf "$scratch" && mkdir -p "$scratch"
run_reference "$app" "$scratch" "$mpirun" "${args[@]}"

"$app" "${args[@]}" --out "$scratch/jobs" --print_jobs > "$scratch/jobs.txt"
grep -c -- "--job" "$scratch/jobs.txt" | grep -qx 3 || { echo "expected 3 job lines"; cat "$scratch/jobs.txt"; exit 1; }
run_printed_jobs "$app" "$scratch/jobs.txt" "$scratch/jobs.log"
compared+=("$scratch/jobs/results.json")

# per trial: level 0, then ticket, reinit and random_mask at levels 1-2
python3 "$(dirname "$0")/same_results.py" --key runs --length runs 21 "${compared[@]}"
