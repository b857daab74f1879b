#!/usr/bin/env bash
# bench/replay.sh — time and peak memory of `gateway replay` over N recorded
# requests (default 1,000,000): bench/replaylog writes a synthetic audit log
# shaped like the gateway's records (see its doc comment) and two stores;
# the replay runs under /usr/bin/time -v with GOMAXPROCS=2 and GOMEMLIMIT,
# once against the store the log was recorded under (no change expected,
# exit 0) and once against a candidate that revokes a known share (exit 1),
# then once over the gzip-compressed log. Everything stays in a temporary
# directory, removed at the end.
#
# Usage: bash bench/replay.sh     (env: N=1000000, GOMEMLIMIT=512MiB, GATEWAY_BIN=prebuilt binary)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-1000000}
export GOMAXPROCS=2 GOMEMLIMIT=${GOMEMLIMIT:-512MiB}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/replaylog" ./bench/replaylog
if [ -n "${GATEWAY_BIN:-}" ]; then cp "$GATEWAY_BIN" "$tmp/gateway"; else go build -o "$tmp/gateway" ./cmd/gateway; fi

"$tmp/replaylog" -n "$N" -out "$tmp" | tee "$tmp/expected"
want=$(awk '{print $3}' "$tmp/expected")
echo "log: $(du -h "$tmp/audit.log" | cut -f1), $(wc -l <"$tmp/audit.log") lines"

run() { # name, store, log; prints the summary, elapsed time, peak RSS, exit status
	local name=$1 store=$2 log=$3 status=0
	/usr/bin/time -v -o "$tmp/time.$name" "$tmp/gateway" replay --store "$store" --account 123456789012 \
		--format json "$log" >"$tmp/out.$name" 2>"$tmp/err.$name" || status=$?
	echo "== $name: exit $status"
	tail -n 1 "$tmp/out.$name"
	grep -E "Elapsed \(wall clock\)|Maximum resident set size|User time|System time" "$tmp/time.$name" | sed 's/^\s*/   /'
	echo "$status" >"$tmp/status.$name"
}
run recorded "$tmp/store.json" "$tmp/audit.log"
run candidate "$tmp/candidate.json" "$tmp/audit.log"
gzip -1 -k "$tmp/audit.log"
echo "gzip log: $(du -h "$tmp/audit.log.gz" | cut -f1)"
run candidate-gzip "$tmp/candidate.json" "$tmp/audit.log.gz"

fail=0
[ "$(cat "$tmp/status.recorded")" = 0 ] || { echo "FAIL: the recorded store changed decisions"; fail=1; }
for n in candidate candidate-gzip; do
	[ "$(cat "$tmp/status.$n")" = 1 ] || { echo "FAIL: $n: exit $(cat "$tmp/status.$n"), want 1"; fail=1; }
	got=$(($(wc -l <"$tmp/out.$n") - 1))
	[ "$got" = "$want" ] || { echo "FAIL: $n: $got changes, want $want"; fail=1; }
done
[ "$fail" = 0 ] && echo "OK: $want flips found, as generated"
exit "$fail"
