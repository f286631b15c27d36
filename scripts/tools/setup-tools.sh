#!/usr/bin/env bash
# The verification tools (README "Verification with the real tools"), called by scripts/setup.sh after npm ci: a Terraform engine,
# the providers in an offline filesystem mirror, checkov and moto. Everything lands in
# ${ISL_CACHE_TOOLS_DIR:-$HOME/.cache/isl-cache-tools}, keyed by version; a rerun skips whatever is already built.
# ISL_SETUP_PROVIDERS="random docker" builds only those provider types (default: every one in providers.json).
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
command -v node >/dev/null 2>&1 || { echo "setup: ERROR: node is needed (scripts/setup.sh installs the npm packages first)" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------------------------
# Verification tools. Everything below lands in $cache and is keyed by version; nothing is written into the clone
# or into the user's ~/.terraformrc.
cache="${ISL_CACHE_TOOLS_DIR:-$HOME/.cache/isl-cache-tools}"
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
data="$repo/scripts/tools/providers.json"
export CHECKPOINT_DISABLE=1
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-buildvcs=false"

# json FIELD...: reads providers.json with node (installed above) and prints one tab-separated line per provider
json() {
  node -e '
    const d = require(process.argv[1]);
    const [what, ...fields] = process.argv.slice(2);
    const rows = what === "opentofu" ? [d.opentofu] : what === "minimum" ? [{ v: d.minimumTerraform }] : d.providers;
    for (const r of rows) console.log(fields.map((f) => r[f]).join("\t"));
  ' "$data" "$@"
}

need_go() {
  if ! command -v go >/dev/null 2>&1; then
    echo "setup: ERROR: Go is needed to build $1 (the Terraform registry is not reachable, so the tools are built from the Go module proxy). Install Go >= 1.26 (the AWS provider needs 1.26.3) and rerun." >&2
    exit 1
  fi
}

# build NAME MODULE VERSION PACKAGE LDFLAGS OUTDIR BINARY: go mod download MODULE@VERSION, copy it to OUTDIR/src and
# `go build` PACKAGE there into OUTDIR/BINARY, timed with /usr/bin/time -v into OUTDIR/build.time. Copying (not
# `go install module@version`) is what works for modules with replace directives (OpenTofu); -trimpath keeps the
# copy's location out of the binary.
build() {
  local name=$1 module=$2 version=$3 pkg=$4 ldflags=$5 out=$6 binary=$7
  if [ -x "$out/$binary" ]; then
    echo "setup: $name: cached ($out/$binary)"
    return
  fi
  need_go "$name"
  echo "setup: $name: building $module@$version (first build: README "Verification with the real tools" gives the times measured)"
  mkdir -p "$out"
  local started dir
  started=$(date +%s)
  dir=$(cd "$out" && GOFLAGS=-mod=mod go mod download -json "$module@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
  if [ -z "$dir" ] || [ ! -d "$dir" ]; then
    echo "setup: ERROR: go mod download $module@$version gave no source directory" >&2
    exit 1
  fi
  rm -rf "$out/src" "$out/$binary.tmp"
  cp -r "$dir" "$out/src"
  chmod -R u+w "$out/src"
  local timer=()
  [ -x /usr/bin/time ] && timer=(/usr/bin/time -v -o "$out/build.time")
  if ! (cd "$out/src" && "${timer[@]}" go build -trimpath -ldflags "$ldflags" -o "../$binary.tmp" "$pkg") >"$out/build.log" 2>&1; then
    echo "setup: ERROR: building $name failed; the last lines of $out/build.log:" >&2
    tail -20 "$out/build.log" >&2
    exit 1
  fi
  mv "$out/$binary.tmp" "$out/$binary"
  rm -rf "$out/src"   # the module cache keeps the source
  echo "setup: $name: built in $(( $(date +%s) - started )) s${timer[*]:+, peak RSS $(sed -n 's/.*Maximum resident set size (kbytes): //p' "$out/build.time") KiB}"
}

goos=linux
goarch=$(go env GOARCH 2>/dev/null || dpkg --print-architecture)
platform="${goos}_${goarch}"

# 1. The engine: the machine's terraform when >= the minimum, else OpenTofu built from the Go module proxy.
minimum=$(json minimum v)
engine=""
engine_name=""
if [ -z "${ISL_FORCE_OPENTOFU:-}" ] && command -v terraform >/dev/null 2>&1; then
  tf_version=$(terraform version -json 2>/dev/null | node -e 'let s="";process.stdin.on("data",(c)=>s+=c).on("end",()=>{try{console.log(JSON.parse(s).terraform_version)}catch{console.log("")}})')
  if [ -n "$tf_version" ] && [ "$(printf '%s\n%s\n' "$minimum" "$tf_version" | sort -V | head -1)" = "$minimum" ]; then
    engine=$(command -v terraform)
    engine_name="terraform $tf_version"
    echo "setup: engine: $engine_name ($engine)"
  else
    echo "setup: terraform ${tf_version:-of unknown version} is older than $minimum: using OpenTofu instead"
  fi
fi
if [ -z "$engine" ]; then
  IFS=$'\t' read -r module version pkg ldflags tofu_version < <(json opentofu module moduleVersion package ldflags version)
  build "OpenTofu $tofu_version" "$module" "$version" "$pkg" "$ldflags" "$cache/opentofu-$tofu_version" tofu
  engine="$cache/opentofu-$tofu_version/tofu"
  engine_name="OpenTofu $tofu_version"
  echo "setup: engine: $engine_name ($engine)"
fi

# 2. The providers, built into $cache/providers/<type>-<module version>/ and linked into the filesystem mirror
#    $cache/mirror/<host>/<namespace>/<type>/<mirror version>/<os>_<arch>/ (the engine's "unpacked" layout).
mirror="$cache/mirror"
includes=()
while IFS=$'\t' read -r source pinned mirror_version module version pkg ldflags; do
  type=${source##*/}
  includes+=("\"$source\"")
  if [ -n "${ISL_SETUP_PROVIDERS:-}" ] && [[ " $ISL_SETUP_PROVIDERS " != *" $type "* ]]; then
    echo "setup: provider $source: skipped (ISL_SETUP_PROVIDERS=$ISL_SETUP_PROVIDERS)"
    continue
  fi
  out="$cache/providers/$type-$version"
  build "provider $source $mirror_version (for pins $pinned)" "$module" "$version" "$pkg" "${ldflags//\{mirrorVersion\}/$mirror_version}" "$out" "terraform-provider-$type"
  target="$mirror/$source/$mirror_version/$platform"
  if [ ! -x "$target/terraform-provider-${type}_v$mirror_version" ]; then
    mkdir -p "$target"
    ln -f "$out/terraform-provider-$type" "$target/terraform-provider-${type}_v$mirror_version" 2>/dev/null \
      || cp "$out/terraform-provider-$type" "$target/terraform-provider-${type}_v$mirror_version"
    echo "setup: mirror: $source $mirror_version -> $target"
  fi
done < <(json providers source pinned mirrorVersion module moduleVersion package ldflags)

# 3. The CLI configuration the tools hand to the engine through TF_CLI_CONFIG_FILE (never ~/.terraformrc): the
#    mirrored providers come from the mirror only, anything else from its registry as usual. No plugin_cache_dir:
#    Terraform 1.11 and OpenTofu 1.10 both install a provider from an unpacked filesystem mirror as a symlink into
#    the mirror (measured), so no init copies the AWS binary; and a plugin cache is not safe for concurrent inits
#    (measured: two parallel inits failed with "mkdir …/plugin-cache/…/linux_amd64: file exists").
include_list=$(IFS=,; echo "${includes[*]}")
cat >"$cache/terraformrc.tmp" <<EOF
# Written by scripts/setup.sh. Used only by the project's tools (scripts/tools/env.sh sets TF_CLI_CONFIG_FILE).
disable_checkpoint = true
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = [$include_list]
  }
  direct {
    exclude = [$include_list]
  }
}
EOF
mv "$cache/terraformrc.tmp" "$cache/terraformrc"
echo "setup: CLI config: $cache/terraformrc (filesystem mirror $mirror for ${#includes[@]} providers)"

# 4. checkov and moto from PyPI, each in a virtualenv of its own keyed by version: checkov pins boto3 1.35, networkx
#    2.6 and packaging 23 and would downgrade moto's (and the machine's) packages if they shared an environment.
checkov_version=3.3.30
moto_version=5.2.1
venv() {
  local dir=$1 what=$2; shift 2
  if [ -x "$dir/bin/python" ] && [ -f "$dir/.complete" ]; then
    echo "setup: $what: cached ($dir)"
    return
  fi
  local started
  started=$(date +%s)
  rm -rf "$dir"
  if ! python3 -m venv "$dir" >/dev/null 2>&1; then
    echo "setup: python3 -m venv failed; installing python3-venv"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
    rm -rf "$dir"
    python3 -m venv "$dir"
  fi
  "$dir/bin/python" -m pip install -q --disable-pip-version-check "$@"
  touch "$dir/.complete"
  echo "setup: $what: installed in $(( $(date +%s) - started )) s ($dir)"
}
venv "$cache/checkov-$checkov_version" "checkov $checkov_version" "checkov==$checkov_version"
venv "$cache/moto-$moto_version" "moto[server] $moto_version" "moto[server]==$moto_version"

# 5. What the tools read (scripts/tools/env.sh sources it; scripts/tools/tools.ts parses it).
cat >"$cache/tools.env.tmp" <<EOF
# Written by scripts/setup.sh on $(date -u +%Y-%m-%dT%H:%M:%SZ); KEY='value' lines.
ISL_ENGINE='$engine'
ISL_ENGINE_NAME='$engine_name'
ISL_CLI_CONFIG='$cache/terraformrc'
ISL_MIRROR_DIR='$mirror'
ISL_PLATFORM='$platform'
ISL_CHECKOV='$cache/checkov-$checkov_version/bin/checkov'
ISL_CHECKOV_VERSION='$checkov_version'
ISL_MOTO_SERVER='$cache/moto-$moto_version/bin/moto_server'
ISL_MOTO_PYTHON='$cache/moto-$moto_version/bin/python'
ISL_MOTO_VERSION='$moto_version'
EOF
mv "$cache/tools.env.tmp" "$cache/tools.env"
echo "setup: tools ready: $cache/tools.env (engine $engine_name, providers in $mirror, checkov $checkov_version, moto $moto_version)"
