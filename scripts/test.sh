#!/usr/bin/env bash
# The whole test suite: unit and integration tests, then Terraform's conformance samples
# (expressions and fmt) against the built binary. README.md names this command and
# .ci/run runs it. Debug builds: they compile much faster than release, and nothing here
# measures speed (benchmarks live in scripts/bench.py and docs/benchmarks.md).
set -euo pipefail
cd "$(dirname "$0")/.."

# The pg state backend's tests need a PostgreSQL server: a throwaway one on loopback unless
# SKYFORM_TEST_PG_URL already points at one (its tests each use their own schema).
if [ -z "${SKYFORM_TEST_PG_URL:-}" ]; then
  eval "$(./scripts/pg-test-server.sh start)"
  trap './scripts/pg-test-server.sh stop "$SKYFORM_TEST_PG_DIR"' EXIT
fi
export SKYFORM_TEST_PG_URL

cargo test --locked --no-fail-fast

shared="${SKYFORM_SHARED:-../shared}"
if [ -d "$shared/conformance" ]; then
  echo "== conformance: expressions (real Terraform's answers)"
  "$shared/conformance/check-expr.sh" target/debug/skyform
  echo "== conformance: fmt (real Terraform's answers)"
  "$shared/conformance/check-fmt.sh" target/debug/skyform
else
  echo "no $shared/conformance beside the repository; its cases also run from tests/fixtures in cargo test"
fi
