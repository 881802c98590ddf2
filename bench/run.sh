#!/usr/bin/env bash
# Runs every benchmark case in its own process and writes bench/results.md.
#   bench/run.sh [BUILD_DIR]      (default: build)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
bench=$build/bench/streamlab-bench
[[ -x $bench ]] || { echo "build first: $bench not found" >&2; exit 1; }
out=$root/bench/results.md
cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -n1)
{
    echo "# Benchmark results"
    echo
    echo "Streaming only (no learning yet): frames per second after 10 warm-up frames, and the peak"
    echo "resident memory of the process. Each row is its own process. Produced by \`bench/run.sh\`."
    echo
    echo "- machine: ${cpu:-unknown CPU}, $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB"
    echo "- build: $(grep -m1 CMAKE_BUILD_TYPE "$build/CMakeCache.txt" | cut -d= -f2), $(c++ --version | head -n1)"
    echo "- date: $(date -u +%Y-%m-%d)"
    echo
    echo "| case | threads | agents | pools | frames | seconds | frames/s | peak RSS MiB |"
    echo "|---|---|---|---|---|---|---|---|"
    for c in "$root/examples/demo.st_graph:300" "many_pools:50"; do
        file=${c%%:*}; frames=${c##*:}
        for t in 1 2; do
            "$bench" "$file" "$t" "$frames" | awk -F'\t' -v root="$root/" \
                '{sub(root, "", $1); printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", $1,$2,$3,$4,$5,$6,$7,$8}'
        done
    done
} > "$out.tmp"
mv "$out.tmp" "$out"
cat "$out"
