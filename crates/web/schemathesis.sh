#!/usr/bin/env bash
# API robustness: schemathesis (from PyPI) generates requests from the OpenAPI document the
# server publishes and sends them to a real `hindsight serve`; the check is that no request,
# however malformed, gets a server error (5xx).
#
#   crates/web/schemathesis.sh [EXTRA SCHEMATHESIS ARGS…]
#
# It builds the release binary, seeds a fresh SQLite database (the sample incident and an admin
# account), starts the server on a free port, signs in to make an API token through the API,
# installs schemathesis in target/schemathesis-venv (once), and runs it with that token. The
# token's own revocation (DELETE /api/v1/tokens/{id}) is fuzzed in a second run, last, so that a
# generated id that happens to be the token's does not sign the rest of the run out.
# Environment: SCHEMATHESIS_MAX_EXAMPLES (default 100), SCHEMATHESIS_SEED.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
cargo build --release --quiet -p hindsight-cli
hindsight="$root/target/release/hindsight"

work=$(mktemp -d)
server=""
cleanup() {
    if [[ -n "$server" ]]; then
        kill "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

db="$work/hindsight.db"
password="schemathesis-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
"$hindsight" --db "$db" demo >/dev/null 2>&1
printf '%s\n' "$password" |
    "$hindsight" --db "$db" user add fuzz --display-name "Fuzz Admin" --role admin --password-stdin >/dev/null

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
HINDSIGHT_LOG="${HINDSIGHT_LOG:-error}" "$hindsight" --db "$db" serve --listen "127.0.0.1:$port" \
    2>"$work/server.log" &
server=$!
for _ in $(seq 100); do
    curl -fsS "$base/healthz" >/dev/null 2>&1 && break
    sleep 0.1
done

# Sign in as a browser does, then make the token with the session and its CSRF token.
jar="$work/cookies"
nonce=$(curl -fsS -c "$jar" "$base/signin" | sed -n 's/.*name="nonce" value="\([0-9a-f]*\)".*/\1/p')
curl -fsS -o /dev/null -b "$jar" -c "$jar" --data-urlencode "name=fuzz" \
    --data-urlencode "password=$password" --data-urlencode "nonce=$nonce" --data-urlencode "next=/" \
    "$base/signin"
csrf=$(curl -fsS -b "$jar" "$base/account" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1)
token=$(curl -fsS -b "$jar" -H "X-CSRF-Token: $csrf" -H "Content-Type: application/json" \
    -d '{"label": "schemathesis"}' "$base/api/v1/tokens" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')

venv="$root/target/schemathesis-venv"
if [[ ! -x "$venv/bin/schemathesis" ]]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet schemathesis
fi
"$venv/bin/schemathesis" --version

args=(
    --checks not_a_server_error
    --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-100}"
    --header "Authorization: Bearer $token"
    --suppress-health-check all
    --generation-database none
    --no-color
)
if [[ -n "${SCHEMATHESIS_SEED:-}" ]]; then
    args+=(--seed "$SCHEMATHESIS_SEED")
fi
# The second run fills the path with what exists (the sample incident INC-1 and its first
# event and action), so that its requests reach the handlers' own checks instead of a 404.
cat >"$work/existing.toml" <<'TOML'
[parameters]
"path.key" = "INC-1"
"path.section" = "overview"
"path.kind" = "internal"
"path.position" = 1

[[operations]]
include-operation-id = "export"
parameters = { "path.format" = "markdown" }

[[operations]]
include-operation-id = "import_chat"
parameters = { "path.format" = "chat" }

[[operations]]
include-operation-id-regex = "^(replace_event|delete_event|change_action)$"
parameters = { "path.id" = 1 }
TOML

# Anything schemathesis writes stays in the scratch directory.
cd "$work"
status=0
echo "== every operation but revoking a token, with generated path parameters"
"$venv/bin/schemathesis" run "$base/api/openapi.json" "${args[@]}" \
    --exclude-operation-id revoke_token "$@" || status=$?
echo "== the same, on the sample incident"
"$venv/bin/schemathesis" --config-file "$work/existing.toml" run "$base/api/openapi.json" \
    "${args[@]}" --exclude-operation-id revoke_token "$@" || status=$?
echo "== revoking a token, last"
"$venv/bin/schemathesis" run "$base/api/openapi.json" "${args[@]}" \
    --include-operation-id revoke_token "$@" || status=$?

if grep -q "ERROR" "$work/server.log"; then
    echo "the server logged errors:" >&2
    grep "ERROR" "$work/server.log" >&2
    status=1
fi
exit "$status"
