#!/usr/bin/env bash
# Writes the seed corpus of fuzz_model and fuzz_editlog from fuzzmodel.st_graph: a model after a
# few frames of learning, one with live edits in its /edit_log, a weights-only file, and the edit
# log of those edits. Run from anywhere after a build:
#   tests/fuzz/make_model_seeds.sh [BUILD_DIR]      (default: build)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
run=${1:-$root/build}/engine/cli/streamlab-run
net=$here/fuzzmodel.st_graph
models=$here/corpus/model
logs=$here/corpus/editlog
mkdir -p "$models" "$logs"
"$run" "$net" --frames 3 --save "$models/seed-learning.h5" >/dev/null
"$run" "$net" --frames 2 --save-weights "$models/seed-weights.h5" >/dev/null
printf '%s\n' "step 2" "set fit lr 0.002" "edit image_hidden W_0_0 filter:1 zero" \
    "edit hidden b all scale 0.5" "step 1" "undo" "edit pred state at:0,1,0,0 set 0.25" "step 1" \
    "savelog $logs/seed-edits.log" "exit" |
    "$run" "$net" -i --save "$models/seed-edits.h5" >/dev/null
echo "seeds written to $models and $logs"
