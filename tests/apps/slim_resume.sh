#!/usr/bin/env bash
# slim killed with SIGKILL during sparsity training and started again with the same command ends with
# the results of an uninterrupted run (timings and throughput aside), and a finished run started again
# trains nothing and reports the same. Arguments: the slim program, the CIFAR-10 folder, a scratch folder.
set -euo pipefail
app=$1 data=$2 scratch=$3
args=(--data "$data" --train_images 600 --test_images 500 --width 0.125 --epochs 3 --finetune_epochs 1 --eb_patience 1 --eb_epsilon 0.5
      --threads 1)
rm -rf "$scratch" && mkdir -p "$scratch"
"$app" "${args[@]}" --out "$scratch/full" > "$scratch/full.log" 2>&1

"$app" "${args[@]}" --out "$scratch/killed" > "$scratch/killed.log" 2>&1 &
pid=$!
until [[ -e "$scratch/killed/state/sparsity.safetensors" ]]; do  # the first sparsity epoch is saved
  kill -0 "$pid" 2>/dev/null || { echo "slim ended before it could be interrupted"; exit 1; }
  sleep 0.05
done
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
"$app" "${args[@]}" --out "$scratch/killed" > "$scratch/resumed.log" 2>&1
"$app" "${args[@]}" --out "$scratch/full" > "$scratch/again.log" 2>&1

python3 "$(dirname "$0")/same_results.py" "$scratch/full/results.json" "$scratch/killed/results.json"
grep -q "epochs: test acc" "$scratch/again.log" || { echo "the finished run did not report its stages"; exit 1; }
if grep -q "\[#" "$scratch/again.log"; then echo "a finished run trained again"; exit 1; fi
