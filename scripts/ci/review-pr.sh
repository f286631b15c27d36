#!/usr/bin/env bash
# The review of a pull request, as CI runs it (.github/workflows/review.yml calls only this script;
# __tests__/integration/ci-review.test.ts runs it end to end on two commits of a scratch repository).
#
# Synthesizes the head (this checkout) and the base commit (a git worktree) with the same settings, then reviews:
#   - from the engine's plan when AWS credentials are visible (npm run plan, then npm run review -- --plan: what
#     Terraform will actually do against the real state, drift, and the offline prediction held to it);
#   - offline otherwise (npm run review -- --base): no credentials and no verification tools needed.
# Writes <REVIEW_OUT_DIR>/review.md (the pull-request comment) and review.json; posts nothing itself.
#
# Environment:
#   BASE_REF          the base commit (a sha or ref of this repository); required
#   REVIEW_OUT_DIR    where review.md and review.json go (default: review-out)
#   ACCEPT_DATA_LOSS  1: the pull request carries the label accept-data-loss (config/review.ts): a data-loss change
#                     is still called out first, but does not fail the check
#   REVIEW_PLAN       auto (default: plan when AWS credentials are visible), yes, or no
#   CACHE_*, AWS_*    the deployment settings (config/deployment.ts), the same for head and base
# Exit: 0 the review passes; 1 a guardrail violation, a change the apply would fail on, an unaccepted data loss,
# or a failed plan; 2 usage or malformed input.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
say() { printf 'review-pr: %s\n' "$*" >&2; }

if [ -z "${BASE_REF:-}" ]; then
  say "BASE_REF is not set: name the base commit (e.g. the pull request's base sha)"
  exit 2
fi
if ! BASE_SHA="$(git rev-parse --verify --quiet "${BASE_REF}^{commit}")"; then
  say "BASE_REF ${BASE_REF:0:120}: no such commit in this repository (fetch it: actions/checkout with fetch-depth: 0)"
  exit 2
fi
OUT="${REVIEW_OUT_DIR:-review-out}"
case "${REVIEW_PLAN:-auto}" in auto | yes | no) ;; *)
  say "REVIEW_PLAN ${REVIEW_PLAN:0:40}: expected auto, yes or no"
  exit 2
  ;;
esac
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/isl-review-pr.XXXXXX")"
cleanup() {
  git -C "$ROOT" worktree remove --force "$WORK/base" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# The synth app of a checkout (cdktf.json "app"), without the cdktf CLI; guardrail violations are reported by the
# review, not by the synthesis (CACHE_GUARDRAILS=warn)
synth() { # synth <checkout> <outdir>
  local app
  app="$(cd "$1" && node -p 'require("./cdktf.json").app')"
  (cd "$1" && CDKTF_OUTDIR="$2" CACHE_GUARDRAILS=warn CHECKPOINT_DISABLE=1 sh -c "$app")
}

started=$SECONDS
say "synthesizing head $(git rev-parse --short HEAD)"
if ! synth "$ROOT" "$WORK/head" >"$WORK/head.log" 2>&1; then
  cat "$WORK/head.log" >&2
  say "the head does not synthesize"
  exit 1
fi

say "synthesizing base ${BASE_SHA:0:12}"
git worktree add --detach --quiet "$WORK/base" "$BASE_SHA"
if [ -e "$WORK/base/node_modules" ]; then
  : # a checkout that carries its packages
elif git diff --quiet "$BASE_SHA" HEAD -- package-lock.json && [ -d "$ROOT/node_modules" ]; then
  ln -s "$ROOT/node_modules" "$WORK/base/node_modules" # same lock file: same packages
else
  (cd "$WORK/base" && npm ci --no-audit --no-fund --loglevel=error) >&2
fi
BASE_ARGS=(--base "$WORK/base-out")
if ! synth "$WORK/base" "$WORK/base-out" >"$WORK/base.log" 2>&1; then
  cat "$WORK/base.log" >&2
  say "the base does not synthesize: reviewing the head alone"
  BASE_ARGS=()
fi

credentials() {
  [ -n "${AWS_ACCESS_KEY_ID:-}${AWS_PROFILE:-}${AWS_WEB_IDENTITY_TOKEN_FILE:-}${AWS_CONTAINER_CREDENTIALS_FULL_URI:-}${AWS_CONTAINER_CREDENTIALS_RELATIVE_URI:-}" ]
}
PLAN_ARGS=()
PLAN_FAILED=0
if [ "${REVIEW_PLAN:-auto}" = yes ] || { [ "${REVIEW_PLAN:-auto}" = auto ] && credentials; }; then
  # the AWS stacks (the local one needs a Docker engine and is not deployed from CI)
  mapfile -t STACKS < <(node -e '
    const m = require(process.argv[1] + "/manifest.json");
    for (const [n, s] of Object.entries(m.stacks)) {
      const j = require(process.argv[1] + "/" + s.synthesizedStackPath);
      if ((j.terraform?.required_providers ?? {}).aws) console.log(n);
    }' "$WORK/head")
  say "planning ${STACKS[*]} with the environment's AWS credentials"
  if npm run -s plan -- --no-synth --out-dir "$WORK/head" --plan-dir "$WORK/plans" "${STACKS[@]}" 2>"$WORK/plan.log"; then
    PLAN_ARGS=(--plan "$WORK/plans")
  else
    PLAN_FAILED=1
    cat "$WORK/plan.log" >&2
    say "the plan failed: reviewing offline; the check fails"
  fi
else
  say "no AWS credentials (or REVIEW_PLAN=no): the offline review"
fi

GATE=(--fail-on-data-loss)
if [ "${ACCEPT_DATA_LOSS:-}" = 1 ]; then GATE=(); fi
set +e
npm run -s review -- --out-dir "$WORK/head" "${BASE_ARGS[@]}" "${PLAN_ARGS[@]}" "${GATE[@]}" \
  --md "$WORK/review.md" --json "$OUT/review.json" >/dev/null 2>"$WORK/review.log"
status=$?
set -e
cat "$WORK/review.log" >&2
if [ "$status" -eq 2 ] || [ ! -f "$WORK/review.md" ]; then
  say "the review could not run (exit $status)"
  exit 2
fi

# the comment: what ran, then the review (its data-loss call-outs first)
{
  printf '<!-- isl-cache review: edited on every push -->\n'
  head -n 1 "$WORK/review.md"
  printf '\nHead %s against base %s; %s.\n' "$(git rev-parse --short HEAD)" "${BASE_SHA:0:7}" \
    "$([ ${#PLAN_ARGS[@]} -gt 0 ] && echo 'changes from the engine'"'"'s plan against the real state' || echo 'changes predicted offline (no plan)')"
  if [ "$PLAN_FAILED" = 1 ]; then
    printf '\n> ❌ **The plan failed** (its messages are in the CI log): the changes below are the offline prediction.\n'
    grep -m 3 '^Error: \|│ Error: ' "$WORK/plan.log" | sed 's/^│ //; s/^/> /' || true
  fi
  if [ "${ACCEPT_DATA_LOSS:-}" = 1 ]; then
    printf '\n> The label `accept-data-loss` is set: the data loss called out below is accepted and does not fail the check.\n'
  fi
  # the temporary directories by what they are
  tail -n +2 "$WORK/review.md" | sed "s#\`$WORK/base-out\`#base ${BASE_SHA:0:7}#g; s#$WORK/plans/#plans/#g"
} >"$OUT/review.md"

if [ "$PLAN_FAILED" = 1 ] && [ "$status" -eq 0 ]; then status=1; fi
say "review exit $status in $((SECONDS - started)) s; $OUT/review.md"
exit "$status"
