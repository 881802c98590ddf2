#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine for Streamlab, builds it, and runs either the main job or the
# tests. Used by the two README commands and by CI (.ci/run).
#
#   scripts/bootstrap.sh run     install what is missing, build, stream the demo network
#   scripts/bootstrap.sh test    install what is missing, build, run the whole test suite
#
# Environment: BUILD_DIR (default build), JOBS (default: number of cores),
# STREAMLAB_CONFORMANCE_DIR (default ../shared/examples/statestream when that folder exists).
set -euo pipefail
mode=${1:-run}
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
jobs=${JOBS:-$(nproc)}

packages=(build-essential cmake ccache pkg-config libyaml-cpp-dev libeigen3-dev libhdf5-dev
          zlib1g-dev libgtest-dev dataset-fashion-mnist qt6-base-dev qt6-charts-dev qt6-svg-dev
          libgl-dev)
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
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$jobs"

case "$mode" in
run)
    "$build/engine/cli/streamlab-run" "$root/examples/demo.st_graph" --frames 1000 --report-every 100
    ;;
test)
    echo "bootstrap: conformance files: ${STREAMLAB_CONFORMANCE_DIR:-<none, conformance tests skip>}"
    cd "$build"
    ctest --output-on-failure -j"$jobs"
    ;;
*)
    echo "usage: scripts/bootstrap.sh run|test" >&2
    exit 2
    ;;
esac
