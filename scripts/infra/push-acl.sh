#!/usr/bin/env bash
# Push an ACL document to the ACL secret through the gatekeeper CLI (which
# validates it first and sends its exact bytes).
#
#   scripts/infra/push-acl.sh ACL_FILE
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

file="${1:-}"
[[ -f "$file" ]] || die "usage: push-acl.sh ACL_FILE"
load_stack_info
gk_cli acl push "$file" --secret-id "$GK_ACL_SECRET" --region "$GK_REGION" || die "acl push failed"
say "ACL pushed to $GK_ACL_SECRET; edges pick it up within ${GK_ACL_REFRESH_SECONDS}s"
