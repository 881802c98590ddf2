#!/usr/bin/env bash
# What the IDE costs the engine: frames/s of the demo (learning on) streamed headless by
# streamlab-run and inside the IDE with its default layout (network, stimulus, feature maps,
# filters, percentile bands, curves: 6 views visible) under Xvfb. Runs alternate so that machine
# noise hits both alike; the median of each is compared.
#
#   bench/gui_cost.sh [BUILD_DIR] [FRAMES] [REPEATS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
frames=${2:-1500}
repeats=${3:-3}
threads=${THREADS:-2}
net=$root/examples/demo.st_graph
cfg=$(mktemp -d)
trap 'rm -rf "$cfg"' EXIT

headless=()
gui=()
for ((r = 0; r < repeats; ++r)); do
    h=$("$build/engine/cli/streamlab-run" "$net" --frames "$frames" --threads "$threads" --json \
        --report-every 0 -q | tail -1 | sed -E 's/.*"fps": ?([0-9.]+).*/\1/')
    g=$(XDG_CONFIG_HOME=$cfg xvfb-run -a -s "-screen 0 1400x900x24" \
        "$build/app/streamlab" "$net" --frames "$frames" --threads "$threads" --bench \
        --default-layout 2>/dev/null | tail -1 | sed -E 's/.*"fps": ?([0-9.]+).*/\1/')
    echo "run $r: headless $h fps, IDE $g fps" >&2
    headless+=("$h")
    gui+=("$g")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
mh=$(median "${headless[@]}")
mg=$(median "${gui[@]}")
cost=$(awk -v h="$mh" -v g="$mg" 'BEGIN {printf "%.1f", 100 * (1 - g / h)}')
echo "demo, $frames frames, $threads threads: headless $mh fps, IDE (6 views) $mg fps, cost $cost%"
