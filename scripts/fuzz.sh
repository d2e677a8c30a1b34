#!/usr/bin/env bash
# Fuzzes tc3-edge with cargo-fuzz (libFuzzer): every target in fuzz/ for N seconds each, one
# after another (the machine has 2 cores), then a table of executions, coverage and crashes.
#
#   scripts/fuzz.sh [seconds-per-target] [target ...]     # default 60 s, all targets
#
# - Installs cargo-fuzz when it is missing (`cargo install cargo-fuzz`, from crates.io).
# - Stable Rust only: cargo-fuzz passes -Z flags (sanitizer, coverage passes), which stable
#   rustc accepts with RUSTC_BOOTSTRAP=1; it is set unless the active rustc is a nightly.
# - Runs libFuzzer in fork mode with -ignore_crashes=1, so a target that crashes keeps being
#   fuzzed for its whole time. Crash inputs stay in fuzz/artifacts/<target>/ (ignored by git);
#   the script lists the 3 smallest. Keeping one is a decision (a fix and a regression test go
#   with it), so nothing is copied into the tracked fuzz/regressions/<target>/ unless asked:
#     FUZZ_KEEP_CRASHES=1 scripts/fuzz.sh ...      # copies the 3 smallest of each crashing target
#   Reproduce one with
#     RUSTC_BOOTSTRAP=1 cargo fuzz run <target> fuzz/artifacts/<target>/<file>
# - Seeds: fuzz/seeds/<target>/ (in git, only read); the growing corpus: fuzz/corpus/<target>/
#   (ignored). So a run leaves `git status` clean.
# Exits 1 if any target crashed (or failed to build/run), 0 otherwise.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

SECS=${1:-60}
shift || true
case "$SECS" in '' | *[!0-9]*) echo "usage: $0 [seconds-per-target] [target ...]" >&2; exit 2 ;; esac

if ! command -v cargo-fuzz >/dev/null 2>&1; then
  echo "== installing cargo-fuzz"
  cargo install cargo-fuzz --locked || { echo "could not install cargo-fuzz" >&2; exit 1; }
fi
if ! rustc --version | grep -q nightly; then
  export RUSTC_BOOTSTRAP=1
fi

if [ $# -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo fuzz list 2>/dev/null)
fi
[ ${#targets[@]} -gt 0 ] || { echo "no fuzz targets found" >&2; exit 1; }

echo "== building ${#targets[@]} targets ($(rustc --version))"
mkdir -p fuzz/artifacts
cargo fuzz build >/dev/null 2>fuzz/artifacts/build.log || { cat fuzz/artifacts/build.log >&2; exit 1; }

status=0
rows=()
crash_files=()
for t in "${targets[@]}"; do
  corpus="fuzz/corpus/$t"
  artifacts="fuzz/artifacts/$t"
  seeds="fuzz/seeds/$t"
  mkdir -p "$corpus" "$artifacts" "$seeds"
  log="$artifacts/fuzz.log"
  before=$(find "$artifacts" -maxdepth 1 -type f -name 'crash-*' | wc -l)
  echo "== fuzzing $t for ${SECS}s (log: $log)"
  cargo fuzz run "$t" "$corpus" "$seeds" -- \
    -max_total_time="$SECS" -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
    -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$artifacts/" -print_final_stats=1 \
    >"$log" 2>&1
  rc=$?
  # Fork mode reports `#<execs>: cov: <n> ft: <n> corp: <n> exec/s: <n> oom/timeout/crash: a/b/c time: <s>s ...`.
  last=$(grep -E '^#[0-9]+: cov:' "$log" | tail -1)
  execs=$(sed -nE 's/^#([0-9]+):.*/\1/p' <<<"$last")
  cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")
  corp=$(sed -nE 's/.* corp: ([0-9]+).*/\1/p' <<<"$last")
  rate=$(sed -nE 's/.* exec\/s:? ([0-9]+).*/\1/p' <<<"$last")
  crashes=$(sed -nE 's/.*oom\/timeout\/crash: ([0-9]+)\/([0-9]+)\/([0-9]+).*/\1\/\2\/\3/p' <<<"$last")
  after=$(find "$artifacts" -maxdepth 1 -type f -name 'crash-*' | wc -l)
  new=$((after - before))
  if [ "$new" -gt 0 ]; then
    # Fork mode writes one file per crashing job (often the same bug): the 3 smallest matter.
    smallest=$(find "$artifacts" -maxdepth 1 -type f -name 'crash-*' -printf '%s %p\n' | sort -n | head -3 | cut -d' ' -f2-)
    crash_files+=("$smallest")
    if [ "${FUZZ_KEEP_CRASHES:-0}" = 1 ]; then
      mkdir -p "fuzz/regressions/$t"
      while read -r f; do cp -n "$f" "fuzz/regressions/$t/"; done <<<"$smallest"
    fi
    status=1
  fi
  if [ -z "$last" ] || { [ $rc -ne 0 ] && [ "$new" -eq 0 ]; }; then
    echo "   $t did not run cleanly (exit $rc); tail of $log:" >&2
    tail -20 "$log" >&2
    status=1
  fi
  rows+=("$(printf '%-24s %8ss %14s %10s %7s %7s %19s %9s' "$t" "$SECS" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${corp:-?}" "${crashes:-?}" "$new")")
done

echo
printf '%-24s %9s %14s %10s %7s %7s %19s %9s\n' target time executions exec/s cov corpus oom/timeout/crash "new-crash"
printf '%s\n' "${rows[@]}"
if [ ${#crash_files[@]} -gt 0 ]; then
  echo
  echo "new crash inputs, the 3 smallest per target (reproduce: RUSTC_BOOTSTRAP=1 cargo fuzz run <target> <file>):"
  printf '%s\n' "${crash_files[@]}" | sed 's/^/  /'
  if [ "${FUZZ_KEEP_CRASHES:-0}" = 1 ]; then
    echo "copied to fuzz/regressions/<target>/ (tracked): commit them with the fix"
  else
    echo "not copied anywhere tracked; FUZZ_KEEP_CRASHES=1 copies them to fuzz/regressions/<target>/"
  fi
fi
exit $status
