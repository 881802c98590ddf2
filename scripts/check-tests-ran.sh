#!/usr/bin/env bash
# Checks that every test executable the product defines ran and passed: a layer whose tests were
# never built or never run (a part of the product silently dropped) fails the run.
#
#   scripts/check-tests-ran.sh ROOT BUILD_DIR CTEST_JUNIT_XML
#
# The expected executables come from the source tree, by the rules of tests/CMakeLists.txt:
# tests/engine/<area>/*.cpp -> tst_<area>; tests/<layer>/tst_<name>.cpp -> tst_<layer>_<name> for
# the IDE's layers (unless the build was configured with STREAMLAB_BUILD_APP=OFF);
# tests/fuzz/fuzz_<target>.cpp -> fuzz_<target> (the corpus replay).
set -euo pipefail
root=$1
build=$2
junit=$3
[[ -f $junit ]] || { echo "check-tests-ran: no ctest results at $junit" >&2; exit 1; }

expected=()
for dir in "$root"/tests/engine/*/; do
    compgen -G "$dir*.cpp" >/dev/null && expected+=("tst_$(basename "$dir")")
done
app=$(sed -n 's/^STREAMLAB_BUILD_APP:BOOL=//p' "$build/CMakeCache.txt")
if [[ $app != OFF ]]; then
    for layer in views editor app; do
        for f in "$root"/tests/$layer/tst_*.cpp; do
            [[ -e $f ]] || continue
            name=$(basename "$f" .cpp)
            expected+=("tst_${layer}_${name#tst_}")
        done
    done
else
    echo "check-tests-ran: the IDE's tests are not expected (configured with STREAMLAB_BUILD_APP=OFF)"
fi
for f in "$root"/tests/fuzz/fuzz_*.cpp; do
    [[ -e $f ]] && expected+=("$(basename "$f" .cpp)")
done

missing=()
for name in "${expected[@]}"; do
    # A test that ran has status="run"; a failed one also carries a <failure> element, which ctest
    # has already reported, so only presence is checked here.
    grep -q "<testcase name=\"$name\"[^>]*status=\"run\"" "$junit" || missing+=("$name")
done
ran=$(grep -c '<testcase [^>]*status="run"' "$junit" || true)
if ((${#missing[@]})); then
    echo "check-tests-ran: ${#missing[@]} of ${#expected[@]} test executables did not run: ${missing[*]}" >&2
    exit 1
fi
echo "check-tests-ran: all ${#expected[@]} test executables ran (${ran} ctest tests)"
