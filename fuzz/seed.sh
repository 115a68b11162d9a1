#!/usr/bin/env bash
# Fills fuzz/corpus/<target>/ with seed inputs: real files from ../shared/fixtures (beside the
# repository) and from the crates' test data, plus a few small hand-written ones. The corpus is
# not committed (.gitignore); run this before fuzzing on a fresh clone. Re-running it is safe:
# it only adds files, and libFuzzer's own finds stay.
#
# Needs: bash, jq, zip (for the slack_zip seeds; skipped without it).
set -euo pipefail

fuzz="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$fuzz/.." && pwd)"
shared="${HINDSIGHT_FIXTURES:-$root/../shared/fixtures}"
corpus="$fuzz/corpus"
# Seeds larger than this are left out: they slow every run and add little over a smaller one.
max_bytes=20000

if [ ! -d "$shared" ]; then
    echo "seed.sh: no fixtures at $shared (set HINDSIGHT_FIXTURES); only hand-written seeds" >&2
fi

# copy TARGET FILE... : copies each existing file under its folder-qualified name.
copy() {
    local target="$1"
    shift
    mkdir -p "$corpus/$target"
    local file
    for file in "$@"; do
        [ -f "$file" ] || continue
        [ "$(wc -c <"$file")" -le "$max_bytes" ] || continue
        cp "$file" "$corpus/$target/$(basename "$(dirname "$file")")-$(basename "$file")"
    done
}

# put TARGET NAME: writes standard input as one seed.
put() {
    mkdir -p "$corpus/$1"
    cat >"$corpus/$1/$2"
}

# --- timeline_csv -------------------------------------------------------------------------
copy timeline_csv "$root/crates/cli/tests/data/github-2018-10-21.csv" \
    "$root/crates/cli/src/demo/timeline.csv"
printf 'time,kind,text,author,severity,evidence,key_point\n2026-03-29 02:30,detected,"in the DST gap",,,,\n2026-10-25 02:30,declared,"twice, in the DST fold",ana,SEV-2,https://x.example/1,yes\n' |
    put timeline_csv dst.csv
printf '\xef\xbb\xbfTime;Kind;Text\n2026-11-20T14:03:00+01:00;severity_changed;"SEV-1 now"\n' | put timeline_csv bom-semicolon.csv

# --- template_file ------------------------------------------------------------------------
copy template_file "$root"/templates/*.toml

# --- local_time ---------------------------------------------------------------------------
for t in '2018-10-21T22:52:00Z' '2026-03-29T02:30' '2026-10-25 02:30:00.5' \
    '2026-11-20 14:03' '1899-12-31T23:59:59+00:00' '9999-12-31T23:59:60.999999999Z' \
    ' 2026-11-20T14:03:00.123456789-09:30 '; do
    printf '%s' "$t" | put local_time "$(printf '%s' "$t" | tr -c 'A-Za-z0-9.-' '_')"
done

# --- slack_day: day files (JSON arrays of messages) -----------------------------------------
copy slack_day "$shared"/slack-export-2016/*/*.json \
    "$root"/crates/import/tests/data/extraction-export/*/*.json \
    "$root"/crates/import/tests/data/extraction-holdout-export/*/*.json
printf '[{"ts":"1458174810.000002","user":"U1","text":"<@U1> rolled back <https://x.example|the deploy> &amp; <#C1|ops>","reactions":[{"name":"pushpin"}],"thread_ts":"1458174800.000001","blocks":null,"files":[{"url_private":"https://files.slack.com/x?t=secret","title":"graph"}]},{"ts":"1458174811","subtype":"tombstone","hidden":true,"user":"USLACKBOT","text":""}]' |
    put slack_day modern.json

# --- slack_zip: whole exports as zips -------------------------------------------------------
if command -v zip >/dev/null; then
    mkdir -p "$corpus/slack_zip"
    tmp="$(mktemp -d)"
    trap 'rm -rf "$tmp"' EXIT
    mkdir -p "$tmp/small/ops"
    printf '[{"id":"U1","name":"ana","profile":{"title":"SRE"}}]' >"$tmp/small/users.json"
    printf '[{"id":"C1","name":"ops","created":1458000000}]' >"$tmp/small/channels.json"
    cp "$corpus/slack_day/modern.json" "$tmp/small/ops/2016-03-28.json"
    (cd "$tmp/small" && zip -q -X -r "$corpus/slack_zip/small-stored.zip" . -0)
    (cd "$tmp/small" && zip -q -X -r "$corpus/slack_zip/small-deflated.zip" .)
    (cd "$tmp" && zip -q -X -r "$corpus/slack_zip/nested-folder.zip" small)
    if [ -d "$shared/slack-export-2016" ]; then
        mkdir -p "$tmp/2016/enrique"
        cp "$shared/slack-export-2016/users.json" "$shared/slack-export-2016/channels.json" "$tmp/2016/"
        cp "$shared/slack-export-2016/enrique/2016-01-14.json" "$tmp/2016/enrique/"
        (cd "$tmp/2016" && zip -q -X -r "$corpus/slack_zip/fixture-one-day.zip" .)
    fi
else
    echo "seed.sh: no zip command; slack_zip starts from an empty corpus" >&2
fi

# --- mattermost: JSON Lines ---------------------------------------------------------------
copy mattermost "$shared/mattermost-bulk/export.jsonl"
if [ -f "$shared/mattermost-bulk/export.jsonl" ]; then
    head -n 20 "$shared/mattermost-bulk/export.jsonl" | put mattermost head-20.jsonl
    grep -E '"type":"(version|direct_channel|direct_post)"' "$shared/mattermost-bulk/export.jsonl" |
        put mattermost direct.jsonl || true
fi
printf '\xef\xbb\xbf{"type":"version","version":1}\n{"type":"post","post":{"team":"t","channel":"c","user":"u","message":"rolled back https://x.example/1","create_at":1553166657086,"reactions":null,"replies":[{"user":"v","message":"all clear","create_at":1553166557000}],"props":{"from_bot":"true","override_username":"bot"}}}\n' |
    put mattermost reply-older.jsonl

# --- plain_chat_csv / plain_chat_jsonl ------------------------------------------------------
printf '\xef\xbb\xbfTime,Author,Text,Channel\n2026-11-20 14:03,ana,"rolled back, see https://deploy.example/1",\n2026-11-20T13:05:00Z,,"two\nlines",war-room\n1795183500,bob,   ,\n1795183560123,bob,all clear,\n1795183560.25,bob,quarter,\n' |
    put plain_chat_csv times.csv
printf 'text,time,author\nTODO: add an alert,2026-03-29 02:30,ana\n' | put plain_chat_csv dst.csv
printf '{"time":"2026-11-20T14:03:00+01:00","author":"ana","text":"paging db"}\n\n{"time":1795183500,"author":"bob","text":"ack","channel":"war-room","extra":[1]}\n{"time":1795183560123,"text":"bot says hi"}\n{"time":1795183560.25,"author":"bob","text":"quarter"}\n{"time":"2026-11-20 15:00","author":"ana"}\n' |
    put plain_chat_jsonl times.jsonl
printf '{"time":-5,"text":"x"}\n{"time":1e300,"text":"y"}\n{"time":"99999999999999999999","text":"z"}\n' |
    put plain_chat_jsonl numbers.jsonl

# --- webhooks -------------------------------------------------------------------------------
copy pagerduty "$shared"/webhooks/pagerduty-v3/*.json "$shared/webhooks/pagerduty-signature-test-vector/body.json"
copy alertmanager "$shared"/webhooks/alertmanager/*.json
copy opsgenie "$shared"/webhooks/opsgenie/*.json
copy statuspage "$shared"/webhooks/statuspage/*.json

# pagerduty_signature: [secret length][secret][header]\n[body]
sig_dir="$shared/webhooks/pagerduty-signature-test-vector"
if [ -f "$sig_dir/secret.txt" ]; then
    secret="$(cat "$sig_dir/secret.txt")"
    while read -r name header; do
        {
            printf "\\$(printf '%03o' "${#secret}")"
            printf '%s%s\n' "$secret" "$header"
            cat "$sig_dir/body.json"
        } | put pagerduty_signature "$name"
    done <<'EOF'
valid v1=0c0b9495b893a39e70d1fea2fe11fbe0a825f88b9f67846f6cc07dd2bc5476cd
mismatch v1=7020c8a7ec668a9b7012bc3dd82e483394b038f4230acc6785efbf2a7d8bcaf5
rotation v2=abc,v1=7020c8a7ec668a9b7012bc3dd82e483394b038f4230acc6785efbf2a7d8bcaf5,v1=0c0b9495b893a39e70d1fea2fe11fbe0a825f88b9f67846f6cc07dd2bc5476cd
malformed v1=zz,junk
EOF
fi
printf '\x03keyv1=00\n{}' | put pagerduty_signature short

# --- document: the JSON document snapshot, without insta's header ---------------------------
snap="$root/crates/render/tests/snapshots/markdown__document.json.snap"
if [ -f "$snap" ]; then
    awk 'n >= 2 { print } /^---$/ && n < 2 { n++ }' "$snap" | put document render-snapshot.json
fi
printf '{"format":"hindsight.postmortem","version":2}' | put document too-new.json

# --- extract: [rules byte] then lines of [flags byte][author\t]text ---------------------------
# The flags byte 0x20 is "author U1", 0x22 adds "pinned", 0x41 is "the statuspage bot".
{
    printf '\x01'
    printf ' Alice Martin\tpaging db on-call, SEV-1 declared\n'
    printf 'A\tstatus page updated: investigating https://status.example.com/i/1\n'
    printf '"ana\trolled back the deploy https://deploy.example/42\n'
    printf ' \tTODO: add an alert on pool saturation\n'
    printf ' \twe should not have resolved to page, did anyone page db?\n'
    printf '\x04bob\tall clear, incident is over\n'
    printf '\x08\t<@U1> has joined the channel\n'
} | put extract hand-written
ex="$root/crates/import/tests/data/extraction-export/inc-2041-checkout-502s"
for day in "$ex"/*.json; do
    [ -f "$day" ] || continue
    {
        printf '\x01'
        jq -r '.[] | " \(.user // "")\t\(.text // "" | gsub("[\n\r]"; " "))"' "$day"
    } | head -c "$max_bytes" | put extract "inc-2041-$(basename "$day" .json)"
done

# --- blame_lint: labelled sentences, one per seed, and each file whole ----------------------
mkdir -p "$corpus/blame_lint"
for tsv in "$root"/crates/core/tests/data/blame-sentences*.tsv; do
    [ -f "$tsv" ] || continue
    base="$(basename "$tsv" .tsv)"
    cut -f3 "$tsv" | awk -v dir="$corpus/blame_lint" -v base="$base" \
        'NR % 4 == 1 { f = sprintf("%s/%s-%04d", dir, base, NR); printf "%s", $0 > f; close(f) }'
    cut -f3 "$tsv" | head -c "$max_bytes" | put blame_lint "$base-whole"
done
printf 'Will will fix it. Alice Martin should have known; "Alice Martin broke prod" is what the page said.' |
    put blame_lint names

for dir in "$corpus"/*/; do
    printf '%-20s %3d seeds\n' "$(basename "$dir")" "$(find "$dir" -type f | wc -l)"
done
