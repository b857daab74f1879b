#!/usr/bin/env bash
# bench/load.sh — compare, in one run and interleaved, four targets on
# loopback under the same closed-loop load (CONNS connections, signed GET
# /v1/apps requests):
#   upstream   the trivial fast upstream (bench/upstream) called directly
#   caddy      bare Caddy `reverse_proxy` to that upstream (same binary), no
#              log at all
#   caddy-log  the same with Caddy's access log, one record per request,
#              routed as the gateway's audit log is (buffered writer, file)
#   gateway    the gateway's allow path: verify SigV4, map, decide, audit,
#              re-sign with static upstream credentials, forward to it; its
#              audit log (one record per request) goes through the buffered
#              log writer (caddy.logging.writers.buffered) to a file
# and print requests/s, p50 and p99 for each, the gateway/Caddy ratios
# (against both Caddy targets), and each server's CPU per request from
# /proc/<pid>/stat (utime+stime deltas over the requests served), so the
# gateway's own CPU per request on top of Caddy's. The proxy, the upstream
# and the load generator are pinned to separate CPUs with taskset where
# there are enough. At the end the gateway is stopped (which flushes its
# log) and its audit records are counted against the requests it answered.
#
# Usage: bash bench/load.sh        (env: DURATION=10s ROUNDS=3 CONNS=32 WARMUP=2s,
#                                   GATEWAY_BIN=prebuilt binary, CPU sets below,
#                                   PROFILE=file: also write a CPU profile of the
#                                   gateway taken during its last round,
#                                   LOG_BUFFERED=0: both logs straight to their
#                                   files, one write per record, for comparison)
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10s}
ROUNDS=${ROUNDS:-3}
CONNS=${CONNS:-32}
WARMUP=${WARMUP:-2s}
LOG_BUFFERED=${LOG_BUFFERED:-1}

die() { echo "load.sh: $*" >&2; exit 1; }

# Tools: go to build, taskset (util-linux) to pin.
command -v go >/dev/null || die "go is required"
if ! command -v taskset >/dev/null; then
	if [ "$(id -u)" = 0 ]; then
		apt-get install -y -qq util-linux >/dev/null || die "cannot install util-linux (taskset)"
	else
		die "taskset (util-linux) is required"
	fi
fi

ncpu=$(nproc)
if [ "$ncpu" -ge 4 ]; then
	SERVER_CPUS=${SERVER_CPUS:-0} UPSTREAM_CPUS=${UPSTREAM_CPUS:-1} CLIENT_CPUS=${CLIENT_CPUS:-2-$((ncpu - 1))}
elif [ "$ncpu" -ge 2 ]; then
	# Two CPUs: the proxy under test gets one, the load generator and the
	# upstream share the other.
	SERVER_CPUS=${SERVER_CPUS:-0} UPSTREAM_CPUS=${UPSTREAM_CPUS:-1} CLIENT_CPUS=${CLIENT_CPUS:-1}
else
	echo "load.sh: warning: one CPU, nothing can be pinned apart" >&2
	SERVER_CPUS=0 UPSTREAM_CPUS=0 CLIENT_CPUS=0
fi
CLK_TCK=$(getconf CLK_TCK)

tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT

echo "== building (into $tmp)"
go build -o "$tmp/loadgen" ./bench/loadgen
go build -o "$tmp/upstream" ./bench/upstream
if [ -n "${GATEWAY_BIN:-}" ]; then
	cp "$GATEWAY_BIN" "$tmp/gateway"
else
	go build -o "$tmp/gateway" ./cmd/gateway
fi
"$tmp/gateway" list-modules | grep -qx 'http.handlers.pinpoint_gateway' ||
	die "the built binary lacks http.handlers.pinpoint_gateway"

port() { "$tmp/loadgen" -free-port; }
UP_PORT=$(port) CADDY_PORT=$(port) GW_PORT=$(port)

AKID=AKIABENCHCLIENT00001
SECRET=benchClientSecretKey/0000000000000000000
cat >"$tmp/store.json" <<JSON
{
  "users": [{"name": "bench", "access_keys": [{"id": "$AKID", "secret": "$SECRET"}], "policies": ["Read"]}],
  "policies": {"Read": {"Version": "2012-10-17", "Statement": [
    {"Sid": "Apps", "Effect": "Allow", "Action": "mobiletargeting:GetApps", "Resource": "*"}]}}
}
JSON
global="{
	admin off
	auto_https off
	persist_config off
	storage file_system $tmp/caddy-data
}"
cat >"$tmp/Caddyfile.caddy" <<CADDY
$global
http://127.0.0.1:$CADDY_PORT {
	reverse_proxy 127.0.0.1:$UP_PORT
}
CADDY
# log_output FILE: the log output of both the gateway's audit log and Caddy's
# access log: buffered (bufferedlog/writer.go, defaults 64KiB and 100ms)
# to a file without rolling (so that rolling costs neither), or with
# LOG_BUFFERED=0 straight to the file.
log_output() {
	if [ "$LOG_BUFFERED" = 0 ]; then
		printf 'output file %s {\n\t\t\troll_disabled\n\t\t}' "$1"
	else
		printf 'output buffered {\n\t\t\toutput file %s {\n\t\t\t\troll_disabled\n\t\t\t}\n\t\t}' "$1"
	fi
}
# Caddy's access log, routed as the gateway's audit log below.
CADDYLOG_PORT=$(port)
cat >"$tmp/Caddyfile.caddylog" <<CADDY
$global
http://127.0.0.1:$CADDYLOG_PORT {
	reverse_proxy 127.0.0.1:$UP_PORT
	log {
		$(log_output "$tmp/access.log")
	}
}
CADDY
gwglobal=$global
if [ -n "${PROFILE:-}" ]; then
	ADMIN_PORT=$(port)
	gwglobal=${global/admin off/admin 127.0.0.1:$ADMIN_PORT}
fi
# The audit log: every record is written (and counted at the end).
gwglobal=${gwglobal%\}}"	log audit {
		include http.handlers.pinpoint_gateway.audit
		$(log_output "$tmp/audit.log")
	}
}"
cat >"$tmp/Caddyfile.gateway" <<CADDY
$gwglobal
http://127.0.0.1:$GW_PORT {
	pinpoint_gateway {
		account 123456789012
		region us-east-1
		store $tmp/store.json
		upstream_credentials static AKIABENCHUPSTREAM001 benchUpstreamSecretKey/000000000000000
		endpoint pinpoint http://127.0.0.1:$UP_PORT
		resource_tags static
	}
}
CADDY

export HOME=$tmp XDG_CONFIG_HOME=$tmp/config XDG_DATA_HOME=$tmp/data AWS_EC2_METADATA_DISABLED=true

start() { # cpus logfile cmd... ; sets $started
	local cpus=$1 log=$2
	shift 2
	taskset -c "$cpus" "$@" >"$log" 2>&1 &
	started=$!
	pids+=("$started")
}
wait_port() { # port pid
	local deadline=$((SECONDS + 60))
	until (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; do
		kill -0 "$2" 2>/dev/null || die "process $2 exited before listening on $1"
		[ $SECONDS -lt $deadline ] || die "nothing listening on $1 after 60s"
		sleep 0.05
	done
}

start "$UPSTREAM_CPUS" "$tmp/upstream.log" "$tmp/upstream" -addr "127.0.0.1:$UP_PORT"
UP_PID=$started
start "$SERVER_CPUS" "$tmp/caddy.log" "$tmp/gateway" run --config "$tmp/Caddyfile.caddy" --adapter caddyfile
CADDY_PID=$started
start "$SERVER_CPUS" "$tmp/caddylog.log" "$tmp/gateway" run --config "$tmp/Caddyfile.caddylog" --adapter caddyfile
CADDYLOG_PID=$started
start "$SERVER_CPUS" "$tmp/gateway.log" "$tmp/gateway" run --config "$tmp/Caddyfile.gateway" --adapter caddyfile
GW_PID=$started
wait_port "$UP_PORT" "$UP_PID"
wait_port "$CADDY_PORT" "$CADDY_PID"
wait_port "$CADDYLOG_PORT" "$CADDYLOG_PID"
wait_port "$GW_PORT" "$GW_PID"

cpu_ticks() { # pid -> utime+stime in clock ticks
	local stat
	stat=$(<"/proc/$1/stat")
	stat=${stat##*) }
	awk '{print $12 + $13}' <<<"$stat"
}

declare -A URL PID
URL[upstream]="http://127.0.0.1:$UP_PORT/v1/apps" PID[upstream]=$UP_PID
URL[caddy]="http://127.0.0.1:$CADDY_PORT/v1/apps" PID[caddy]=$CADDY_PID
URL[caddy-log]="http://127.0.0.1:$CADDYLOG_PORT/v1/apps" PID[caddy-log]=$CADDYLOG_PID
URL[gateway]="http://127.0.0.1:$GW_PORT/v1/apps" PID[gateway]=$GW_PID
targets=(upstream caddy caddy-log gateway)

load() { # name duration -> loadgen's key=value line
	taskset -c "$CLIENT_CPUS" "$tmp/loadgen" -text -name "$1" -url "${URL[$1]}" -c "$CONNS" -d "$2" \
		-access-key "$AKID" -secret-key "$SECRET" -service mobiletargeting -region us-east-1
}

echo "== $ncpu CPUs: proxy on $SERVER_CPUS, upstream on $UPSTREAM_CPUS, load generator on $CLIENT_CPUS; $CONNS connections, $ROUNDS rounds of $DURATION each"
echo "== warm-up ($WARMUP each)"
gw_answered=0 # the gateway's requests, each load's probe included
for t in "${targets[@]}"; do
	line=$(load "$t" "$WARMUP")
	if [ "$t" = gateway ]; then
		n=${line#*requests=}
		gw_answered=$((gw_answered + ${n%% *} + 1))
	fi
done

results="$tmp/results"
: >"$results"
for r in $(seq 1 "$ROUNDS"); do
	for t in "${targets[@]}"; do
		before=$(cpu_ticks "${PID[$t]}")
		prof_pid=
		if [ -n "${PROFILE:-}" ] && [ "$t" = gateway ] && [ "$r" = "$ROUNDS" ]; then
			secs=${DURATION%s}
			curl -sf -o "$PROFILE" "http://127.0.0.1:$ADMIN_PORT/debug/pprof/profile?seconds=$((secs > 1 ? secs - 1 : 1))" &
			prof_pid=$!
		fi
		line=$(load "$t" "$DURATION")
		[ -z "$prof_pid" ] || wait "$prof_pid" || echo "load.sh: warning: profiling failed" >&2
		after=$(cpu_ticks "${PID[$t]}")
		echo "round=$r $line cpu_ticks=$((after - before))" | tee -a "$results"
		if [ "$t" = gateway ]; then
			n=${line#*requests=}
			gw_answered=$((gw_answered + ${n%% *} + 1))
		fi
	done
done

errors=$(awk '{for (i = 1; i <= NF; i++) if ($i ~ /^errors=/) { split($i, a, "="); s += a[2] }} END {print s + 0}' "$results")
[ "$errors" = 0 ] || echo "load.sh: warning: $errors requests failed (see the lines above)" >&2

# Stop the gateway (Caddy's stop flushes the buffered audit log) and count
# its audit records: one per request answered, none may be missing.
kill -TERM "$GW_PID"
wait "$GW_PID" 2>/dev/null || true
audit_records=$(grep -c '"logger":"http.handlers.pinpoint_gateway.audit"' "$tmp/audit.log" || true)
echo
echo "== audit: $audit_records records in the audit log for $gw_answered requests the gateway answered (probes included)"
[ "$audit_records" -ge "$gw_answered" ] || echo "load.sh: warning: $((gw_answered - audit_records)) audit records missing" >&2

echo
echo "== summary (median over rounds; cpu/req = server process CPU time / requests served)"
if [ "$LOG_BUFFERED" = 0 ]; then how="straight to a file (LOG_BUFFERED=0)"; else how="buffered to a file"; fi
echo "   caddy: bare reverse_proxy, no log; caddy-log: with its access log; both logs $how"
awk -v tck="$CLK_TCK" '
function median(list,   n, v, i, j, t) {
	n = split(list, v, " ")
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
	return (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}
function perround(label, list,   n, v, i) {
	printf "%s", label
	n = split(list, v, " "); for (i = 1; i <= n; i++) printf " %.3f", v[i]; printf "\n"
}
{
	for (i = 1; i <= NF; i++) { split($i, a, "="); f[a[1]] = a[2] }
	name = f["name"]; round = f["round"]
	rps[name] = rps[name] " " f["rps"]; p50[name] = p50[name] " " f["p50_us"]; p99[name] = p99[name] " " f["p99_us"]
	cpu[name] = cpu[name] " " (f["requests"] > 0 ? f["cpu_ticks"] * 1e6 / tck / f["requests"] : 0)
	R[name, round] = f["rps"]; C[name, round] = (f["requests"] > 0 ? f["cpu_ticks"] * 1e6 / tck / f["requests"] : 0)
	if (round > rounds) rounds = round
}
END {
	printf "%-9s %12s %10s %10s %14s\n", "target", "requests/s", "p50 (µs)", "p99 (µs)", "cpu/req (µs)"
	split("upstream caddy caddy-log gateway", order, " ")
	for (k = 1; k <= 4; k++) { n = order[k]
		printf "%-9s %12.0f %10.0f %10.0f %14.1f\n", n, median(rps[n]), median(p50[n]), median(p99[n]), median(cpu[n]) }
	split("caddy caddy-log", base, " ")
	for (k = 1; k <= 2; k++) { b = base[k]
		ratios = ""; own = ""
		for (r = 1; r <= rounds; r++) {
			ratios = ratios " " R["gateway", r] / R[b, r]
			own = own " " (C["gateway", r] - C[b, r])
		}
		printf "\ngateway/%s requests/s: %.3f (median of rounds)\n", b, median(ratios)
		perround("  per round:", ratios)
		printf "gateway CPU per request on top of %s: %.1f µs (median of rounds)\n", b, median(own)
		perround("  per round:", own)
	}
}' "$results"
