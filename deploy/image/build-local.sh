#!/usr/bin/env bash
# Builds the quote-helper image (Dockerfile target "simulation") with podman WITHOUT a registry or NuGet inside the
# build: the same deploy/docker/Dockerfile, with its base and /app given as build arguments.
#   1. base: `debootstrap --variant=minbase --include=libssl3,ca-certificates bookworm` (the self-contained CLI needs
#      OpenSSL; nothing else), cached as .artifacts/image/base-<hash of the recipe below>.tar (a debootstrap takes
#      minutes), imported as BASE_IMAGE (skipped when podman already has BASE_IMAGE);
#   2. app: `dotnet publish src/QuoteHelper.Cli -r linux-x64 --self-contained` on the host into .artifacts/image/app/
#      (intermediate files under .artifacts/image/build/, not the projects' own obj/ that other builds share);
#   3. `podman build --build-arg RUNTIME_IMAGE=BASE_IMAGE --build-arg APP_SOURCE=prebuilt --target simulation`.
# Usage: deploy/image/build-local.sh [IMAGE [BASE_IMAGE]]
#        deploy/image/build-local.sh --remove IMAGE [BASE_IMAGE]
#   IMAGE       default localhost/quote-helper:local
#   BASE_IMAGE  default localhost/quote-helper-base:<hash>
#   --remove    removes IMAGE, the intermediate stage images of its build (podman build keeps them; they carry the
#               label io.quote-helper.local-build=IMAGE) and BASE_IMAGE, by name or id only.
# Environment: CONTAINERS_CONF (default deploy/podman/containers.conf), DEBIAN_MIRROR (default deb.debian.org).
# Needs root, podman, runc and debootstrap (deploy/tools/install-podman.sh) and the .NET SDK. The caller owns the
# images: remove them with --remove when done.
set -euo pipefail
remove=false
if [[ "${1:-}" == "--remove" ]]; then
  remove=true
  shift
  [[ $# -ge 1 ]] || { echo "usage: $0 --remove IMAGE [BASE_IMAGE]" >&2; exit 64; }
fi
script="$(readlink -f "${BASH_SOURCE[0]}")"
repo="$(cd "$(dirname "$script")/../.." && pwd)"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$repo/deploy/podman/containers.conf}"
# The base: what debootstrap installs and what is removed afterwards. Its hash keys the cached tar, so a change
# here (and only here) makes a new base.
debootstrap_args=(--variant=minbase --include=libssl3,ca-certificates bookworm)
strip_paths=(var/cache/apt/archives var/lib/apt/lists usr/share/doc usr/share/man usr/share/locale)
key="$(printf '%s\n' "${debootstrap_args[@]}" -- "${strip_paths[@]}" | sha256sum | cut -c1-16)"
image="${1:-localhost/quote-helper:local}"
base_image="${2:-localhost/quote-helper-base:$key}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
artifacts="$repo/.artifacts/image"
base_tar="$artifacts/base-$key.tar"
label="io.quote-helper.local-build=$image"

log() { echo "build-local: $(date -u +%T) $*" >&2; }

if $remove; then
  status=0
  # The image first (with its untagged parent layers), then what is left of its build, then the base.
  if podman image exists "$image"; then podman rmi "$image" >/dev/null || status=1; fi
  mapfile -t leftovers < <(podman images --all --quiet --no-trunc --filter "label=$label" | sort -u)
  if [[ ${#leftovers[@]} -gt 0 ]]; then podman rmi "${leftovers[@]}" >/dev/null || status=1; fi
  if podman image exists "$base_image"; then podman rmi "$base_image" >/dev/null || status=1; fi
  exit "$status"
fi

mkdir -p "$artifacts"

# ---- 1. the base image ------------------------------------------------------------------------------------------
if [[ ! -s "$base_tar" ]]; then
  log "debootstrap ${debootstrap_args[*]} from $mirror (minutes; cached as $base_tar)"
  rootfs="$(mktemp -d "$artifacts/rootfs.XXXXXX")"
  trap 'rm -rf "$rootfs" "$base_tar.tmp"' EXIT
  debootstrap "${debootstrap_args[@]}" "$rootfs" "$mirror" >"$rootfs.log" 2>&1 \
    || { tail -n 20 "$rootfs.log" >&2; rm -f "$rootfs.log"; exit 1; }
  rm -f "$rootfs.log"
  # Package caches and documentation are no part of an image.
  for path in "${strip_paths[@]}"; do
    if [[ -d "$rootfs/$path" ]]; then find "$rootfs/$path" -mindepth 1 -delete; fi
  done
  tar --numeric-owner -C "$rootfs" -cf "$base_tar.tmp" .
  mv "$base_tar.tmp" "$base_tar"
  rm -rf "$rootfs"
  trap - EXIT
  # Older bases are of no use once the script changed.
  find "$artifacts" -maxdepth 1 -name 'base-*.tar' ! -name "base-$key.tar" -delete
fi
if ! podman image exists "$base_image"; then
  log "importing $base_tar as $base_image"
  podman import --quiet "$base_tar" "$base_image" >/dev/null
fi

# ---- 2. the self-contained CLI ----------------------------------------------------------------------------------
log "dotnet publish (self-contained, linux-x64) into $artifacts/app"
rm -rf "$artifacts/app"
dotnet publish "$repo/src/QuoteHelper.Cli/QuoteHelper.Cli.csproj" -c Release -r linux-x64 --self-contained \
  -p:UseAppHost=true --artifacts-path "$artifacts/build" -o "$artifacts/app" --nologo -v quiet >&2
[[ -x "$artifacts/app/quote-helper" ]] || { log "no $artifacts/app/quote-helper after publish"; exit 1; }

# ---- 3. the image -----------------------------------------------------------------------------------------------
log "podman build $image (target simulation, base $base_image)"
# --format docker keeps the HEALTHCHECK (OCI has none); the label marks the intermediate stage images for --remove.
podman build --quiet --format docker --label "$label" -f "$repo/deploy/docker/Dockerfile" --target simulation \
  --build-arg RUNTIME_IMAGE="$base_image" --build-arg APP_SOURCE=prebuilt \
  --tag "$image" "$repo" >/dev/null
echo "$image"
