#!/usr/bin/env bash
# Builds the libFuzzer targets in fuzz/ (clang, ASan + UBSan) into build-fuzz/
# and runs each for a bounded time on a scratch copy of its seed corpus
# (fuzz/corpus/<target>/ is never modified).
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#
# SECONDS_PER_TARGET defaults to 20; TARGETs default to all of them.
# Environment: FUZZ_JOBS (build parallelism, default 1), FUZZ_RSS_MB (default
# 2048), FUZZ_KEEP_DIR (keep the scratch dir; printed at the end), CC/CXX
# (default clang/clang++), CMAKE (default .venv/bin/cmake, else cmake),
# FUZZ_NONFATAL_TARGETS (space-separated targets whose *fuzzing* findings are
# reported but do not fail the run - for crashes known to be in third-party
# code, see fuzz/README.md; their regression inputs still fail it),
# FUZZ_BUILD_DIR (default build-fuzz), FUZZ_SEED (libFuzzer -seed; default:
# random), FUZZ_RUNS (libFuzzer -runs: stop after this many inputs even
# before SECONDS_PER_TARGET; with FUZZ_SEED a run is repeatable).
#
# Prints, per target, the execs, exec/s, cov: and ft: from libFuzzer's final
# stats. Before fuzzing a target, replays its past findings in
# fuzz/regressions/<target>/. Exits non-zero if any regression input or
# fuzzing run crashed, leaked, ran out of memory, timed out or broke an
# invariant; the reproducer is copied to build-fuzz/artifacts/ and can be
# replayed with  build-fuzz/<target> <file>.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

SECONDS_PER_TARGET="${1:-20}"
shift || true
ALL_TARGETS=(fuzz_base64 fuzz_image_source fuzz_image_decode fuzz_model_load)
if [[ $# -gt 0 ]]; then TARGETS=("$@"); else TARGETS=("${ALL_TARGETS[@]}"); fi
if ! [[ "$SECONDS_PER_TARGET" =~ ^[0-9]+$ ]] || [[ "$SECONDS_PER_TARGET" -eq 0 ]]; then
  echo "usage: $0 [SECONDS_PER_TARGET] [TARGET...]" >&2
  exit 2
fi

BUILD="${FUZZ_BUILD_DIR:-$ROOT/build-fuzz}"
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
# Optional libFuzzer flags for repeatable, bounded runs (CI: scripts/test_fuzz.sh).
bounds=()
[[ -n "${FUZZ_SEED:-}" ]] && bounds+=(-seed="$FUZZ_SEED")
[[ -n "${FUZZ_RUNS:-}" ]] && bounds+=(-runs="$FUZZ_RUNS")
CMAKE="${CMAKE:-}"
if [[ -z "$CMAKE" ]]; then
  if [[ -x "$ROOT/.venv/bin/cmake" ]]; then CMAKE="$ROOT/.venv/bin/cmake"; else CMAKE=cmake; fi
fi
export CC="${CC:-clang}" CXX="${CXX:-clang++}"

# --- Build ------------------------------------------------------------------
generator=()
command -v ninja >/dev/null 2>&1 && [[ ! -f "$BUILD/CMakeCache.txt" ]] && generator=(-G Ninja)
"$CMAKE" -S "$ROOT/fuzz" -B "$BUILD" "${generator[@]}" >/dev/null
"$CMAKE" --build "$BUILD" -j "${FUZZ_JOBS:-1}" --target "${TARGETS[@]}"

# --- Run --------------------------------------------------------------------
SCRATCH="$(mktemp -d "${TMPDIR:-/tmp}/etvision-fuzz.XXXXXX")"
if [[ -z "${FUZZ_KEEP_DIR:-}" ]]; then trap 'rm -rf "$SCRATCH"' EXIT; fi
mkdir -p "$BUILD/artifacts"

# Leak checking stays on (LeakSanitizer runs at exit and on new inputs).
# The runtime's informational logging is filtered by etvision already.
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:allocator_may_return_null=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

status=0
summary=()
for target in "${TARGETS[@]}"; do
  # Past findings first: each file in fuzz/regressions/<target>/ is run once.
  regressions=("$ROOT/fuzz/regressions/$target"/*)
  if [[ -e "${regressions[0]}" ]]; then
    echo "=== $target: replaying ${#regressions[@]} regression input(s)"
    mkdir -p "$SCRATCH/tmp"
    if ! TMPDIR="$SCRATCH/tmp" "$BUILD/$target" -rss_limit_mb="${FUZZ_RSS_MB:-2048}" \
         -timeout=10 "${regressions[@]}" >"$SCRATCH/$target.regressions.log" 2>&1; then
      status=1
      echo "--- $target: a regression input fails again; end of its log:"
      grep -v -E '^(INFO|Running|Executed)' "$SCRATCH/$target.regressions.log" | tail -n 40
      summary+=("$target: REGRESSION INPUT FAILED (see fuzz/regressions/$target/)")
    fi
  fi

  corpus="$SCRATCH/corpus/$target"
  artifacts="$SCRATCH/artifacts/$target/"
  mkdir -p "$corpus" "$artifacts" "$SCRATCH/tmp"
  cp -R "$ROOT/fuzz/corpus/$target/." "$corpus/"
  log="$SCRATCH/$target.log"
  echo "=== $target: ${SECONDS_PER_TARGET}s on $(ls "$corpus" | wc -l) seed inputs"
  set +e
  # -timeout: one input taking longer than 10 s is a finding (a hang).
  # -max_len: large enough for the seed .pte files / base64 images.
  # TMPDIR: the targets' temp files (.pte copy, empty working directory).
  TMPDIR="$SCRATCH/tmp" "$BUILD/$target" "$corpus" \
    -max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb="${FUZZ_RSS_MB:-2048}" \
    -timeout=10 -max_len=65536 -print_final_stats=1 "${bounds[@]}" \
    -artifact_prefix="$artifacts" >"$log" 2>&1
  rc=$?
  set -e
  # The last status line (#N DONE/pulse/NEW ... cov: X ft: Y ...) and the
  # final-stats block.
  last="$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)"
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
  rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)"
  cov="$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")"
  ft="$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")"
  corp="$(sed -n 's/.* corp: \([^ ]*\).*/\1/p' <<<"$last")"
  line="$target: execs=${execs:-?} exec/s=${rate:-?} cov=${cov:-?} ft=${ft:-?} corpus=${corp:-?}"
  if [[ $rc -ne 0 ]] || ls "$artifacts" | grep -q .; then
    if [[ " ${FUZZ_NONFATAL_TARGETS:-} " == *" $target "* ]]; then
      line+=" FAILED (rc=$rc; non-fatal: FUZZ_NONFATAL_TARGETS)"
    else
      status=1
      line+=" FAILED (rc=$rc)"
    fi
    echo "--- $target failed; end of its log:"
    grep -v -E '^#[0-9]+' "$log" | tail -n 60
    for f in "$artifacts"*; do
      [[ -e "$f" ]] || continue
      cp "$f" "$BUILD/artifacts/${target}-$(basename "$f")"
      echo "reproducer: $BUILD/artifacts/${target}-$(basename "$f")  (replay: $BUILD/$target <file>)"
    done
  fi
  echo "$line"
  summary+=("$line")
done

echo
echo "=== fuzz summary (${SECONDS_PER_TARGET}s per target)"
printf '%s\n' "${summary[@]}"
[[ -n "${FUZZ_KEEP_DIR:-}" ]] && echo "scratch dir (logs, grown corpora): $SCRATCH"
exit $status
