#!/bin/bash
# supermask (popup and malach) and lth_shared_weight on tiny settings: each writes every file it promises.
# Usage: supermask_smoke.sh SUPERMASK LENET_LTH LTH_SHARED_WEIGHT MNIST_DIR OUT
set -euo pipefail
supermask=$1 lenet_lth=$2 shared=$3 data=$4 out=$5
rm -rf "$out"
small="--data $data --train_limit 600 --test_limit 300 --epochs 1 --batch 60 --threads 1"
"$supermask" $small --model mlp_40 --widths 1,2 --out "$out/popup" > /dev/null
"$supermask" $small --preset malach --target mlp_20 --target_epochs 1 --widths 1,2 --out "$out/malach" > /dev/null
"$lenet_lth" --data "$data" --validation 500 --levels 2 --trials 1 --iterations 40 --eval_every 20 \
             --controls reinit --threads 1 --out "$out/lth" > /dev/null
"$shared" --lth "$out/lth" --data "$data" --test_limit 300 --threads 1 --out "$out/shared" > /dev/null
for f in popup/{config.json,results.json,widths.csv,epochs.csv,accuracy_vs_width.svg} \
         malach/{config.json,results.json,malach.csv,error_vs_width.svg} \
         shared/{config.json,results.json,levels.csv,shared_weight.svg}; do
  [ -s "$out/$f" ] || { echo "missing $out/$f"; exit 1; }
done
# Two widths; levels 0-3 (lenet_lth --levels 2 also saves the mask level 3 would train), x2 signs x2 masks.
[ "$(wc -l < "$out/popup/widths.csv")" -eq 3 ] || { echo "popup: expected 2 widths"; exit 1; }
[ "$(wc -l < "$out/shared/levels.csv")" -eq 17 ] || { echo "shared: expected 4 levels x 4 rows"; exit 1; }
echo "supermask smoke: ok"
