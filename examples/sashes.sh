#!/usr/bin/env bash
# Reproduce each sash from a shell with `offline-edit serve` and headless commands:
# conflict (orange), validation error (orange), deleted record (red), access lost (red).
#   examples/sashes.sh [path/to/offline-edit]
# It starts its own server on a free port and leaves nothing behind.
set -euo pipefail
OE=${1:-offline-edit}
if ! command -v "$OE" >/dev/null; then
  echo "sashes.sh: no $OE to run: give its path (go build -o offline-edit . && examples/sashes.sh ./offline-edit)" >&2
  exit 1
fi
DIR=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
S=http://127.0.0.1:$PORT
"$OE" serve --addr 127.0.0.1:$PORT >"$DIR/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$DIR"' EXIT
for _ in $(seq 50); do curl -sf "$S/services/data/" >/dev/null && break; sleep 0.1; done

token() { curl -sf "$S/services/oauth2/token" -d grant_type=password -d "username=$1" -d password=demo |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'; }
ADMIN="Authorization: Bearer $(token admin@demo.example)"
api() { curl -sf -H "$ADMIN" -H 'Content-Type: application/json' "$@"; }
id_of() { api "$S/services/data/v62.0/query?q=$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["records"][0]["Id"])'; }

ALEX="$OE --org $S --data-dir $DIR/alex"
ADMINDEV="$OE --org $S --data-dir $DIR/admin --user admin@demo.example"
$ALEX sync >/dev/null          # prime alex's device
$ADMINDEV sync >/dev/null      # and the admin's

# Four of alex's accounts, edited offline.
$ALEX edit Account "Acme Group" Phone=555-0001                 # will conflict
$ALEX edit Account "Adventure Logistics" Rating=Cold           # will break a rule
$ALEX edit Account "Blue Sun Health" Phone=555-0003            # will be deleted
$ALEX edit Account "Blue Sun Partners" Phone=555-0004            # will be given away

# Meanwhile, on the org:
sleep 1   # If-Unmodified-Since has one-second resolution: let the base second pass
$ADMINDEV edit Account "Acme Group" Phone=555-9999 && $ADMINDEV sync >/dev/null
api -X POST "$S/mockorg/v1/rules" -d '{"object":"Account","kind":"forbid_value","field":"Rating","value":"Cold","message":"Cold accounts need a manager"}' >/dev/null
api -X DELETE "$S/services/data/v62.0/sobjects/Account/$(id_of "SELECT+Id+FROM+Account+WHERE+Name='Blue+Sun+Health'")"
SAM=$(id_of "SELECT+Id+FROM+User+WHERE+Username='sam@demo.example'")
api -X PATCH "$S/services/data/v62.0/sobjects/Account/$(id_of "SELECT+Id+FROM+Account+WHERE+Name='Blue+Sun+Partners'")" -d "{\"OwnerId\":\"$SAM\"}"

# Alex comes back online.
$ALEX sync
$ALEX pending --json | python3 -c '
import json, sys
got = {e["name"]: (e["status"], e.get("code", "")) for e in json.load(sys.stdin)}
want = {"Acme Group": ("conflict", "CONFLICT"),
        "Adventure Logistics": ("invalid", "FIELD_CUSTOM_VALIDATION_EXCEPTION"),
        "Blue Sun Health": ("failed", "ENTITY_IS_DELETED"),
        "Blue Sun Partners": ("failed", None)}  # NOT_FOUND, or INSUFFICIENT_ACCESS_OR_READONLY when a share still lets alex read it
bad = {k: (got.get(k), v) for k, v in want.items()
       if got.get(k) is None or got[k][0] != v[0] or (v[1] is not None and got[k][1] != v[1])}
if bad:
    sys.exit("unexpected sashes (found, wanted): %r" % bad)
print("each sash reproduced: conflict, validation error, deleted record, access lost")'

# And settles each from the shell, as the Pending Changes page would: theirs for the conflict,
# another rating for the rule, dismissal of the two that can't be saved.
$ALEX resolve Account "Acme Group" --take theirs
$ALEX fix Account "Adventure Logistics" Rating=Warm
$ALEX dismiss Account "Blue Sun Health"
$ALEX dismiss Account "Blue Sun Partners"
$ALEX sync
left=$($ALEX pending --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
[ "$left" = 0 ] || { echo "still pending after settling: $left" >&2; exit 1; }
rating=$(api "$S/services/data/v62.0/query?q=SELECT+Rating+FROM+Account+WHERE+Name='Adventure+Logistics'" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["records"][0]["Rating"])')
phone=$(api "$S/services/data/v62.0/query?q=SELECT+Phone+FROM+Account+WHERE+Name='Acme+Group'" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["records"][0]["Phone"])')
[ "$rating" = Warm ] && [ "$phone" = 555-9999 ] || { echo "org has Rating=$rating Phone=$phone, want Warm and 555-9999" >&2; exit 1; }
echo "each settled from the shell: the org has the fix and their value, nothing is left pending"
