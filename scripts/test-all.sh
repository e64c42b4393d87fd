#!/usr/bin/env bash
# Runs every check ticketpool has, on a fresh machine: installs what it needs
# first. This is the README's test command and what .ci/run calls.
#
#   TICKETPOOL_LONG=1   longer runs (200-cycle crash loop, long fuzzing)
#   TICKETPOOL_SKIP_PY=1, TICKETPOOL_SKIP_FUZZ=1   skip those stages
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "browser for the dashboard test (chromium, chromium-driver)"
# Non-fatal: without them tests/dashboard_browser.rs prints SKIPPED.
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  if command -v apt-get >/dev/null; then
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo -n"
    { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver; } \
      || echo "could not install chromium; the browser test will be skipped"
  else
    echo "no apt-get; the browser test will be skipped"
  fi
fi

step "rustfmt"
cargo fmt --all -- --check

step "clippy (all targets, -D warnings)"
cargo clippy --workspace --all-targets -- -D warnings

step "PostgreSQL for the journal tests (127.0.0.1:5432, or TICKETPOOL_PG_URL)"
# Starts an installed but stopped server and creates the `test` database;
# without a server the PostgreSQL journal tests skip and say so.
pg_ready() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }
if [ -n "${TICKETPOOL_PG_URL:-}" ]; then
  echo "using TICKETPOOL_PG_URL"
elif ! command -v pg_isready >/dev/null 2>&1; then
  echo "PostgreSQL is not installed: the PostgreSQL journal tests will be SKIPPED"
else
  if ! pg_ready && command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    pg_version=$(ls /etc/postgresql | sort -V | tail -n 1)
    echo "starting PostgreSQL $pg_version"
    pg_ctlcluster --skip-systemctl-redirect "$pg_version" main start || true
    for _ in $(seq 1 20); do pg_ready && break; sleep 0.5; done
  fi
  if pg_ready; then
    if ! psql -h 127.0.0.1 -U postgres -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = 'test'" | grep -q 1; then
      createdb -h 127.0.0.1 -U postgres test
    fi
    # A server is here: its tests must run, not skip.
    export TICKETPOOL_PG_REQUIRED=1
    echo "PostgreSQL is up: the PostgreSQL journal tests will run"
  else
    echo "PostgreSQL is not running and could not be started: the PostgreSQL journal tests will be SKIPPED"
  fi
fi

step "tests"
cargo test --workspace --release

step "loom models (LOOM_MAX_PREEMPTIONS=2, release)"
LOOM_MAX_PREEMPTIONS=2 LOOM_MAX_BRANCHES=10000 RUSTFLAGS="--cfg ticketpool_loom" \
  cargo test -p ticketpool-core --release --target-dir target/loom --test loom_pools

step "docs (-D warnings)"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps

step "benches build"
cargo bench --workspace --no-run

step "fuzz (cargo-fuzz on nightly, each target for a short run)"
# Short runs by default; TICKETPOOL_LONG=1 or TICKETPOOL_FUZZ_SECS=N for longer.
# New inputs go to target/fuzz-corpus/, so the committed seeds stay as they are.
fuzz_secs=${TICKETPOOL_FUZZ_SECS:-45}
if [[ "${TICKETPOOL_LONG:-0}" == 1 && -z "${TICKETPOOL_FUZZ_SECS:-}" ]]; then fuzz_secs=600; fi
if [[ "${TICKETPOOL_SKIP_FUZZ:-0}" == 1 ]]; then
  echo "fuzz: skipped (TICKETPOOL_SKIP_FUZZ=1)"
elif ! rustup toolchain list | grep -q '^nightly'; then
  echo "fuzz: skipped: no nightly toolchain on this machine (cargo-fuzz needs one)"
else
  if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked || true
  fi
  if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    echo "fuzz: skipped: cargo-fuzz is not installed and could not be installed"
  else
    # The journal seed must still be a journal this build recovers.
    (cd fuzz && cargo test -q --test journal_seed)
    for target in $(cd fuzz && cargo +nightly fuzz list); do
      mkdir -p "target/fuzz-corpus/$target"
      (cd fuzz && cargo +nightly fuzz run "$target" "../target/fuzz-corpus/$target" "corpus/$target" \
        -- -max_total_time="$fuzz_secs")
    done
  fi
fi

if [[ "${TICKETPOOL_SKIP_PY:-0}" != 1 ]]; then
  step "python: venv, wheel, pytest, mypy --strict, stubtest"
  venv=target/py-venv
  [[ -x $venv/bin/python ]] || python3 -m venv "$venv"
  "$venv/bin/pip" install -q maturin pytest pytest-timeout mypy typing_extensions
  # What the README tells Python users to do must work as written.
  "$venv/bin/pip" install -q ./ticketpool-py
  rm -rf target/wheels
  "$venv/bin/maturin" build --release -m ticketpool-py/Cargo.toml -o target/wheels
  "$venv/bin/pip" install -q --force-reinstall --no-deps target/wheels/ticketpool-*.whl
  # pytest exits 5 when it collects nothing: a failure here, not a pass.
  "$venv/bin/python" -m pytest -q ticketpool-py/tests
  "$venv/bin/python" -m mypy --strict ticketpool-py/examples/*.py
  "$venv/bin/python" -m mypy.stubtest ticketpool --allowlist ticketpool-py/stubtest-allowlist.txt
fi

echo
echo "all checks passed"
