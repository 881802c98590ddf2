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
    echo "Frames per second after 10 warm-up frames, and the peak resident memory of the process."
    echo "Mode \`streaming\`: every plasticity switched off; \`learning\`: plasticities on. Each row is"
    echo "its own process. Produced by \`bench/run.sh\`; see README.md beside it for what the cases are."
    echo
    echo "- machine: ${cpu:-unknown CPU}, $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB"
    echo "- build: $(grep -m1 CMAKE_BUILD_TYPE "$build/CMakeCache.txt" | cut -d= -f2), $(c++ --version | head -n1)"
    echo "- date: $(date -u +%Y-%m-%d)"
    echo "- load average at the start: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine slows every case)"
    echo
    echo "| case | mode | threads | agents | pools | frames | seconds | frames/s | peak RSS MiB |"
    echo "|---|---|---|---|---|---|---|---|---|"
    for c in "$root/examples/demo.st_graph:300:streaming" "$root/examples/demo.st_graph:300:learning" \
             "many_pools:50:streaming"; do
        IFS=: read -r file frames mode <<<"$c"
        for t in 1 2; do
            "$bench" "$file" "$t" "$frames" 10 "$mode" | awk -F'\t' -v root="$root/" \
                '{sub(root, "", $1); printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1,$2,$3,$4,$5,$6,$7,$8,$9}'
        done
    done
    echo
    echo "Time to accuracy (learning from the start, seed 1, checked every 50 frames). \`acc\` is the"
    echo "interface's running per-delay accuracy on the samples it shows (training samples); the"
    echo "delay range starts where the prediction can have seen the stimulus."
    echo
    echo "| case | target | threads | agents | pools | frames | seconds | result |"
    echo "|---|---|---|---|---|---|---|---|"
    for c in "$root/examples/demo.st_graph:3000:accuracy:0.95:5" \
             "$root/examples/fashion_mnist.st_graph:20000:accuracy:0.85:4"; do
        IFS=: read -r file frames mode threshold delay <<<"$c"
        "$bench" "$file" 2 "$frames" 0 "$mode:$threshold:$delay" | awk -F'\t' -v root="$root/" \
            '{sub(root, "", $1); sub("accuracy:", "acc >= ", $2); sub(":", " from delay ", $2);
              printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", $1,$2,$3,$4,$5,$6,$7,$8}'
    done
    echo
    echo "Time to *test* accuracy (trainvaltest core client, seed 1, 2 threads, at most 600 s of"
    echo "wall time): the client trains one epoch, measures the validation and the test set with"
    echo "learning paused, and goes on; accuracy is per sample at the last delay of the confusion"
    echo "window (docs/st_graph.md, trainvaltest). Seconds count everything since the start:"
    echo "training, validation and test passes. CPU seconds are the process's user + system time."
    echo
    echo "| case | target | threads | agents | pools | first test pass >= target | best test pass | ran |"
    echo "|---|---|---|---|---|---|---|---|"
    log=$(mktemp)
    "$bench" "$root/examples/fashion_mnist_tvt.st_graph" 2 100000000 0 test:0.85:600 2>"$log" |
        awk -F'\t' -v root="$root/" '{sub(root, "", $1); sub("test:", "test acc >= ", $2); sub(":.*", "", $2);
            printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", $1,$2,$3,$4,$5,$6,$7,$8}'
    echo
    echo "Every row the client wrote in that run (seconds since the start):"
    echo
    echo "| phase | epoch | frame | seconds | CPU seconds | accuracy |"
    echo "|---|---|---|---|---|---|"
    awk -F'\t' 'NF == 6 {printf "| %s | %s | %s | %s | %s | %s |\n", $1,$2,$3,$4,$5,($6 < 0 ? "-" : $6)}' "$log"
    rm -f "$log"
    echo
    echo "- load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$out.tmp"
mv "$out.tmp" "$out"
cat "$out"
