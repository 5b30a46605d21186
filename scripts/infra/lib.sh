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
# GK_ACL_REPLICA_REGIONS (space-separated), GK_SIGNING_SECRET,
# GK_GATE_FUNCTION, GK_COSIGNER_FUNCTION, GK_ACL_REFRESH_SECONDS,
# GK_COSIGN_TTL_SECONDS, GK_CLOCK_SKEW_SECONDS, GK_GATEKEEPER_ID,
# GK_DATA_BUCKET, GK_DATA_BUCKET_EXISTING (values are single-quoted by
# stack-info.ts).
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

# Prints the ACL secret's current value into FILE (REGION: default the home region).
fetch_acl() {
  local region="${2:-$GK_REGION}"
  aws secretsmanager get-secret-value --region "$region" --secret-id "$GK_ACL_SECRET" \
    --query SecretString --output text >"$1" || die "cannot read the ACL secret $GK_ACL_SECRET in $region"
}

# Waits until every replica region of the ACL secret serves the same document
# as the home region. Edges read the nearest region that holds the ACL, so a
# replica that lags would keep an edge on the old document. The documents are
# compared, not version ids, since what matters is what the edges load.
# GK_ACL_SYNC_WAIT (seconds between tries, default 10) and GK_ACL_SYNC_TRIES
# (default 90) bound the wait. Uses DIR for its temporary files.
wait_acl_replicas() {
  local dir="$1" r i sync_wait="${GK_ACL_SYNC_WAIT:-10}" sync_tries="${GK_ACL_SYNC_TRIES:-90}"
  [[ -n "${GK_ACL_REPLICA_REGIONS// /}" ]] || return 0
  fetch_acl "$dir/acl-home.json"
  for r in $GK_ACL_REPLICA_REGIONS; do
    for ((i = 1; ; i++)); do
      fetch_acl "$dir/acl-$r.json" "$r"
      if cmp -s "$dir/acl-home.json" "$dir/acl-$r.json"; then
        say "the ACL replica in $r is in sync"
        break
      fi
      ((i < sync_tries)) || die "the ACL replica in $r still differs from $GK_REGION after $sync_tries tries; check ReplicationStatus (aws secretsmanager describe-secret --region $GK_REGION --secret-id $GK_ACL_SECRET), then resume with --from-step 2"
      wait_for "$sync_wait" "the ACL replica in $r has not caught up yet (try $i/$sync_tries)"
    done
  done
}

acl_edit() { "$GK_TSX" "$GK_ROOT/scripts/infra/acl-edit.ts" "$@"; }
