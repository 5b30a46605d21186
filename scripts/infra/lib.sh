# Sourced by the runbook scripts in scripts/infra/ (not run on its own).
# Strict mode, the repository root, and the names derived from the stack config.
set -euo pipefail
umask 077

GK_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
GK_TSX="${GK_TSX:-$GK_ROOT/node_modules/.bin/tsx}"

# The project's own tools, never whatever npx might resolve or fetch.
# GK_CLI / GK_CDKTF replace them (the tests use stand-ins).
gk_cli() { if [[ -n "${GK_CLI:-}" ]]; then "$GK_CLI" "$@"; else node "$GK_ROOT/scripts/gatekeeper.js" "$@"; fi; }
gk_cdktf() { "${GK_CDKTF:-$GK_ROOT/node_modules/.bin/cdktf}" "$@"; }

say() { printf '==> %s\n' "$*" >&2; }
die() { printf '%s: %s\n' "$(basename "$0")" "$*" >&2; exit 1; }

# Sets GK_STACK_NAME, GK_STACK_DIR, GK_REGION, GK_EDGE_REGION, GK_ACL_SECRET,
# GK_SIGNING_SECRET, GK_GATE_FUNCTION, GK_COSIGNER_FUNCTION,
# GK_ACL_REFRESH_SECONDS, GK_COSIGN_TTL_SECONDS, GK_CLOCK_SKEW_SECONDS,
# GK_GATEKEEPER_ID (values are single-quoted by stack-info.ts).
load_stack_info() {
  local info
  info="$("$GK_TSX" "$GK_ROOT/scripts/infra/stack-info.ts" --shell)" || die "cannot read the stack config"
  eval "$info"
}

# Waits N seconds for a reason; GK_NO_WAIT=1 skips the sleep (tests).
wait_for() {
  local seconds="$1"; shift
  say "waiting ${seconds}s: $*"
  if [[ "${GK_NO_WAIT:-0}" != 1 ]]; then sleep "$seconds"; fi
}

# Prints the ACL secret's current value into FILE.
fetch_acl() {
  aws secretsmanager get-secret-value --region "$GK_REGION" --secret-id "$GK_ACL_SECRET" \
    --query SecretString --output text >"$1" || die "cannot read the ACL secret $GK_ACL_SECRET"
}

acl_edit() { "$GK_TSX" "$GK_ROOT/scripts/infra/acl-edit.ts" "$@"; }
