#!/usr/bin/env bash
# The project's test command (README, .ci/run). Builds and runs every test project against a real
# Azurite, then prints one final line "N passed, N failed[, N skipped]" counted from the TRX
# results, so a run that executed no test cannot pass unnoticed.
#
#   bash scripts/test.sh                                 the whole solution
#   bash scripts/test.sh --filter FullyQualifiedName~X   extra arguments go to `dotnet test`
#   ATLAS_TEST_TARGET=path/to.csproj bash scripts/test.sh   test one project instead of Atlas.sln
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

TARGET="${ATLAS_TEST_TARGET:-Atlas.sln}"
RESULTS="$ROOT/TestResults"
CHROMIUM=/usr/bin/chromium

log() { echo "test.sh: $*" >&2; }
die() { log "$*"; exit 1; }

require_tools() {
  local tool
  for tool in dotnet node npm; do
    command -v "$tool" >/dev/null || die "'$tool' is not on PATH; the tests need the .NET 10 SDK and Node.js with npm (for Azurite)"
  done
}

# Installs Debian packages the tests need with apt-get, through `sudo -n` when not root. $1 says what they are for;
# when they cannot be installed this says why and returns non-zero, and the tests that need them fail saying so.
apt_install() {
  local purpose=$1; shift
  command -v apt-get >/dev/null || { log "$* missing and apt-get is not available ($purpose)"; return 1; }
  local sudo=()
  if [[ "$(id -u)" != 0 ]]; then
    command -v sudo >/dev/null || { log "$* missing and installing needs root ($purpose)"; return 1; }
    sudo=(sudo -n)
  fi
  # Without recommends: docker-compose would bring a whole docker.io (283 MB) and python3-torch a compiler
  # tool chain, none of which the tests use; a CI disk has little room. The downloaded .debs go afterwards.
  local apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get)
  log "installing $* with apt-get ($purpose)"
  "${apt[@]}" install -y -qq --no-install-recommends "$@" >&2 \
    || { "${apt[@]}" update -qq && "${apt[@]}" install -y -qq --no-install-recommends "$@" >&2; } \
    || { log "apt-get could not install $* ($purpose)"; return 1; }
  "${apt[@]}" clean || true
}

# Browser tests drive Debian's chromium (never a downloaded browser), installed only when missing.
ensure_chromium() {
  [[ -x "$CHROMIUM" ]] || apt_install "the site's browser tests" chromium || return 0
  export ATLAS_TEST_CHROMIUM="$CHROMIUM"
}

# docker-compose.yml is validated with `docker-compose config` (there is no Docker engine here, but
# Debian's docker-compose parses and resolves the file). Installed only when missing.
ensure_docker_compose() {
  if command -v docker-compose >/dev/null || docker compose version >/dev/null 2>&1; then return 0; fi
  apt_install "to validate docker-compose.yml" docker-compose || true
}

# scripts/export-torchscript.py and the checkpoint readers are tested with a real PyTorch and torchvision (whose
# networks are checked against the zoo's), and OmegaConf (a training checkpoint's configs): the first python3 that
# imports all three, or else Debian's python3-torch, python3-torchvision and python3-omegaconf.
ensure_python_torch() {
  local candidate
  for candidate in python3 /usr/bin/python3; do
    if command -v "$candidate" >/dev/null && "$candidate" -c 'import torch, torchvision, omegaconf' 2>/dev/null; then
      export ATLAS_TEST_PYTHON="$(command -v "$candidate")"
      return 0
    fi
  done
  apt_install "to test scripts/export-torchscript.py and training checkpoints" python3-torch python3-torchvision python3-omegaconf || return 0
  if /usr/bin/python3 -c 'import torch, torchvision, omegaconf' 2>/dev/null; then export ATLAS_TEST_PYTHON=/usr/bin/python3; fi
}

# Reuse an Azurite that is already listening (and leave it running); otherwise start one, and stop
# it however this script ends (the EXIT trap covers errors and Ctrl-C; stop_azurite the normal path).
STARTED_AZURITE=0
start_azurite() {
  if (exec 3<>/dev/tcp/127.0.0.1/10000) 2>/dev/null; then
    log "reusing the Azurite already listening on 127.0.0.1:10000"
  else
    STARTED_AZURITE=1
    bash "$ROOT/scripts/azurite.sh" start
  fi
  export ATLAS_TEST_AZURITE_BLOB="http://127.0.0.1:10000/devstoreaccount1"
}

stop_azurite() {
  if (( STARTED_AZURITE )); then
    STARTED_AZURITE=0
    bash "$ROOT/scripts/azurite.sh" stop || true
  fi
}

# The tests' scratch folders (stores, checkpoints, sites, Azurite data of the cluster tests) go under a
# folder of this run's own, removed however the run ends: they add up to about 550 MB a run, and a CI
# disk has no room to keep them.
SUITE_TMP=""
make_suite_tmp() {
  SUITE_TMP="$(mktemp -d "${TMPDIR:-/tmp}/atlas-suite.XXXXXX")"
  export TMPDIR="$SUITE_TMP"
}

remove_suite_tmp() {
  if [[ -n "$SUITE_TMP" ]]; then
    rm -rf "$SUITE_TMP" || log "could not remove $SUITE_TMP"
    SUITE_TMP=""
  fi
}

cleanup() {
  stop_azurite
  remove_suite_tmp
}
trap cleanup EXIT

# Value of attribute $1 in the XML element text $2 (0 when absent).
attr() {
  local value
  value="$(sed -n "s/.*[[:space:]]$1=\"\([0-9]*\)\".*/\1/p" <<<"$2")"
  echo "${value:-0}"
}

# The pixel code (resampler, byte widening) has vector paths and scalar fallbacks. Its tests run again with
# the runtime's SIMD off and with Vector<T> at 128 bits (an ARM64 host's width), so the fallbacks and the
# narrower lanes are checked against Pillow's output here too; SimdWidthTests proves each run got its width.
# Only for the whole suite: a filtered or single-project run skips them.
SIMD_TESTS="FullyQualifiedName~Atlas.Core.Tests.Data.ImageConformerTests|FullyQualifiedName~Atlas.Core.Tests.Data.PixelBytesTests|FullyQualifiedName~Atlas.Core.Tests.Data.SimdWidthTests"
run_simd_variants() {
  local variant setting bits
  for variant in "DOTNET_EnableHWIntrinsic=0 0" "DOTNET_MaxVectorTBitWidth=128 128"; do
    read -r setting bits <<<"$variant"
    log "pixel tests again with $setting"
    env "$setting" ATLAS_TEST_EXPECT_VECTOR_BITS="$bits" dotnet test tests/Atlas.Core.Tests/Atlas.Core.Tests.csproj -c Release --no-build \
      --filter "$SIMD_TESTS" --logger "trx;LogFilePrefix=simd-$bits" --results-directory "$RESULTS" || status=$?
  done
}

# Sums the <Counters .../> of every TRX file into TOTAL, PASSED and FAILED.
TOTAL=0 PASSED=0 FAILED=0
count_results() {
  local files=0 trx counters
  while IFS= read -r -d '' trx; do
    counters="$(tr -d '\r\n' < "$trx" | grep -o '<Counters [^>]*>' | head -n 1 || true)"
    if [[ -z "$counters" ]]; then
      log "no <Counters> in $trx"
      continue
    fi
    files=$((files + 1))
    TOTAL=$((TOTAL + $(attr total "$counters")))
    PASSED=$((PASSED + $(attr passed "$counters")))
    # Errors, timeouts and aborts are failures too, not skips.
    FAILED=$((FAILED + $(attr failed "$counters") + $(attr error "$counters") + $(attr timeout "$counters") + $(attr aborted "$counters")))
  done < <(find "$RESULTS" -name '*.trx' -print0 2>/dev/null)
  log "$files test result file(s) in $RESULTS"
}

require_tools
ensure_chromium
ensure_docker_compose
ensure_python_torch
start_azurite
make_suite_tmp

rm -rf "$RESULTS"
status=0
dotnet test "$TARGET" -c Release --logger "trx;LogFilePrefix=atlas" --results-directory "$RESULTS" "$@" || status=$?
if [[ "$TARGET" == Atlas.sln && $# -eq 0 ]]; then run_simd_variants; fi

# Everything else is said before the summary, so that the summary is the very last line.
cleanup
count_results
if (( status != 0 )); then
  log "dotnet test failed (exit $status)"
elif (( PASSED == 0 )); then
  log "no test passed; a run that tests nothing is a failure"
  status=1
fi

skipped=$((TOTAL - PASSED - FAILED))
if (( skipped > 0 )); then
  echo "$PASSED passed, $FAILED failed, $skipped skipped"
else
  echo "$PASSED passed, $FAILED failed"
fi
exit "$status"
