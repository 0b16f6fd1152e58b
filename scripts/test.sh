#!/usr/bin/env bash
# Runs every test. The one command for users and CI (.ci/run calls it):
#
#   scripts/test.sh
#
# 1. checks prerequisites and installs the Python tools into .venv (prereqs.sh);
# 2. formatting and lints: rustfmt and clippy; ruff and shellcheck;
# 3. the workspace's unit and integration tests (statussvc's against the real
#    Docker daemon: no daemon is a failure, never a skip);
# 4. builds the images locally (build-images.sh);
# 5. e2e/: configuration against the official schemas and hadolint, the socket
#    proxy's policy, schemathesis against both OpenAPI documents, and the
#    shipped docker-compose.yml end to end through the real Traefik.
set -euo pipefail
# shellcheck source=scripts/prereqs.sh
source "$(dirname "${BASH_SOURCE[0]}")/prereqs.sh"
cd "$ROOT"

step() { printf '\n==> %s\n' "$*"; }

step "rustfmt and clippy"
cargo fmt --all --check
cargo clippy --workspace --all-targets --locked --quiet -- -D warnings

step "ruff (Python) and shellcheck (shell)"
ruff check --quiet .
ruff format --check --quiet .
shellcheck -x scripts/*.sh .ci/run

step "workspace tests (statussvc's against the real Docker daemon)"
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --locked --no-fail-fast
else
  echo "(cargo-nextest not installed: using cargo test; install it with: cargo install cargo-nextest --locked)"
  cargo test --workspace --locked --no-fail-fast
fi

step "images (built locally; see scripts/build-images.sh)"
scripts/build-images.sh

step "configuration, socket proxy, API contracts, end to end (e2e/), with ${COMPOSE[*]}"
COMPOSE="${COMPOSE[*]}" "$VENV/bin/python" -m pytest -q -p no:cacheprovider e2e "$@"

if (($# == 0)); then
  step "the assembly end to end again, with Docker Compose v2 ($COMPOSE_V2)"
  COMPOSE="$COMPOSE_V2" "$VENV/bin/python" -m pytest -q -p no:cacheprovider \
    e2e/test_assembly.py e2e/test_isolation.py e2e/test_rate_limit.py
fi
