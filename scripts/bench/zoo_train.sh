#!/usr/bin/env bash
# Bigger learning runs for the chapter 8 zoo (issue 5): each model trains a few epochs on a
# Fashion-MNIST subset at reduced resolution through the real CLI, one JSON record per epoch.
# Usage: bash scripts/bench/zoo_train.sh [OUT_DIR]   (after npm run build; ~10-20 min on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-zoo-train-out}
mkdir -p "$out"
run() { # model resize lr
  echo "== $1 (resize $2, lr $3)" >&2
  node bin/convnet.js train "$1" --resize "$2" --lr "$3" --limit-train 1024 --limit-test 512 --epochs 3 \
    --batch-size 64 --seed 0 --quiet --json > "$out/$1.jsonl"
  node -e '
    const rs = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map(JSON.parse);
    console.log(`| ${process.argv[2]} | ${process.argv[3]} | ${rs.map((r) => r.train_loss.toFixed(3)).join(" → ")} | ${rs.map((r) => r.val_acc.toFixed(3)).join(" → ")} | ${(rs.reduce((s, r) => s + r.seconds, 0)).toFixed(0)} |`);
  ' "$out/$1.jsonl" "$1" "$2"
}
echo "| model | resize | train loss per epoch | val acc per epoch | seconds |"
echo "|---|---|---|---|---|"
run lenet-modern 28 0.1
run alexnet 96 0.01
run vgg 64 0.05
run nin 96 0.05
run googlenet 64 0.05
run resnet18 64 0.05
run densenet 64 0.1
run regnetx32 64 0.05
