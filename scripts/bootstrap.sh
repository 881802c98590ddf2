#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine for Streamlab, builds the whole product (engine, streamlab-run,
# the IDE, tests), and runs either the main job or the tests. Used by the two README commands and
# by CI (.ci/run).
#
#   scripts/bootstrap.sh run     install what is missing, build, run the demo: the IDE when a
#                                display is present, streamlab-run in the terminal otherwise
#   scripts/bootstrap.sh test    install what is missing, build, run the whole test suite and check
#                                that every test executable the product defines ran
#   scripts/bootstrap.sh bench   install what is missing and, for the benchmarks only, PyTorch
#                                (python3-torch) with OpenBLAS; build; run bench/run.sh (Streamlab
#                                against PyTorch; writes bench/results.md)
#
# Environment: BUILD_DIR (default build), JOBS (default: number of cores),
# STREAMLAB_CONFORMANCE_DIR (default ../shared/examples/statestream when that folder exists),
# STREAMLAB_CMAKE_ARGS (extra configure arguments, e.g. -DSTREAMLAB_BUILD_APP=OFF).
set -euo pipefail
mode=${1:-run}
case "$mode" in
run | test | bench) ;;
*)
    echo "usage: scripts/bootstrap.sh run|test|bench" >&2
    exit 2
    ;;
esac
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
jobs=${JOBS:-$(nproc)}

# Everything the full build and its tests need. Qt: Widgets/Test (qt6-base-dev), OpenGLWidgets
# (libqt6opengl6-dev), Charts, Svg. clang and its runtime (libFuzzer, sanitizers) build the fuzz
# targets; gcc's sanitizer runtimes come with build-essential.
packages=(build-essential cmake ccache pkg-config libyaml-cpp-dev libeigen3-dev libhdf5-dev
          zlib1g-dev libgtest-dev dataset-fashion-mnist qt6-base-dev libqt6opengl6-dev
          qt6-charts-dev qt6-svg-dev libgl-dev clang libclang-rt-14-dev)
# The benchmarks' PyTorch peers (bench/peers/), never needed to build or test: Debian's PyTorch,
# an optimized BLAS under it (the reference BLAS runs its dense products at ~6 GFLOP/s), and
# threadpoolctl to report which OpenBLAS kernels run.
if [[ $mode == bench ]]; then
    packages+=(python3-torch libopenblas0-openmp python3-threadpoolctl)
fi
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "bootstrap: installing ${missing[*]}"
    sudo=""
    [[ $(id -u) -eq 0 ]] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [[ $mode == test && -z ${STREAMLAB_CONFORMANCE_DIR:-} && -d $root/../shared/examples/statestream ]]; then
    export STREAMLAB_CONFORMANCE_DIR=$(cd "$root/../shared/examples/statestream" && pwd)
fi
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
# Paths relative to the checkout, so that a fresh clone elsewhere hits the same cache entries.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$root}
export CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-true}

# The configure either builds every part or stops with a line saying what is missing; its summary
# (what is built and what is not) is printed, the rest of its output only when it fails.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# shellcheck disable=SC2086
if ! cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo ${STREAMLAB_CMAKE_ARGS:-} >"$log" 2>&1; then
    cat "$log" >&2
    echo "bootstrap: the configure failed (see above)" >&2
    exit 1
fi
sed -n '/Streamlab configuration:/,/vector instructions/p' "$log" | sed 's/^-- /bootstrap: /'
cmake --build "$build" -j"$jobs"

case "$mode" in
run)
    if [[ -n ${DISPLAY:-}${WAYLAND_DISPLAY:-} && -x $build/app/streamlab ]]; then
        echo "bootstrap: starting the IDE on the demo (Space plays, . steps one frame)"
        exec "$build/app/streamlab" "$root/examples/demo.st_graph"
    fi
    echo "bootstrap: no display: streaming the demo headless. With a display, start the IDE with"
    echo "bootstrap:   $build/app/streamlab $root/examples/demo.st_graph"
    "$build/engine/cli/streamlab-run" "$root/examples/demo.st_graph" --frames 1000 --report-every 100
    ;;
test)
    echo "bootstrap: conformance files: ${STREAMLAB_CONFORMANCE_DIR:-<none, conformance tests skip>}"
    junit=$build/ctest-results.xml
    (cd "$build" && ctest --output-on-failure -j"$jobs" --output-junit "$junit")
    bash "$root/scripts/check-tests-ran.sh" "$root" "$build" "$junit"
    ;;
bench)
    bash "$root/bench/run.sh" "$build"
    ;;
esac
