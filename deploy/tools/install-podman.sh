#!/usr/bin/env bash
# Installs what the pod tests (tests/QuoteHelper.Pods.Tests) and deploy/image/build-local.sh need from Debian's own
# packages: podman (4.3 on bookworm), runc (crun refuses these machines' hybrid cgroup v1 layout) and debootstrap (the
# base image, since no registry is reachable). Idempotent: does nothing when all three are there. Needs root and apt.
# The tests run it when a tool is missing and FAIL (never skip) when one is still missing afterwards.
set -euo pipefail
missing=()
for tool in podman runc debootstrap; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-podman: podman, runc and debootstrap are installed"
  exit 0
fi
if [[ "$(id -u)" != 0 ]]; then
  echo "install-podman: missing ${missing[*]}; run as root (apt-get install -y podman runc debootstrap)" >&2
  exit 1
fi
echo "install-podman: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# With podman's recommended packages (netavark, aardvark-dns, catatonit, ...): kube play needs its networking.
apt-get install -y -qq podman runc debootstrap >/dev/null
for tool in podman runc debootstrap; do
  command -v "$tool" >/dev/null 2>&1 || { echo "install-podman: $tool still missing" >&2; exit 1; }
done
echo "install-podman: $(podman --version), $(runc --version | head -n 1)"
