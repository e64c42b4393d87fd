#!/usr/bin/env bash
# Runs every check ticketpool has, on a fresh machine: installs what it needs
# first. This is the README's test command and what .ci/run calls.
#
#   TICKETPOOL_LONG=1   longer runs (200-cycle crash loop, long fuzzing)
#   TICKETPOOL_SKIP_PY=1, TICKETPOOL_SKIP_FUZZ=1   skip those stages
set -euo pipefail
cd "$(dirname "$0")/.."

# Each stage says how long it took, and the end (pass or fail) lists them
# all, so a slow stage shows up in the log.
stage="" stage_start=$SECONDS timings=()
end_stage() {
  [ -n "$stage" ] || return 0
  local took=$((SECONDS - stage_start))
  timings+=("$(printf '%5ds  %s' "$took" "$stage")")
  printf -- '--- %s: %ds\n' "$stage" "$took"
  stage=""
}
step() {
  end_stage
  stage="$*" stage_start=$SECONDS
  printf '\n==> %s\n' "$*"
}
summary() {
  local status=$?
  [ "$status" -eq 0 ] || printf '\n!!! failed in stage: %s\n' "${stage:-?}"
  end_stage
  printf '\nstage times (total %ds):\n' "$SECONDS"
  printf '%s\n' "${timings[@]}"
}
trap summary EXIT

# apt-get install, never fatal: the package may already be there, apt may be
# locked by another process or the machine offline. Returns apt's status.
apt_install() {
  command -v apt-get >/dev/null || { echo "no apt-get"; return 1; }
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "not root and no sudo"; return 1; }
    sudo="sudo -n"
  fi
  # Wait a while for a lock held by another apt, then give up.
  local apt=($sudo env DEBIAN_FRONTEND=noninteractive apt-get -qq
             -o DPkg::Lock::Timeout=120 -o Acquire::Retries=1)
  # A stale package list is often enough; update only if that fails.
  "${apt[@]}" install -y "$@" && return 0
  "${apt[@]}" update && "${apt[@]}" install -y "$@"
}

# Runs "$@" holding a lock on rustup's home directory (flock on the
# directory itself: no file is made). rustup has no lock of its own: two runs
# of this script at once on a new machine installed rust-src together and
# one failed ("detected conflict"). Without flock, runs "$@" as it is.
with_rustup_lock() {
  local home=${RUSTUP_HOME:-$HOME/.rustup}
  if command -v flock >/dev/null && [ -d "$home" ]; then
    flock "$home" "$@"
  else
    "$@"
  fi
}

step "browser for the frontend test (chromium, chromium-driver)"
# Non-fatal: without them ticketpool-server/tests/browser.rs prints SKIPPED.
if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
  echo "already installed"
else
  apt_install chromium chromium-driver \
    || echo "could not install chromium; the browser test will be skipped"
fi

step "rustfmt"
cargo fmt --all -- --check

step "layers (no import circle in any crate; the pool never imports the office)"
python3 scripts/check_layers.py

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
    # pg_ctl waits for startup, but a slow or loaded machine may still be
    # recovering: wait for the server to accept connections, up to 2 min.
    for _ in $(seq 1 240); do pg_ready && break; sleep 0.5; done
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
# The office's waiting line (the VIP rule across ticket types) is modelled
# inside the crate, on its private parts: only those tests run.
LOOM_MAX_PREEMPTIONS=2 LOOM_MAX_BRANCHES=10000 RUSTFLAGS="--cfg ticketpool_loom" \
  cargo test -p ticketpool-core --release --target-dir target/loom --lib office::line::loom_models
# The seats' all-or-nothing multi-seat claim, release and confirm.
LOOM_MAX_PREEMPTIONS=2 LOOM_MAX_BRANCHES=10000 RUSTFLAGS="--cfg ticketpool_loom" \
  cargo test -p ticketpool-seats --release --target-dir target/loom --test loom_seats

step "miri (lock-free ring unit tests)"
# miri checks the ring's unsafe slot accesses, item drops and hand-offs
# between threads; the tests shrink their loops under cfg(miri).
if ! rustup toolchain list | grep -q '^nightly'; then
  echo "miri: skipped: no nightly toolchain on this machine (miri needs one)"
else
  if ! cargo +nightly miri --version >/dev/null 2>&1; then
    with_rustup_lock rustup +nightly component add miri || true
  fi
  if ! cargo +nightly miri --version >/dev/null 2>&1; then
    echo "miri: skipped: the miri component is not installed and could not be installed"
  else
    # `miri setup` fetches rust-src and builds miri's sysroot the first
    # time; a second try covers another rustup install racing this one
    # outside this script (seen once: "could not rename 'downloaded' file").
    with_rustup_lock cargo +nightly miri setup >/dev/null 2>&1 \
      || with_rustup_lock cargo +nightly miri setup
    cargo +nightly miri test -p ticketpool-core --target-dir target/miri --lib pool::lockfree
  fi
fi

step "docs (-D warnings)"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps

step "benches (built, then each run once: criterion's --test mode)"
# Building alone let a bench that panics at run time go unnoticed.
cargo bench --workspace -- --test

step "fuzz (cargo-fuzz on nightly, each target for a short run)"
# Short runs by default; TICKETPOOL_LONG=1 or TICKETPOOL_FUZZ_SECS=N for longer.
# New inputs go to target/fuzz-corpus/, so the committed seeds stay as they are.
fuzz_secs=${TICKETPOOL_FUZZ_SECS:-20}
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
  if [[ ! -x $venv/bin/python ]]; then
    rm -rf "$venv"
    # Debian ships venv separately (python3-venv).
    python3 -m venv "$venv" || { apt_install python3-venv && rm -rf "$venv" && python3 -m venv "$venv"; }
  fi
  # Install the tools only when missing: offline but already set up works.
  if ! "$venv/bin/python" -c 'import maturin, pytest, pytest_timeout, mypy, typing_extensions' 2>/dev/null; then
    "$venv/bin/pip" install -q maturin pytest pytest-timeout mypy typing_extensions
  fi
  # What the README tells Python users to do must work as written. Offline,
  # pip cannot fetch maturin into an isolated build: use the venv's.
  "$venv/bin/pip" install -q ./ticketpool-py \
    || "$venv/bin/pip" install -q --no-build-isolation ./ticketpool-py
  rm -rf target/wheels
  "$venv/bin/maturin" build --release -m ticketpool-py/Cargo.toml -o target/wheels
  "$venv/bin/pip" install -q --force-reinstall --no-deps target/wheels/ticketpool-*.whl
  # pytest exits 5 when it collects nothing: a failure here, not a pass.
  pytest_status=0
  "$venv/bin/python" -m pytest -q ticketpool-py/tests || pytest_status=$?
  if [[ $pytest_status -eq 5 ]]; then
    echo "pytest collected no tests from ticketpool-py/tests: failing" >&2
    exit 1
  elif [[ $pytest_status -ne 0 ]]; then
    exit "$pytest_status"
  fi
  "$venv/bin/python" -m mypy --strict ticketpool-py/examples/*.py
  "$venv/bin/python" -m mypy.stubtest ticketpool --allowlist ticketpool-py/stubtest-allowlist.txt
fi

end_stage
echo
echo "all checks passed"
