#!/usr/bin/env bash
set -u
me="$(basename "$0")"
echo "$me $*" >>"$STUB/calls.log"
case "$me $1 ${2:-}" in
  "aws secretsmanager get-secret-value")
    region=""; prev=""; for a in "$@"; do [[ "$prev" == --region ]] && region="$a"; prev="$a"; done
    lag="$STUB/replica-lag-$region"
    if [[ -f "$lag" ]] && (($(cat "$lag") > 0)); then
      echo $(($(cat "$lag") - 1)) >"$lag"
      echo '{"version":"stale"}'; exit 0
    fi
    cat "$STUB/acl.json"; exit 0 ;;
  "aws secretsmanager put-secret-value")
    for a in "$@"; do case "$a" in file://*) f="${a#file://}"; cp "$f" "$STUB/signing-secret.json"; stat -c %a "$f" >"$STUB/signing-secret.mode" ;; esac; done
    exit 0 ;;
  "aws lambda delete-function")
    fn=""; prev=""; for a in "$@"; do [[ "$prev" == --function-name ]] && fn="$a"; prev="$a"; done
    spec="$STUB/replica-fails-$fn"
    if [[ -f "$spec" && "$(cat "$spec")" == missing ]]; then
      echo "An error occurred (ResourceNotFoundException) when calling the DeleteFunction operation: Function not found" >&2; exit 254
    fi
    n=0; [[ -f "$spec" ]] && n="$(cat "$spec")"
    if ((n > 0)); then
      echo $((n - 1)) >"$spec"
      echo "An error occurred (InvalidParameterValueException) when calling the DeleteFunction operation: Lambda was unable to delete arn:aws:lambda:us-east-1:123456789012:function:$fn:1 because it is a replicated function. Please see our documentation for Deleting Lambda@Edge Functions and Replicas." >&2
      exit 254
    fi
    exit 0 ;;
  "gatekeeper keygen "*)
    kid=""; out=""; prev=""; for a in "$@"; do [[ "$prev" == --kid ]] && kid="$a"; [[ "$prev" == --out ]] && out="$a"; prev="$a"; done
    node -e '
      const c = require("crypto"); const fs = require("fs");
      const { privateKey } = c.generateKeyPairSync("ed25519"); const j = privateKey.export({ format: "jwk" });
      fs.writeFileSync(process.argv[2], JSON.stringify({ kid: process.argv[1], publicKey: j.x, privateKey: j.d }) + "\n", { mode: 0o600, flag: "wx" });
      console.log(JSON.stringify({ kid: process.argv[1], publicKey: j.x }));' "$kid" "$out"
    exit $? ;;
  "gatekeeper acl "*) cp "$3" "$STUB/acl.json"; exit 0 ;;
  "cdktf "*) echo "cdktf GATEKEEPER_DETACH_EDGE=${GATEKEEPER_DETACH_EDGE:-}" >>"$STUB/calls.log"; exit 0 ;;
  "terraform state list") cat "$STUB/state.txt"; exit 0 ;;
  "terraform state rm") exit 0 ;;
  "terraform output -raw") echo -n "$3-value"; exit 0 ;;
esac
echo "stub: unexpected call: $me $*" >&2
exit 99
