#!/usr/bin/env bash
# Installs the independent verifier of the differential test (npm @phala/dcap-qvl, pinned by package-lock.json) into
# node_modules/ beside this script. Needs node and npm (Debian: apt-get install nodejs npm). Run by the tests on first use
# (tests/QuoteHelper.Testing/DcapQvlPackage.cs), once per clone.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
# Test assemblies run in parallel and more than one may install at once: one at a time (npm ci replaces node_modules),
# and a second caller finds the package installed.
exec 9>.install.lock
flock 9
if [[ -f node_modules/@phala/dcap-qvl/package.json ]] && [[ -z "${FORCE_INSTALL:-}" ]]; then
  echo "install.sh: @phala/dcap-qvl is installed"
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "install.sh: npm is missing (Debian: apt-get install -y nodejs npm)" >&2
  exit 1
fi
npm ci --no-audit --no-fund --loglevel=error
