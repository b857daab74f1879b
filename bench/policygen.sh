#!/usr/bin/env bash
# bench/policygen.sh — the figures of `gateway policy generate` on a large audit log: writes
# N synthetic audit records (bench/policygenlog: the gateway's record shape, 200 principals,
# about one in ten denied) to a temporary file, then generates and proves the policy of one
# user (about N/10 records selected), of one role (every session of it) and of the same
# sessions selected by a session tag whose value is not a plain needle (so that every line is
# decoded), each under /usr/bin/time -v with GOMAXPROCS=2, and prints wall time, CPU time and
# peak RSS.
#
# Usage: bash bench/policygen.sh        (env: N=1000000, GOMEMLIMIT (unset by default),
#                                        GATEWAY_BIN=prebuilt binary, KEEP=1 keeps the log)
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-1000000}
die() { echo "policygen.sh: $*" >&2; exit 1; }
[ -x /usr/bin/time ] || die "/usr/bin/time (GNU time) is required for the peak RSS"

work=$(mktemp -d)
if [ "${KEEP:-0}" = 1 ]; then
	echo "keeping $work"
else
	trap 'rm -rf "$work"' EXIT
fi
bin=${GATEWAY_BIN:-}
if [ -z "$bin" ]; then
	bin=$work/gateway
	go build -o "$bin" ./cmd/gateway
fi
go build -o "$work/policygenlog" ./bench/policygenlog

echo "writing $N records..."
"$work/policygenlog" -n "$N" >"$work/audit.log"
echo "log: $(du -h "$work/audit.log" | cut -f1), $(wc -l <"$work/audit.log") lines"

run() {
	local name=$1
	shift
	GOMAXPROCS=2 /usr/bin/time -v -o "$work/time.$name" "$bin" policy generate "$@" "$work/audit.log" \
		>"$work/policy.$name.json" 2>"$work/summary.$name" || true
	echo "== $name: $*"
	cat "$work/summary.$name"
	grep -E 'Elapsed \(wall clock\)|User time|System time|Maximum resident set size|Exit status' "$work/time.$name" | sed 's/^\s*/  /'
	echo "  policy: $(wc -c <"$work/policy.$name.json") bytes"
}

run user --principal arn:aws:iam::123456789012:user/bench-000
run role --role arn:aws:iam::123456789012:role/tenant-1
run every-line --session-tag cost-center=zürich
