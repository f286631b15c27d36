# Sourced by hand (`source scripts/tools/env.sh`) to run the engine yourself: the engine, CLI configuration and mirror
# that scripts/setup.sh installed, exported for child processes only. Never touches ~/.terraformrc.
#   ENGINE               terraform or tofu (ISL_ENGINE overrides)
#   TF_CLI_CONFIG_FILE   the project's CLI configuration: the offline filesystem mirror for the mirrored providers
#   ISL_MIRROR_DIR       the mirror; ISL_CHECKOV, ISL_MOTO_SERVER, ISL_MOTO_PYTHON: the Python tools
#   TERRAFORM_BINARY_NAME  the same engine, for cdktf
ISL_CACHE_TOOLS_DIR="${ISL_CACHE_TOOLS_DIR:-$HOME/.cache/isl-cache-tools}"
if [ ! -f "$ISL_CACHE_TOOLS_DIR/tools.env" ]; then
  echo "env.sh: $ISL_CACHE_TOOLS_DIR/tools.env does not exist: run \`bash scripts/setup.sh\` first" >&2
  return 1 2>/dev/null || exit 1
fi
_isl_engine_override="${ISL_ENGINE:-}"
# shellcheck disable=SC1091
. "$ISL_CACHE_TOOLS_DIR/tools.env"
[ -n "$_isl_engine_override" ] && ISL_ENGINE="$_isl_engine_override"
unset _isl_engine_override
ENGINE="$ISL_ENGINE"
TERRAFORM_BINARY_NAME="$ISL_ENGINE"
TF_CLI_CONFIG_FILE="$ISL_CLI_CONFIG"
CHECKPOINT_DISABLE=1
export ISL_CACHE_TOOLS_DIR ISL_ENGINE ISL_ENGINE_NAME ISL_CLI_CONFIG ISL_MIRROR_DIR ISL_PLATFORM \
  ISL_CHECKOV ISL_CHECKOV_VERSION ISL_MOTO_SERVER ISL_MOTO_PYTHON ISL_MOTO_VERSION \
  ENGINE TERRAFORM_BINARY_NAME TF_CLI_CONFIG_FILE CHECKPOINT_DISABLE
