#!/usr/bin/env bash
# Compares the test build and link time of two commits (16 test crates, then one test crate)
# after touching src/lib.rs; see docs/benchmarks.md. Needs a clone of this repository at
# /tmp/ci-before (git clone . /tmp/ci-before).
set -e
cd /tmp/ci-before
export CARGO_TARGET_DIR=/tmp/ci-before/target
git checkout -q 1f4b865
cargo test --locked --no-run >/dev/null 2>&1
touch src/lib.rs
echo "== before (1f4b865, 16 test crates): touch src/lib.rs; cargo test --no-run"
/usr/bin/time -f "wall %e s, user %U s, sys %S s, maxrss %M KB" cargo test --locked --no-run 2>&1 | tail -1
git checkout -q 00d10bc
cargo test --locked --no-run >/dev/null 2>&1
touch src/lib.rs
echo "== after (00d10bc, one test crate): touch src/lib.rs; cargo test --no-run"
/usr/bin/time -f "wall %e s, user %U s, sys %S s, maxrss %M KB" cargo test --locked --no-run 2>&1 | tail -1
