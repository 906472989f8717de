#!/usr/bin/env bash
# The whole test suite: unit and integration tests, then Terraform's conformance samples
# (expressions and fmt) against the built binary. README.md names this command and
# .ci/run runs it. Debug builds: they compile much faster than release, and nothing here
# measures speed (benchmarks live in scripts/bench.py and docs/benchmarks.md).
set -euo pipefail
cd "$(dirname "$0")/.."

# Policy tools the ecosystem tests (tests/it/eco_policy.rs) run against skyform's JSON plan,
# pinned, from PyPI, into a virtualenv kept between runs (SKYFORM_ECO_VENV); its bin goes
# on PATH, where the tests look for them. A missing tool fails those tests by name.
ECO_VENV="${SKYFORM_ECO_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/skyform/eco-venv}"
ECO_TOOLS=(checkov==3.3.30 terraform-compliance==1.16.0)
if ! "$ECO_VENV/bin/python" -m pip show -q checkov terraform-compliance >/dev/null 2>&1 \
  || [ "$(cat "$ECO_VENV/.pinned" 2>/dev/null)" != "${ECO_TOOLS[*]}" ]; then
  echo "== installing ${ECO_TOOLS[*]} into $ECO_VENV"
  rm -rf "$ECO_VENV"
  python3 -m venv "$ECO_VENV"
  for attempt in 1 2 3; do
    if "$ECO_VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
      --retries 5 --timeout 60 "${ECO_TOOLS[@]}"; then
      echo "${ECO_TOOLS[*]}" > "$ECO_VENV/.pinned"
      break
    fi
    [ "$attempt" = 3 ] && { echo "could not install ${ECO_TOOLS[*]}" >&2; exit 1; }
    echo "pip install failed (attempt $attempt); retrying" >&2
    sleep $((attempt * 10))
  done
fi
export PATH="$ECO_VENV/bin:$PATH"
# checkov would otherwise try to download its guideline mappings on every run.
export BC_SKIP_MAPPING=TRUE

# The pg state backend's tests need a PostgreSQL server: a throwaway one on loopback unless
# SKYFORM_TEST_PG_URL already points at one (its tests each use their own schema).
if [ -z "${SKYFORM_TEST_PG_URL:-}" ]; then
  eval "$(./scripts/pg-test-server.sh start)"
  trap './scripts/pg-test-server.sh stop "$SKYFORM_TEST_PG_DIR"' EXIT
fi
export SKYFORM_TEST_PG_URL

cargo test --locked --no-fail-fast

echo "== independent servers' self-tests (tests/independent, Python standard library)"
python3 -m unittest discover -s tests/independent

shared="${SKYFORM_SHARED:-../shared}"
if [ -d "$shared/conformance" ]; then
  echo "== conformance: expressions (real Terraform's answers)"
  "$shared/conformance/check-expr.sh" target/debug/skyform
  echo "== conformance: fmt (real Terraform's answers)"
  "$shared/conformance/check-fmt.sh" target/debug/skyform
else
  echo "no $shared/conformance beside the repository; its cases also run from tests/fixtures in cargo test"
fi
