#!/usr/bin/env bash
# Rotate the cosigning key without downtime.
#
#   scripts/infra/rotate-signing-key.sh NEW_KEY_FILE OLD_KID [--from-step N]
#
#   1. add NEW's public key to the ACL's gatekeeperKeys and push the ACL
#   2. wait until every ACL replica region serves that ACL, then until every
#      edge has refreshed it (every edge now trusts both keys)
#   3. write NEW's private key to the signing-key secret (the cosigner switches)
#   4. wait until the cosigner has switched and every cosig made with OLD has
#      expired (refresh + cosignTtlSeconds + clockSkewSeconds)
#   5. remove OLD_KID from gatekeeperKeys and push the ACL
#
# Make NEW_KEY_FILE with keygen.sh first. --from-step resumes an interrupted
# run. Afterwards put the new key in gatekeeper.stack.json's gatekeeperKeys
# (Terraform ignores the live ACL value, so this only matters for a rebuild).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

new="${1:-}"
old="${2:-}"
from=1
[[ "${3:-}" == --from-step ]] && from="${4:-}"
[[ -f "$new" && "$old" =~ ^[A-Za-z0-9._-]{1,64}$ && "$from" =~ ^[1-5]$ ]] ||
  die "usage: rotate-signing-key.sh NEW_KEY_FILE OLD_KID [--from-step 1-5]"
load_stack_info

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
refresh=$((GK_ACL_REFRESH_SECONDS + GK_CLOCK_SKEW_SECONDS))
drain=$((GK_ACL_REFRESH_SECONDS + GK_COSIGN_TTL_SECONDS + GK_CLOCK_SKEW_SECONDS))

if ((from <= 1)); then
  say "step 1: trust the new key next to $old"
  fetch_acl "$tmp/current.json"
  acl_edit add-gatekeeper-key "$tmp/current.json" "$new" >"$tmp/with-new.json"
  "$GK_ROOT/scripts/infra/push-acl.sh" "$tmp/with-new.json"
fi
if ((from <= 2)); then
  say "step 2: let every edge load the ACL with both keys"
  wait_acl_replicas "$tmp"
  wait_for "$refresh" "ACL refresh (${GK_ACL_REFRESH_SECONDS}s + ${GK_CLOCK_SKEW_SECONDS}s skew)"
fi
if ((from <= 3)); then
  say "step 3: switch the cosigner to the new key"
  "$GK_ROOT/scripts/infra/put-signing-key.sh" "$new"
fi
if ((from <= 4)); then
  say "step 4: let cosigs made with $old expire"
  wait_for "$drain" "cosigner refresh + cosignTtlSeconds + clock skew"
fi
say "step 5: retire $old"
fetch_acl "$tmp/current.json"
acl_edit remove-gatekeeper-key "$tmp/current.json" "$old" >"$tmp/without-old.json"
"$GK_ROOT/scripts/infra/push-acl.sh" "$tmp/without-old.json"
say "rotation done: update gatekeeperKeys in gatekeeper.stack.json to the new key"
