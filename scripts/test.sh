#!/usr/bin/env bash
# The whole test suite: unit and integration tests, then Terraform's conformance samples
# (expressions and fmt) against the release binary. README.md names this command.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --locked
cargo test --release --locked --no-fail-fast

shared="${SKYFORM_SHARED:-../shared}"
if [ -d "$shared/conformance" ]; then
  echo "== conformance: expressions"
  "$shared/conformance/check-expr.sh" target/release/skyform
  echo "== conformance: fmt"
  "$shared/conformance/check-fmt.sh" target/release/skyform
else
  # The same checks run from tests/ on the copies kept in tests/fixtures.
  echo "no $shared/conformance here; fixture copies were checked by cargo test"
fi
