#!/usr/bin/env bash
# Detach the Lambda@Edge functions, wait for their replicas to go, then destroy.
#
#   scripts/infra/destroy.sh [--yes]
#
#   1. deploy with GATEKEEPER_DETACH_EDGE=1: no function associations and the
#      distribution disabled (without the gate it would serve objects unchecked)
#   2. delete both functions in us-east-1, retrying while Lambda still refuses
#      because CloudFront replicas exist (this takes from minutes to hours)
#   3. remove the data bucket and the audit bucket from the Terraform state, so
#      they are kept: customer data, and Object Lock records that cannot be
#      deleted before their retention ends anyway. A bucket the stack did not
#      create (dataBucket.existing) is never in the state; the policy the stack
#      wrote on it is kept too (the stack deletes nothing of it)
#   4. cdktf destroy the rest
#
# GK_REPLICA_WAIT (seconds between tries, default 60) and GK_REPLICA_TRIES
# (default 240, i.e. 4 hours) tune step 2.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

load_stack_info
wait_s="${GK_REPLICA_WAIT:-60}"
tries="${GK_REPLICA_TRIES:-240}"

if [[ "${1:-}" != --yes ]]; then
  read -r -p "Destroy gatekeeper stack $GK_STACK_NAME ($GK_GATEKEEPER_ID)? Type the stack name: " answer
  [[ "$answer" == "$GK_STACK_NAME" ]] || die "not confirmed"
fi

say "step 1: detach the edge functions and disable the distribution"
GATEKEEPER_DETACH_EDGE=1 gk_cdktf deploy "$GK_STACK_NAME" --auto-approve || die "detach deploy failed"

delete_function() {
  local fn="$1" i out
  for ((i = 1; i <= tries; i++)); do
    if out="$(aws lambda delete-function --region "$GK_EDGE_REGION" --function-name "$fn" 2>&1)"; then
      say "deleted $fn"
      return 0
    fi
    case "$out" in
      *ResourceNotFoundException*) say "$fn is already gone"; return 0 ;;
      *replicated*|*[Rr]eplica*) wait_for "$wait_s" "$fn still has CloudFront replicas (try $i/$tries)" ;;
      *) die "deleting $fn failed: $out" ;;
    esac
  done
  die "$fn still has replicas after $tries tries; run destroy.sh again later"
}

say "step 2: delete the functions once their replicas are gone"
delete_function "$GK_GATE_FUNCTION"
delete_function "$GK_COSIGNER_FUNCTION"

say "step 3: keep the data and audit buckets (removed from state, not deleted)"
[[ -d "$GK_STACK_DIR" ]] || die "no $GK_STACK_DIR (run from the directory that deployed the stack)"
retained="$( (cd "$GK_STACK_DIR" && terraform state list) | "$GK_TSX" "$GK_ROOT/scripts/infra/stack-info.ts" --retain)"
kept_buckets="$(cd "$GK_STACK_DIR" && terraform output -raw data_bucket 2>/dev/null || true) $(cd "$GK_STACK_DIR" && terraform output -raw audit_bucket 2>/dev/null || true)"
if [[ -n "$retained" ]]; then
  # shellcheck disable=SC2086 # one address per word, none contain spaces
  (cd "$GK_STACK_DIR" && terraform state rm $retained) >/dev/null || die "terraform state rm failed"
fi

say "step 4: destroy the rest"
GATEKEEPER_DETACH_EDGE=1 gk_cdktf destroy "$GK_STACK_NAME" --auto-approve || die "destroy failed"
say "done. Kept (delete by hand when no longer needed): ${kept_buckets}"
if [[ "$GK_DATA_BUCKET_EXISTING" == true ]]; then
  say "$GK_DATA_BUCKET was not created by this stack and was not touched, but it still has the stack's bucket policy (the TLS deny and grants to the deleted distribution and role): put your own policy back (aws s3api put-bucket-policy --bucket $GK_DATA_BUCKET)"
fi
