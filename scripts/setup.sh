#!/usr/bin/env bash
# Set up a fresh Debian/Ubuntu machine for this project: the Debian packages the tests use
# (redis-server and redis-tools for the real-server tests and benchmarks, docker.io for the container test,
# openssl for the local TLS certificates, iproute2 for the test dockerd's bridge), then the pinned npm packages from
# package-lock.json. That is all `npm run synth` and `npm run review` need. The verification tools (a Terraform
# engine, the providers in an offline mirror, checkov, moto: README "Verification with the real tools") are built
# when something first needs them (`npm test`, `npm run validate`, `deploy:local`, `.ci/run`) by
# scripts/tools/setup-tools.sh, and cached outside the clone.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=()
command -v redis-server >/dev/null 2>&1 || packages+=(redis-server)
command -v redis-benchmark >/dev/null 2>&1 || packages+=(redis-tools)
command -v dockerd >/dev/null 2>&1 || packages+=(docker.io)
command -v openssl >/dev/null 2>&1 || packages+=(openssl)
command -v ip >/dev/null 2>&1 || packages+=(iproute2)   # the Docker test gives its dockerd its own bridge
[ -x /usr/bin/time ] || packages+=(time)                 # peak memory of the tool builds (time -v)
if [ ${#packages[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing Debian packages: ${packages[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi

# the redis-server package starts a system service on 6379; the project never uses it
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet redis-server 2>/dev/null; then
  echo "setup: note: a system redis-server is running on 6379; the tests use their own ports"
fi

# npm ci deletes node_modules and installs again (about 30 s here even from npm's cache); skip it when the last one
# installed exactly this package-lock.json with this Node and npm
stamp="node_modules/.isl-setup-installed"
want="$(sha256sum package-lock.json | cut -d' ' -f1) node $(node --version) npm $(npm --version)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "setup: npm packages already installed from this package-lock.json (delete node_modules to reinstall)"
else
  echo "setup: installing npm packages (npm ci)"
  npm ci --no-audit --no-fund
  echo "$want" > "$stamp"
fi
echo "setup: done; the verification tools are built on first use (npm test, npm run validate, deploy:local)"
