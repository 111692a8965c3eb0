#!/usr/bin/env bash
# lenet_lth killed with SIGKILL in the middle of level 3 and started again with the same command
# ends with the runs of an uninterrupted experiment in results.json, timings aside.
# Arguments: the lenet_lth program, the MNIST folder, a scratch folder.
set -euo pipefail
app=$1 data=$2 scratch=$3
args=(--data "$data" --model mlp_32 --validation 1000 --levels 4 --trials 1 --iterations 600 --eval_every 50
      --checkpoint_every 50 --threads 2)
rm -rf "$scratch" && mkdir -p "$scratch"
"$app" "${args[@]}" --out "$scratch/full" > "$scratch/full.log" 2>&1

runs_done() {  # finished runs recorded in results.json so far
  python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["runs"]))' "$1" 2>/dev/null || echo 0
}
"$app" "${args[@]}" --out "$scratch/killed" > "$scratch/killed.log" 2>&1 &
pid=$!
# Level 0 is one run and levels 1-2 three each: after 7, level 3's ticket is training; wait for its first checkpoint.
until [[ $(runs_done "$scratch/killed/results.json") -ge 7 && -e "$scratch/killed/state/trial0_running.safetensors" ]]; do
  kill -0 "$pid" 2>/dev/null || { echo "lenet_lth ended before it could be interrupted"; exit 1; }
  sleep 0.05
done
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
echo "killed after $(runs_done "$scratch/killed/results.json") runs, during level 3"
"$app" "${args[@]}" --out "$scratch/killed" > "$scratch/resumed.log" 2>&1

python3 "$(dirname "$0")/same_results.py" --key runs "$scratch/full/results.json" "$scratch/killed/results.json"
