#!/usr/bin/env bash
# The checks CI runs after the README's test command (.ci/run), each on its own:
#
#   scripts/ci-checks.sh format   clang-format of every tracked C++ file (no change allowed)
#   scripts/ci-checks.sh asan     engine + tests + fuzz targets with AddressSanitizer and
#                                 UndefinedBehaviorSanitizer (clang, libFuzzer): the whole engine
#                                 test suite, the corpus replay, then a bounded fuzzing smoke run
#   scripts/ci-checks.sh tsan     the session's threading stress tests under ThreadSanitizer (gcc)
#
# Engine-only builds (no Qt), in build-asan/ and build-tsan/ next to build/ (BUILD_ROOT), through
# ccache like the main build. Environment: JOBS (default: cores), FUZZ_RUNS (inputs per fuzz
# target in the smoke run, default 20000), FUZZ_SECONDS (time cap per target, default 30).
set -euo pipefail
mode=${1:-}
root=$(cd "$(dirname "$0")/.." && pwd)
build_root=${BUILD_ROOT:-$root}
jobs=${JOBS:-$(nproc)}
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$root}
export CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-true}
if [[ -z ${STREAMLAB_CONFORMANCE_DIR:-} && -d $root/../shared/examples/statestream ]]; then
    export STREAMLAB_CONFORMANCE_DIR=$(cd "$root/../shared/examples/statestream" && pwd)
fi

# Configures quietly (the output only when it fails) and builds TARGET (all: everything).
configure_and_build() {
    local dir=$1 target=$2
    shift 2
    local log
    log=$(mktemp)
    if ! cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSTREAMLAB_BUILD_APP=OFF \
        -DSTREAMLAB_BUILD_BENCH=OFF "$@" >"$log" 2>&1; then
        cat "$log" >&2
        rm -f "$log"
        echo "ci-checks: the configure of $dir failed" >&2
        exit 1
    fi
    rm -f "$log"
    cmake --build "$dir" -j"$jobs" --target "$target"
}

case "$mode" in
format)
    cd "$root"
    mapfile -t files < <(git ls-files '*.cpp' '*.h' '*.cu' '*.cuh')
    bad=()
    for f in "${files[@]}"; do
        clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || bad+=("$f")
    done
    if ((${#bad[@]})); then
        echo "ci-checks: ${#bad[@]} files are not clang-formatted (run: clang-format -i FILE):" >&2
        printf '  %s\n' "${bad[@]}" >&2
        exit 1
    fi
    echo "ci-checks: all ${#files[@]} C++ files are clang-formatted"
    ;;
asan)
    dir=$build_root/build-asan
    flags="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
    CC=clang CXX=clang++ configure_and_build "$dir" all -DSTREAMLAB_FUZZ=ON \
        "-DCMAKE_CXX_FLAGS=$flags" "-DCMAKE_C_FLAGS=$flags" \
        "-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=address,undefined"
    # allocator_may_return_null: a huge malloc returns null, as it does without ASan, so that
    # libhdf5's own checks of a damaged file's sizes run (our code's `new` still throws).
    export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:abort_on_error=1:allocator_may_return_null=1
    export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
    # tst_session (every statestream file streamed and learning) took more than 12 minutes
    # under ASan + UBSan on 2 cores and was stopped unfinished; until the frame plan makes it
    # cheaper it runs unsanitized in the main leg and its threading tests under TSan.
    (cd "$dir" && ctest --output-on-failure -j"$jobs" -E '^tst_session')
    # A bounded fuzzing run of each target from its corpus; a new crash fails CI and is kept
    # in build-asan/fuzz-crashes/ to be added to tests/fuzz/corpus/<target>/.
    export LSAN_OPTIONS=suppressions=$root/tests/fuzz/lsan.supp
    runs=${FUZZ_RUNS:-20000}
    seconds=${FUZZ_SECONDS:-30}
    crashes=$dir/fuzz-crashes
    mkdir -p "$crashes"
    for target in "$dir"/tests/fuzz_*; do
        [[ -x $target ]] || continue
        name=$(basename "$target")
        corpus=$(mktemp -d)
        cp "$root/tests/fuzz/corpus/${name#fuzz_}"/* "$corpus"/
        echo "ci-checks: fuzzing $name: up to $runs inputs or $seconds s"
        if ! "$target" -runs="$runs" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=3072 \
            -artifact_prefix="$crashes/$name-" -print_final_stats=1 "$corpus" \
            >"$dir/$name.log" 2>&1; then
            tail -n 60 "$dir/$name.log" >&2
            echo "ci-checks: $name found an input that fails (kept in $crashes)" >&2
            exit 1
        fi
        grep -E '^stat::number_of_executed_units' "$dir/$name.log" | sed "s/^/ci-checks: $name /"
        rm -rf "$corpus"
    done
    ;;
tsan)
    dir=$build_root/build-tsan
    configure_and_build "$dir" tst_session -DCMAKE_CXX_FLAGS=-fsanitize=thread \
        -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=thread
    export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
    # The snapshot exchange, the runner thread and the worker pool, and whole frames on several
    # threads (determinism across thread counts, live edits posted while a session runs).
    "$dir/tests/tst_session" \
        --gtest_filter='Snapshot*:InterfaceSnapshots*:Runner*:WorkerPool*:Determinism*:LiveEdits*:EditQueue*'
    ;;
*)
    echo "usage: scripts/ci-checks.sh format|asan|tsan" >&2
    exit 2
    ;;
esac
