#!/usr/bin/env bash
# Runs every test of the project: unit tests (with the race detector), the IAM
# differential test against an independent simulator, short fuzzing of every
# parser, and the end-to-end tests of the real binary with the AWS SDK and CLI.
# It installs what those tests need (Debian's awscli, the Node oracle) first.
set -euo pipefail
cd "$(dirname "$0")/.."

# Tests talk only to 127.0.0.1: never let an AWS SDK probe EC2 instance metadata.
export AWS_EC2_METADATA_DISABLED=true

log() { printf '\n== %s\n' "$*"; }

log "setup"
# Debian packages the tests run: the AWS CLI v2 (tests call /usr/bin/aws, never a PATH
# lookup) and redis-server (the shared quota state; started by the tests on 127.0.0.1).
need=()
[ -x /usr/bin/aws ] || need+=(awscli)
command -v redis-server >/dev/null || need+=(redis-server)
if [ ${#need[@]} -gt 0 ]; then
	sudo=()
	[ "$(id -u)" = 0 ] || sudo=(sudo)
	if [ "$(id -u)" = 0 ] || command -v sudo >/dev/null; then
		"${sudo[@]}" apt-get update -qq
		"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
	else
		echo "warning: ${need[*]} missing and no root: the tests that need them skip (fail under CI=true)" >&2
	fi
fi
# The independent IAM simulator, run by authz's differential test as a separate process.
if [ -f authz/testdata/oracle/package-lock.json ]; then
	npm ci --prefix authz/testdata/oracle --no-audit --no-fund --loglevel=error
fi
# The AWS SDK for JavaScript v3 SMS and Voice v2 client, whose every command apimap's
# TestJSSDKCommandsMap maps (the SDK builds each request; nothing is sent).
if [ -f apimap/testdata/jssdk/package-lock.json ]; then
	npm ci --prefix apimap/testdata/jssdk --no-audit --no-fund --loglevel=error
fi
# The AWS SDK for JavaScript v3 clients of the three APIs and STS, which integration's
# TestJSSDK runs against the real gateway (integration/testdata/jssdk/calls.mjs).
if [ -f integration/testdata/jssdk/package-lock.json ]; then
	npm ci --prefix integration/testdata/jssdk --no-audit --no-fund --loglevel=error
fi

log "go vet"
go vet ./...

log "unit and integration tests (race detector)"
go test -race -timeout 30m ./...

log "fuzzing each parser for a short time"
fuzz() { # package target
	# One fuzzing worker each: two targets run at once (below), one per core.
	local run=(go test -run='^$' -fuzz="^$2\$" -fuzztime="${FUZZTIME:-10s}" -parallel=1 "$1")
	# Go's fuzz coordinator can time out waiting for a busy worker on a loaded
	# machine ("context deadline exceeded"). One retry is safe: an input that
	# really fails is saved under testdata/fuzz and fails the retry at once.
	"${run[@]}" || { echo "retrying $2 once" >&2; "${run[@]}"; }
}
# authn's FuzzAssumeRole and FuzzParseStore, arn's FuzzParse and authz's FuzzContext run
# their seeds in go test but are not fuzzed here: the cold suite must stay under 20 minutes
# on two cores.
# Two lanes, one worker each, run at the same time: the fuzzing phase takes about half the
# wall time of one target after the other. Each package's targets stay in one lane, so that
# its fuzz-instrumented test binary is built once, not by both lanes at the same time (on a
# cold cache, building the module's instrumented binary, Caddy included, is most of the
# phase).
LANE0=(
	"./module FuzzUnmarshalCaddyfile" "./module FuzzPipeline"
	"./forward FuzzStripPresignParams" "./awscall FuzzEscapeLabel" "./audit FuzzCapString"
)
LANE1=(
	"./apimap FuzzMap" "./apimap FuzzARN" "./apimap FuzzJSONValid" "./apimap FuzzValidate"
	"./authz FuzzParse" "./authz FuzzGlob"
	"./authn FuzzParseAuthorization" "./authn FuzzParsePresign" "./authn FuzzOpenToken" "./authn FuzzUnmarshalClaims"
)
lane() { # target...
	local target
	for target in "$@"; do
		fuzz $target || return 1
	done
}
lanes=$(mktemp -d)
lane "${LANE0[@]}" >"$lanes/0" 2>&1 &
lane0=$!
lane "${LANE1[@]}" >"$lanes/1" 2>&1 &
lane1=$!
status=0
wait "$lane0" || status=1
wait "$lane1" || status=1
cat "$lanes/0" "$lanes/1"
rm -rf "$lanes"
exit "$status"
