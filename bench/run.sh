#!/usr/bin/env bash
# Benchmarks, each case in its own process; see README.md beside this file.
#
#   bench/run.sh [BUILD_DIR]               Streamlab against PyTorch (bench/peers/torch_peer.py),
#                                          alternating, ROUNDS rounds; medians, ratios, the GEMM
#                                          peak and each case's share of it
#   bench/run.sh --accuracy [BUILD_DIR]    time to accuracy and to test accuracy (about 12 minutes)
#
# BUILD_DIR defaults to build. Each writes its section of RESULTS (default bench/results.md)
# between its marker lines and keeps the rest of the file; a RESULTS file that does not exist yet
# is created. Environment:
#   ROUNDS   rounds of the comparison (default 3); the tables show medians over the rounds
#   CASES    the comparison's cases, space-separated (default: demo demo_learning many_pools
#            pools1024 pools4096 big_conv)
#   FRAMES, WARMUP   override every case's timed and warm-up frames (for a quick check)
#   PYTHON   the interpreter with Debian's python3-torch (default /usr/bin/python3)
#   KEEP_RAW a folder to keep the raw run lines and the peak and FLOPs files in (for debugging)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
section=speed
if [[ ${1:-} == --accuracy ]]; then
    section=accuracy
    shift
fi
build=${1:-$root/build}
bench=$build/bench/streamlab-bench
runner=$build/engine/cli/streamlab-run
results=${RESULTS:-$root/bench/results.md}
rounds=${ROUNDS:-3}
python=${PYTHON:-/usr/bin/python3}
peer=$root/bench/peers/torch_peer.py
[[ -x $bench ]] || { echo "build first: $bench not found" >&2; exit 1; }
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [[ -n ${KEEP_RAW:-} ]]; then trap 'cp -r "$tmp" "$KEEP_RAW"; rm -rf "$tmp"' EXIT; fi

# The machine and the build, for the head of a section.
machine() {
    local cpu
    cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -n1)
    echo "- machine: ${cpu:-unknown CPU}, $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB"
    echo "- build: $(grep -m1 CMAKE_BUILD_TYPE "$build/CMakeCache.txt" | cut -d= -f2), $(c++ --version | head -n1)"
    echo "- date: $(date -u +%Y-%m-%d)"
    echo "- load average at the start: $load_start (other work on the machine slows every case)"
}

# The PyTorch peers run without this workplace's OpenBLAS pins (an older core type), so that
# OpenBLAS picks the kernels for this CPU. PyTorch allocates every intermediate tensor afresh each
# frame; with glibc's defaults the large ones are mapped and unmapped every time, and the page
# faults of touching them again cost the demo 3-4x here (measured: 186 -> 716 frames/s on 1
# thread). glibc keeps freed memory with these settings, as a tuned PyTorch deployment (or
# jemalloc) would; Streamlab allocates nothing per frame, so they change nothing for it.
peer_env() {
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE MALLOC_MMAP_THRESHOLD_=4294967296 \
        MALLOC_TRIM_THRESHOLD_=4294967296 MALLOC_TOP_PAD_=268435456 "$@"
}

# FLOPs a frame from `streamlab-run FILE --print-plan`: the frame plan's first line ("frame plan:
# N tasks, M ops, 44.2 MFLOP and 1.3 MB a frame") and, learning ($2), the first line of every loss
# rollout's plan with its backward ("rollout of loss 'classify' (...): 6 tasks, 49 ops, 120.5
# MFLOP ...").
plan_flops() {
    "$runner" "$1" --print-plan 2>/dev/null | awk -v learning="$2" '
        /^frame plan: / || (learning == "learning" && /^rollout of loss /) {
            for (i = 1; i <= NF; ++i) if ($i ~ /FLOP$/) {
                unit = $i; sub(/FLOP$/, "", unit)
                scale = unit == "k" ? 1e3 : unit == "M" ? 1e6 : unit == "G" ? 1e9 : unit == "T" ? 1e12 : 1
                total += $(i - 1) * scale; break
            } }
        END { printf "%.0f\n", total }'
}

speed() {
    [[ -x $runner ]] || { echo "build first: $runner not found" >&2; exit 1; }
    "$python" -c 'import torch' 2>/dev/null || {
        echo "PyTorch not found for $python: apt-get install python3-torch libopenblas0-openmp" >&2
        exit 1
    }
    local demo=$root/examples/demo.st_graph
    # label | Streamlab case | peer case | mode | threads | frames | warm-up frames
    local all="demo|$demo|demo|streaming|1 2|300|10
demo_learning|$demo|demo|learning|1 2|100|10
many_pools|many_pools|many_pools|streaming|2|30|3
pools1024|pools1024|pools1024|streaming|2|60|5
pools4096|pools4096|pools4096|streaming|2|40|3
big_conv|big_conv|big_conv|streaming|2|6|2"
    local wanted=${CASES:-demo demo_learning many_pools pools1024 pools4096 big_conv}
    local cases=() line
    while IFS= read -r line; do
        [[ " $wanted " == *" ${line%%|*} "* ]] && cases+=("$line")
    done <<<"$all"
    ((${#cases[@]})) || { echo "no case of CASES='$wanted' is known" >&2; exit 1; }

    # The single-precision GEMM peak: torch.mm of 4096 x 4096 float32 (OpenBLAS sgemm), median
    # of 5 after one warm-up, for 1 and 2 threads; taken before and after the cases.
    gemm_peak() {
        peer_env "$python" - <<'EOF'
import statistics, time, torch
n = 4096
a, b = torch.randn(n, n), torch.randn(n, n)
for threads in (1, 2):
    torch.set_num_threads(threads)
    torch.mm(a, b)
    times = []
    for _ in range(5):
        start = time.perf_counter()
        torch.mm(a, b)
        times.append(time.perf_counter() - start)
    print(threads, f"{2 * n**3 / statistics.median(times) / 1e9:.1f}")
EOF
    }
    gemm_peak >"$tmp/peak-before"

    # FLOPs a frame of each Streamlab case, from its frame plan.
    local label file pcase mode threads frames warmup
    for line in "${cases[@]}"; do
        IFS='|' read -r label file pcase mode threads frames warmup <<<"$line"
        if [[ $file != *.st_graph ]]; then
            "$bench" --yaml "$file" >"$tmp/$file.st_graph"
            file=$tmp/$file.st_graph
        fi
        echo "$label $(plan_flops "$file" "$mode")" >>"$tmp/flops"
    done

    # The rounds: per case and thread count, Streamlab and then every variant of the peer.
    # raw: round label mode threads engine variant agents pools frames seconds fps rss
    local round t v out
    for ((round = 1; round <= rounds; ++round)); do
        for line in "${cases[@]}"; do
            IFS='|' read -r label file pcase mode threads frames warmup <<<"$line"
            frames=${FRAMES:-$frames}
            warmup=${WARMUP:-$warmup}
            for t in $threads; do
                echo "round $round/$rounds: $label, $mode, $t thread(s)" >&2
                out=$("$bench" "$file" "$t" "$frames" "$warmup" "$mode")
                echo "$round $label $mode $t streamlab - $(cut -f4- <<<"$out")" >>"$tmp/raw"
                for v in $("$python" "$peer" --variants "$pcase"); do
                    out=$(peer_env "$python" "$peer" "$pcase" "$t" "$frames" "$warmup" "$mode" --variant "$v")
                    echo "$round $label $mode $t pytorch $v $(cut -f4- <<<"$out")" >>"$tmp/raw"
                done
            done
        done
    done
    gemm_peak >"$tmp/peak-after"
    tr '\t' ' ' <"$tmp/raw" >"$tmp/raw.ssv"

    local info
    info=$(peer_env "$python" - <<'EOF' 2>&1
import os, subprocess, sys, torch
try:
    from threadpoolctl import threadpool_info
    blas = ", ".join(f"{i['internal_api']} {i.get('version') or ''} ({i.get('architecture') or '-'})"
                     for i in threadpool_info() if i["user_api"] == "blas")
except ImportError:
    blas = "threadpoolctl not installed (python3-threadpoolctl)"
probe = ("import torch, torch.nn.functional as F; torch.set_num_threads(2); "
         "F.conv2d(torch.randn(16, 8, 16, 16), torch.randn(8, 8, 3, 3), padding=1)")
out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                     env=dict(os.environ, DNNL_VERBOSE="1")).stdout.splitlines()
isa = next((l.split("isa:")[1] for l in out if ",isa:" in l), "?")
impl = next((l.split(",")[4] for l in out if ",exec,cpu,convolution," in l), "?")
print(f"PyTorch {torch.__version__}; BLAS: {blas}; oneDNN convolutions: {impl} ({isa})")
EOF
)

    echo "<!-- bench/run.sh speed -->"
    echo "## Streamlab against PyTorch"
    echo
    echo "Produced by \`bench/run.sh\` (see README.md beside it for the cases and the peers): per case,"
    echo "Streamlab (\`streamlab-bench\`) and PyTorch eager (\`bench/peers/torch_peer.py\`, every"
    echo "variant) run alternately, each in its own process, $rounds round(s); frames per second after"
    echo "the warm-up frames, medians over the rounds. The PyTorch column is its fastest variant."
    echo "Ratio: Streamlab / PyTorch. Share of the peak: FLOPs a frame x frames/s / the GEMM peak of the"
    echo "same thread count."
    echo
    machine
    echo "- peers: $info; OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset for them, glibc told to keep freed memory (MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_)"
    echo "- single-precision GEMM peak (torch.mm 4096 x 4096, median of 5), GFLOP/s: before the cases" \
        "$(awk '{printf "%s%s thread(s) %s", (NR > 1 ? ", " : ""), $1, $2}' "$tmp/peak-before"), after them" \
        "$(awk '{printf "%s%s thread(s) %s", (NR > 1 ? ", " : ""), $1, $2}' "$tmp/peak-after")"
    echo
    echo "| case | mode | threads | agents | pools | MFLOP a frame | Streamlab frames/s | PyTorch frames/s | ratio | Streamlab share of the peak | PyTorch share | Streamlab peak RSS MiB | PyTorch peak RSS MiB |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    awk -v flopsfile="$tmp/flops" -v peakfile="$tmp/peak-before" -v peak2="$tmp/peak-after" '
        function median(key,   n, i, j, x, v) {
            n = split(vals[key], v, " ")
            for (i = 2; i <= n; ++i) { x = v[i]; for (j = i - 1; j >= 1 && v[j] + 0 > x + 0; --j) v[j + 1] = v[j]; v[j + 1] = x }
            return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
        }
        BEGIN {
            while ((getline l < flopsfile) > 0) { split(l, w, " "); flops[w[1]] = w[2] }
            while ((getline l < peakfile) > 0) { split(l, w, " "); peak[w[1]] = w[2] }
            while ((getline l < peak2) > 0) { split(l, w, " "); if (w[2] + 0 > peak[w[1]] + 0) peak[w[1]] = w[2] }
        }
        {
            row = $2 SUBSEP $3 SUBSEP $4
            if (!(row in seen)) { seen[row] = 1; order[++rows] = row; agents[row] = $7; pools[row] = $8 }
            key = row SUBSEP $5 SUBSEP $6
            if (!(key in known)) { known[key] = 1; variants[row] = variants[row] " " $6 }
            vals[key] = vals[key] " " $11; rss[key] = rss[key] " " $12
        }
        END {
            for (r = 1; r <= rows; ++r) {
                row = order[r]; split(row, k, SUBSEP)
                sl = median(row SUBSEP "streamlab" SUBSEP "-")
                slrss = median2(row SUBSEP "streamlab" SUBSEP "-")
                best = -1
                n = split(variants[row], vs, " ")
                for (i = 1; i <= n; ++i) {
                    if (vs[i] == "-") continue
                    m = median(row SUBSEP "pytorch" SUBSEP vs[i])
                    if (m > best) { best = m; bestv = vs[i]; bestrss = median2(row SUBSEP "pytorch" SUBSEP vs[i]) }
                }
                # Learning: the frame plan and the plan of the loss rollout with its backward.
                fl = flops[k[1]]
                p = peak[k[3]] * 1e9
                printf "| %s | %s | %s | %s | %s | %.1f | %.1f | %.1f (%s) | %.2fx | %s | %s | %.1f | %.1f |\n",
                    k[1], k[2], k[3], agents[row], pools[row], fl / 1e6,
                    sl, best, bestv, (best > 0 ? sl / best : 0),
                    (p > 0 ? sprintf("%.1f%%", 100 * fl * sl / p) : "-"),
                    (p > 0 ? sprintf("%.1f%%", 100 * fl * best / p) : "-"), slrss, bestrss
            }
        }
        function median2(key) { vals["rss" key] = rss[key]; return median("rss" key) }
    ' "$tmp/raw.ssv"
    echo
    echo "Every PyTorch variant (median frames/s; the fastest is in the table above):"
    echo
    echo "| case | mode | threads | variant | frames/s | peak RSS MiB |"
    echo "|---|---|---|---|---|---|"
    awk '$5 == "pytorch" { key = $2 " | " $3 " | " $4 " | " $6; if (!(key in v)) order[++n] = key; v[key] = v[key] " " $11; r[key] = r[key] " " $12 }
        function median(s,   n, i, j, x, a) {
            n = split(s, a, " ")
            for (i = 2; i <= n; ++i) { x = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > x + 0; --j) a[j + 1] = a[j]; a[j + 1] = x }
            return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
        }
        END { for (i = 1; i <= n; ++i) printf "| %s | %.1f | %.1f |\n", order[i], median(v[order[i]]), median(r[order[i]]) }' "$tmp/raw.ssv"
    echo
    echo "Every run (round, case, mode, threads, engine, variant, frames, seconds, frames/s, peak RSS MiB):"
    echo
    echo '```'
    awk '{print $1, $2, $3, $4, $5, $6, $9, $10, $11, $12}' "$tmp/raw.ssv" | column -t
    echo '```'
    echo
    if [[ -x $build/bench/streamlab-bench-conv ]]; then
        echo "### Convolution kernels"
        echo
        echo "\`streamlab-bench-conv $rounds\` (bench/conv_kernels.cpp): the reference's im2col + Eigen GEMM"
        echo "against the cpu backend's direct kernels (backend/cpu/directconv.h) on the cases' shapes, one"
        echo "thread, alternating, medians of $rounds rounds. These figures set the backend's choice per shape"
        echo "(\`forwardKernel\`, \`weightGradientKernel\`, \`inputGradientKernel\` in backend/cpu/directconv.cpp)."
        echo
        "$build/bench/streamlab-bench-conv" "$rounds"
        echo
    fi
    echo "- load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "<!-- /bench/run.sh speed -->"
}

accuracy() {
    echo "<!-- bench/run.sh accuracy -->"
    echo "## Time to accuracy"
    echo
    echo "Produced by \`bench/run.sh --accuracy\`."
    echo
    machine
    echo
    echo "Time to accuracy (learning from the start, seed 1, checked every 50 frames). \`acc\` is the"
    echo "interface's running per-delay accuracy on the samples it shows (training samples); the"
    echo "delay range starts where the prediction can have seen the stimulus."
    echo
    echo "| case | target | threads | agents | pools | frames | seconds | result |"
    echo "|---|---|---|---|---|---|---|---|"
    local c file frames mode threshold delay
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
    "$bench" "$root/examples/fashion_mnist_tvt.st_graph" 2 100000000 0 test:0.85:600 2>"$tmp/log" |
        awk -F'\t' -v root="$root/" '{sub(root, "", $1); sub("test:", "test acc >= ", $2); sub(":.*", "", $2);
            printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", $1,$2,$3,$4,$5,$6,$7,$8}'
    echo
    echo "Every row the client wrote in that run (seconds since the start):"
    echo
    echo "| phase | epoch | frame | seconds | CPU seconds | accuracy |"
    echo "|---|---|---|---|---|---|"
    awk -F'\t' 'NF == 6 {printf "| %s | %s | %s | %s | %s | %s |\n", $1,$2,$3,$4,$5,($6 < 0 ? "-" : $6)}' "$tmp/log"
    echo
    echo "- load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "<!-- /bench/run.sh accuracy -->"
}

"$section" >"$tmp/section"

# Replace this section's lines between its markers in RESULTS, keeping the rest of the file; a
# file without the markers gets the section at its end.
begin="<!-- bench/run.sh $section -->"
end="<!-- /bench/run.sh $section -->"
if [[ -f $results ]] && grep -qxF "$begin" "$results"; then
    awk -v begin="$begin" -v end="$end" -v section="$tmp/section" '
        $0 == begin { while ((getline l < section) > 0) print l; skip = 1; next }
        $0 == end { skip = 0; next }
        !skip' "$results" >"$tmp/results"
elif [[ -f $results ]]; then
    { cat "$results"; echo; cat "$tmp/section"; } >"$tmp/results"
else
    { echo "# Benchmark results"; echo; cat "$tmp/section"; } >"$tmp/results"
fi
cp "$tmp/results" "$results"
cat "$tmp/section"
