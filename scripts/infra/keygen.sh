#!/usr/bin/env bash
# Generate a cosigning key pair for this gatekeeper.
#
#   scripts/infra/keygen.sh KID [DIR]
#
# Writes DIR/KID.json (default DIR: keys/, mode 0600, never overwritten) with
# {"kid","publicKey","privateKey"} and prints the public half, the entry for
# "gatekeeperKeys" in gatekeeper.stack.json. The private key goes into the
# signing-key secret with put-signing-key.sh; keep the file offline after that.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

kid="${1:-}"
dir="${2:-$GK_ROOT/keys}"
[[ "$kid" =~ ^[A-Za-z0-9._-]{1,64}$ ]] || die "usage: keygen.sh KID [DIR]  (KID: 1-64 chars of [A-Za-z0-9._-])"
mkdir -p "$dir"
file="$dir/$kid.json"
[[ -e "$file" ]] && die "$file exists; refusing to overwrite a key"

gk_cli keygen --kid "$kid" --out "$file" >/dev/null || die "gatekeeper keygen failed"
say "private key written to $file (mode 0600); add this entry to gatekeeperKeys:"
acl_edit public "$file"
