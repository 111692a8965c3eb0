#!/usr/bin/env bash
# wann killed with SIGKILL in the middle of its search and started again with the same command ends
# with the same generations.csv, best.json and table.json as an uninterrupted run (same seed and threads).
# Arguments: the wann program, the MNIST folder, a scratch folder.
set -euo pipefail
app=$1 data=$2 scratch=$3
args=(--data "$data" --size 8 --search.population 24 --search.tournament 4 --generations 40 --batch 200
      --select_images 500 --tune_shared.epochs 1 --tune_individual.epochs 1 --threads 2)
rm -rf "$scratch" && mkdir -p "$scratch"
"$app" "${args[@]}" --out "$scratch/full" > "$scratch/full.log" 2>&1

generations_done() { [[ -e "$1" ]] && echo $(($(wc -l < "$1") - 1)) || echo 0; }
"$app" "${args[@]}" --out "$scratch/killed" > "$scratch/killed.log" 2>&1 &
pid=$!
until [[ $(generations_done "$scratch/killed/generations.csv") -ge 10 ]]; do
  kill -0 "$pid" 2>/dev/null || { echo "wann ended before it could be interrupted"; exit 1; }
  sleep 0.01
done
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
echo "killed after $(generations_done "$scratch/killed/generations.csv") generations"
"$app" "${args[@]}" --out "$scratch/killed" > "$scratch/resumed.log" 2>&1
grep -q "resuming after generation" "$scratch/resumed.log" || { echo "the second run did not resume"; exit 1; }
for file in generations.csv best.json table.json; do
  cmp "$scratch/full/$file" "$scratch/killed/$file" || { echo "$file differs from the uninterrupted run"; exit 1; }
done
echo "identical: generations.csv, best.json, table.json"
