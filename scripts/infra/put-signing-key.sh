#!/usr/bin/env bash
# Write the cosigning private key into the signing-key secret (run once after
# the first apply, and by rotate-signing-key.sh). Terraform creates that
# secret without a value, so the key never enters the Terraform state.
#
#   scripts/infra/put-signing-key.sh KEY_FILE [--force]
#
# Refuses when the key's public half is not in the ACL's gatekeeperKeys
# (the edge would reject every cosig), unless --force.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

key="${1:-}"
[[ -f "$key" ]] || die "usage: put-signing-key.sh KEY_FILE [--force]"
force="${2:-}"
load_stack_info

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
if [[ "$force" != --force ]]; then
  fetch_acl "$tmp/acl.json"
  acl_edit has-gatekeeper-key "$tmp/acl.json" "$key" ||
    die "the key in $key is not in the ACL's gatekeeperKeys; push an ACL with it first (or pass --force)"
fi
acl_edit signing-secret "$key" "$tmp/secret.json"
# file:// keeps the private key off the command line (and out of `ps`).
aws secretsmanager put-secret-value --region "$GK_REGION" --secret-id "$GK_SIGNING_SECRET" \
  --secret-string "file://$tmp/secret.json" >/dev/null || die "cannot write $GK_SIGNING_SECRET"
say "cosigning key written to $GK_SIGNING_SECRET; the cosigner uses it within ${GK_ACL_REFRESH_SECONDS}s"
