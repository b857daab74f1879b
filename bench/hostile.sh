#!/usr/bin/env bash
# bench/hostile.sh — what a hostile client can make the gateway spend:
# memory under IDLE (default 1000) connections that send only the headers of
# a request declaring a max_body-sized body, and the CPU time and audit
# record size of pathological requests of about 10 MiB (a v2 list far past
# its model maximum, a Pinpoint map of as many tags as fit, deeply nested
# arrays), signed by a user that no policy allows anything. See
# bench/hostile/main.go. Everything runs on 127.0.0.1.
#
# Usage: bash bench/hostile.sh     (env: IDLE=1000, GATEWAY_BIN=prebuilt binary)
set -euo pipefail
cd "$(dirname "$0")/.."
IDLE=${IDLE:-1000}

tmp=$(mktemp -d)
gw=
cleanup() {
	[ -z "$gw" ] || { kill "$gw" 2>/dev/null || true; wait "$gw" 2>/dev/null || true; }
	rm -rf "$tmp"
}
trap cleanup EXIT

go build -o "$tmp/hostile" ./bench/hostile
go build -o "$tmp/loadgen" ./bench/loadgen
if [ -n "${GATEWAY_BIN:-}" ]; then cp "$GATEWAY_BIN" "$tmp/gateway"; else go build -o "$tmp/gateway" ./cmd/gateway; fi
PORT=$("$tmp/loadgen" -free-port)
ADMIN=$("$tmp/loadgen" -free-port)
AKID=AKIAHOSTILENOBODY001
SECRET=hostileNobodySecretKey/00000000000000000
cat >"$tmp/store.json" <<JSON
{"users": [{"name": "nobody", "access_keys": [{"id": "$AKID", "secret": "$SECRET"}]}]}
JSON
cat >"$tmp/Caddyfile" <<CADDY
{
	admin 127.0.0.1:$ADMIN
	auto_https off
	persist_config off
	storage file_system $tmp/caddy-data
	log audit {
		include http.handlers.pinpoint_gateway.audit
		output file $tmp/audit.log {
			roll_disabled
		}
	}
}
http://127.0.0.1:$PORT {
	pinpoint_gateway {
		account 123456789012
		region us-east-1
		store $tmp/store.json
		upstream_credentials static AKIAHOSTILEUPSTREAM1 hostileUpstreamSecretKey/0000000000000
		endpoint pinpoint http://127.0.0.1:9
		endpoint sms-voice-v2 http://127.0.0.1:9
		max_body 10MiB
	}
}
CADDY
export HOME=$tmp XDG_CONFIG_HOME=$tmp/config XDG_DATA_HOME=$tmp/data AWS_EC2_METADATA_DISABLED=true
ulimit -n 65536 2>/dev/null || ulimit -n 4096
"$tmp/gateway" run --config "$tmp/Caddyfile" --adapter caddyfile >"$tmp/gateway.log" 2>&1 &
gw=$!
deadline=$((SECONDS + 60))
until (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; do
	kill -0 "$gw" 2>/dev/null || { cat "$tmp/gateway.log" >&2; echo "hostile.sh: the gateway exited" >&2; exit 1; }
	[ $SECONDS -lt $deadline ] || { echo "hostile.sh: nothing listening on $PORT after 60s" >&2; exit 1; }
	sleep 0.05
done
touch "$tmp/audit.log"
"$tmp/hostile" -addr "127.0.0.1:$PORT" -pid "$gw" -audit "$tmp/audit.log" -idle "$IDLE" \
	-metrics "http://127.0.0.1:$ADMIN/metrics" \
	-access-key "$AKID" -secret-key "$SECRET"
