#!/usr/bin/env bash
# The verification tools (README "Verification with the real tools"), built when something needs them: `npm test`,
# `.ci/run`, `npm run validate`, `plan:moto`, `checkov` and `deploy:local` call this with what they need. Nothing here
# is needed to synthesize or review.
#
#   bash scripts/tools/setup-tools.sh                 # everything: engine, aws, random, docker, checkov, moto
#   bash scripts/tools/setup-tools.sh engine docker random   # only these (deploy:local)
#
# Everything lands in ${ISL_CACHE_TOOLS_DIR:-$HOME/.cache/isl-cache-tools}, keyed by version and build settings; a
# rerun skips whatever is already there (about 1 s). Builds print a progress line every minute with the time the same
# build took on the 2-core machine the README's figures come from, so a long build never looks hung.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
command -v node >/dev/null 2>&1 || { echo "setup-tools: ERROR: node is needed (run bash scripts/setup.sh first)" >&2; exit 1; }

all=(engine aws random docker checkov moto)
wanted=("$@")
[ ${#wanted[@]} -gt 0 ] || wanted=("${all[@]}")
for w in "${wanted[@]}"; do
  [[ " ${all[*]} " == *" $w "* ]] || { echo "setup-tools: unknown tool \"$w\" (one of: ${all[*]})" >&2; exit 2; }
done
want() { [[ " ${wanted[*]} " == *" $1 "* ]]; }

cache="${ISL_CACHE_TOOLS_DIR:-$HOME/.cache/isl-cache-tools}"
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
data="$repo/scripts/tools/providers.json"
export CHECKPOINT_DISABLE=1
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-buildvcs=false"

# One lock for the whole cache: two runs at once (jest workers, a second terminal) wait instead of building twice.
exec 9>"$cache/.setup.lock"
if ! flock -n 9; then
  echo "setup-tools: another setup is running on $cache; waiting for it"
  flock 9
fi

# json WHAT FIELD...: one line per row of providers.json, fields separated by \x1f (a non-blank separator: `read`
# would merge the empty fields that tabs leave) (WHAT: providers, opentofu, minimum)
json() {
  node -e '
    const d = require(process.argv[1]);
    const [what, ...fields] = process.argv.slice(2);
    const rows = what === "opentofu" ? [d.opentofu] : what === "minimum" ? [{ v: d.minimumTerraform }] : d.providers;
    for (const r of rows) console.log(fields.map((f) => (typeof r[f] === "object" ? JSON.stringify(r[f]) : r[f] ?? "")).join("\x1f"));
  ' "$data" "$@"
}

# The Go toolchain the builds need (the AWS provider's go.mod asks for 1.26.3): the machine's `go` when new enough,
# else the official toolchain from the Go module proxy (golang.org/toolchain, the module `go` itself downloads for
# GOTOOLCHAIN), unpacked once into $cache/go-<version>. Sets $go.
go_minimum=1.26.3
go_fallback=1.26.8
go=""
need_go() {
  [ -n "$go" ] && return
  local have
  have=$(command -v go >/dev/null 2>&1 && go env GOVERSION 2>/dev/null | sed 's/^go//' || true)
  if [ -n "$have" ] && [ "$(printf '%s\n%s\n' "$go_minimum" "$have" | sort -V | head -1)" = "$go_minimum" ]; then
    go=$(command -v go)
    return
  fi
  local dir="$cache/go-$go_fallback" arch
  arch=$(dpkg --print-architecture 2>/dev/null || uname -m | sed 's/x86_64/amd64/;s/aarch64/arm64/')
  if [ ! -x "$dir/bin/go" ]; then
    echo "setup-tools: Go ${have:-not found} is older than $go_minimum (needed to build $1): fetching go$go_fallback from the Go module proxy"
    local zip="$cache/go-$go_fallback.zip" proxy="${GOPROXY:-https://proxy.golang.org}"
    proxy=${proxy%%,*}
    curl -fsSL -o "$zip" "$proxy/golang.org/toolchain/@v/v0.0.1-go$go_fallback.linux-$arch.zip" || {
      echo "setup-tools: ERROR: could not download the Go toolchain from $proxy; install Go >= $go_minimum (https://go.dev/dl/) and rerun." >&2
      exit 1
    }
    rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
    python3 -m zipfile -e "$zip" "$dir.tmp"
    mv "$dir.tmp/golang.org/toolchain@v0.0.1-go$go_fallback.linux-$arch" "$dir"
    rm -rf "$dir.tmp" "$zip"
    chmod +x "$dir/bin/"* "$dir/pkg/tool/"*/* 2>/dev/null || true
  fi
  go="$dir/bin/go"
}

# progress LABEL EXPECTED_SECONDS PID: a line every 60 s while PID runs
progress() {
  local label=$1 expected=$2 pid=$3 minutes=0
  while kill -0 "$pid" 2>/dev/null; do
    sleep 60
    minutes=$(( minutes + 1 ))
    kill -0 "$pid" 2>/dev/null || break
    echo "setup-tools: $label: still building, $minutes min elapsed (about $(( (expected + 59) / 60 )) min on the 2-core reference machine)"
  done
}

# build NAME MODULE VERSION PACKAGE LDFLAGS OUTDIR BINARY EXPECTED_S [PATCH_SCRIPT]: go mod download MODULE@VERSION,
# copy it to OUTDIR/src, optionally run PATCH_SCRIPT in the copy (node for .js, else bash; e.g. trim-aws-provider.js),
# and `go build` PACKAGE there into OUTDIR/BINARY,
# timed with /usr/bin/time -v into OUTDIR/build.time. Copying (not `go install module@version`) is what works for
# modules with replace directives (OpenTofu, the AWS provider); -trimpath keeps the copy's path out of the binary.
build() {
  local name=$1 module=$2 version=$3 pkg=$4 ldflags=$5 out=$6 binary=$7 expected=$8 patch=${9:-}
  if [ -x "$out/$binary" ]; then
    echo "setup-tools: $name: cached ($out/$binary)"
    return
  fi
  need_go "$name"
  echo "setup-tools: $name: building $module@$version (about $(( (expected + 59) / 60 )) min on the 2-core reference machine; once per machine)"
  mkdir -p "$out"
  local started dir
  started=$(date +%s)
  dir=$(cd "$out" && GOFLAGS=-mod=mod "$go" mod download -json "$module@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
  if [ -z "$dir" ] || [ ! -d "$dir" ]; then
    echo "setup-tools: ERROR: go mod download $module@$version gave no source directory" >&2
    exit 1
  fi
  rm -rf "$out/src" "$out/$binary.tmp"
  cp -r "$dir" "$out/src"
  chmod -R u+w "$out/src"
  if [ -n "$patch" ]; then
    local runner=bash
    [[ "$patch" == *.js ]] && runner=node
    (cd "$out/src" && "$runner" "$repo/$patch") >"$out/patch.log" 2>&1 || {
      echo "setup-tools: ERROR: $patch failed for $name; the last lines of $out/patch.log:" >&2
      tail -20 "$out/patch.log" >&2
      exit 1
    }
  fi
  local timer=()
  [ -x /usr/bin/time ] && timer=(/usr/bin/time -v -o "$out/build.time")
  (cd "$out/src" && exec "${timer[@]}" "$go" build -trimpath -ldflags "$ldflags" -o "../$binary.tmp" "$pkg") >"$out/build.log" 2>&1 &
  local pid=$!
  progress "$name" "$expected" "$pid" &
  local reporter=$!
  local rc=0
  wait "$pid" || rc=$?
  kill "$reporter" 2>/dev/null || true
  wait "$reporter" 2>/dev/null || true
  if [ "$rc" -ne 0 ]; then
    echo "setup-tools: ERROR: building $name failed; the last lines of $out/build.log:" >&2
    tail -20 "$out/build.log" >&2
    exit 1
  fi
  mv "$out/$binary.tmp" "$out/$binary"
  rm -rf "$out/src" # the module cache keeps the source
  local peak=""
  [ -f "$out/build.time" ] && peak=", peak RSS $(( $(sed -n 's/.*Maximum resident set size (kbytes): //p' "$out/build.time") / 1024 )) MiB"
  echo "setup-tools: $name: built in $(( $(date +%s) - started )) s$peak"
}

goos=linux
goarch=$(dpkg --print-architecture 2>/dev/null || go env GOARCH)
platform="${goos}_${goarch}"

# 1. The engine: the machine's terraform when >= the minimum, else OpenTofu built from the Go module proxy. Every
#    tool needs it, so it is always resolved.
minimum=$(json minimum v)
engine=""
engine_name=""
if [ -z "${ISL_FORCE_OPENTOFU:-}" ] && command -v terraform >/dev/null 2>&1; then
  tf_version=$(terraform version -json 2>/dev/null | node -e 'let s="";process.stdin.on("data",(c)=>s+=c).on("end",()=>{try{console.log(JSON.parse(s).terraform_version)}catch{console.log("")}})')
  if [ -n "$tf_version" ] && [ "$(printf '%s\n%s\n' "$minimum" "$tf_version" | sort -V | head -1)" = "$minimum" ]; then
    engine=$(command -v terraform)
    engine_name="terraform $tf_version"
  else
    echo "setup-tools: terraform ${tf_version:-of unknown version} is older than $minimum: using OpenTofu instead"
  fi
fi
if [ -z "$engine" ]; then
  IFS=$'\x1f' read -r module version pkg ldflags tofu_version expected < <(json opentofu module moduleVersion package ldflags version buildSecondsHere)
  build "OpenTofu $tofu_version" "$module" "$version" "$pkg" "$ldflags" "$cache/opentofu-$tofu_version" tofu "$expected"
  engine="$cache/opentofu-$tofu_version/tofu"
  engine_name="OpenTofu $tofu_version"
fi
echo "setup-tools: engine: $engine_name ($engine)"

# 2. The providers, built into $cache/providers/<type>-<module version>-<build settings hash>/ and linked into the
#    filesystem mirror $cache/mirror/<host>/<namespace>/<type>/<release>/<os>_<arch>/ (the engine's "unpacked"
#    layout) under the release the stacks pin (constructs/facts/providers.ts).
mirror="$cache/mirror"
includes=()
while IFS=$'\x1f' read -r source release commit module version pkg ldflags patch expected since; do
  type=${source##*/}
  includes+=("\"$source\"")
  want "$type" || continue
  ldflags=${ldflags//\{release\}/$release}
  key=$(printf '%s\n%s\n%s\n' "$ldflags" "$patch" "$( [ -n "$patch" ] && cat "$repo/$patch")" | sha256sum | cut -c1-10)
  out="$cache/providers/$type-$version-$key"
  build "provider $type $release (commit $commit)" "$module" "$version" "$pkg" "$ldflags" "$out" "terraform-provider-$type" "$expected" "$patch"
  target="$mirror/$source/$release/$platform"
  if [ ! "$target/terraform-provider-${type}_v$release" -ef "$out/terraform-provider-$type" ]; then
    # replaced atomically (link or copy beside it, then rename): an init running meanwhile sees the old or the new build
    mkdir -p "$target"
    ln -f "$out/terraform-provider-$type" "$target/.terraform-provider-${type}_v$release.new" 2>/dev/null \
      || cp "$out/terraform-provider-$type" "$target/.terraform-provider-${type}_v$release.new"
    mv -f "$target/.terraform-provider-${type}_v$release.new" "$target/terraform-provider-${type}_v$release"
  fi
  # the known delta: the changelog entries between the release and the built commit (read once from the module)
  delta="$cache/deltas/$type-$release-$commit.md"
  if [ ! -f "$delta" ]; then
    mkdir -p "$cache/deltas"
    need_go "the changelog delta of $type"
    srcdir=$(cd "$out" && GOFLAGS=-mod=mod "$go" mod download -json "$module@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
    if [ -n "$srcdir" ] && [ -f "$srcdir/CHANGELOG.md" ]; then
      awk -v stop="$since" 'index($0, stop) == 1 { exit } { print }' "$srcdir/CHANGELOG.md" >"$delta.tmp" && mv "$delta.tmp" "$delta"
    fi
  fi
  entries=$(grep -c '^\* ' "$delta" 2>/dev/null || true)
  echo "setup-tools: provider $source: pin $release, built from commit $commit; ${entries:-0} changelog entries between them ($delta; npm run validate lists those that touch the stacks' resources)"
done < <(json providers source release commit module moduleVersion package ldflags patch buildSecondsHere changelogSince)

# 3. The CLI configuration the tools hand to the engine through TF_CLI_CONFIG_FILE (never ~/.terraformrc): the
#    mirrored providers come from the mirror only, anything else from its registry as usual. No plugin_cache_dir:
#    Terraform 1.11 and OpenTofu 1.10 both install a provider from an unpacked filesystem mirror as a symlink into
#    the mirror (measured), so no init copies the AWS binary; and a plugin cache is not safe for concurrent inits
#    (measured: two parallel inits failed with "mkdir …/plugin-cache/…/linux_amd64: file exists").
include_list=$(IFS=,; echo "${includes[*]}")
cat >"$cache/terraformrc.tmp" <<EOF
# Written by scripts/tools/setup-tools.sh. Used only by the project's tools (scripts/tools/env.sh sets TF_CLI_CONFIG_FILE).
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

# 4. checkov and moto from PyPI, each in a virtualenv of its own keyed by version: checkov pins boto3 1.35, networkx
#    2.6 and packaging 23 and would downgrade moto's (and the machine's) packages if they shared an environment.
checkov_version=3.3.30
moto_version=5.2.1
venv() {
  local dir=$1 what=$2; shift 2
  if [ -x "$dir/bin/python" ] && [ -f "$dir/.complete" ]; then
    echo "setup-tools: $what: cached ($dir)"
    return
  fi
  echo "setup-tools: $what: installing from PyPI (about 2 min)"
  local started
  started=$(date +%s)
  rm -rf "$dir"
  if ! python3 -m venv "$dir" >/dev/null 2>&1; then
    echo "setup-tools: python3 -m venv failed; installing python3-venv"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
    rm -rf "$dir"
    python3 -m venv "$dir"
  fi
  "$dir/bin/python" -m pip install -q --disable-pip-version-check "$@"
  touch "$dir/.complete"
  echo "setup-tools: $what: installed in $(( $(date +%s) - started )) s ($dir)"
}
want checkov && venv "$cache/checkov-$checkov_version" "checkov $checkov_version" "checkov==$checkov_version"
want moto && venv "$cache/moto-$moto_version" "moto[server] $moto_version" "moto[server]==$moto_version"

# 5. What the tools read (scripts/tools/env.sh sources it; scripts/tools/tools.ts parses it): every tool that is
#    there, whichever run built it.
cat >"$cache/tools.env.tmp" <<EOF
# Written by scripts/tools/setup-tools.sh on $(date -u +%Y-%m-%dT%H:%M:%SZ); KEY='value' lines.
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
echo "setup-tools: ready: ${wanted[*]} ($cache/tools.env)"
