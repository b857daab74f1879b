// Package integration holds the end-to-end tests of the gateway: each test
// builds nothing itself but uses the binary that TestMain builds once from
// ./cmd/gateway, starts it as a real process on 127.0.0.1 with a generated
// Caddyfile and credential store, and talks to it with real clients (the
// aws-sdk-go-v2 Pinpoint, SMS and Voice v2 and STS clients, hand-signed
// requests for the SMS and Voice v1 API, the AWS CLI v2 at /usr/bin/aws, and
// the AWS SDK for JavaScript v3 under Node.js: jssdk_test.go).
// Behind the gateway a fake upstream verifies the gateway's SigV4 signature
// with the upstream credentials, refuses anything that still carries a
// client's credentials, and records what reached it.
//
// TestInvariantForwardedIsAuthorized is a differential test: an independent
// reader built from the service models (internal/wirecheck) reads what each
// fake upstream received, and every operation and resource it finds must be
// in that request's audit record. Its requests are generated for every
// operation of the three models, with adversarial mutations of each.
//
// The sending-guardrail tests (sending_test.go, quota_test.go) run several
// gateway processes against one real redis-server that they start on a
// random loopback port (internal/testenv), stop and start again.
//
// The tests skip under -short. The CLI tests skip when /usr/bin/aws is
// absent, the quota tests when redis-server is, and TestJSSDK without node
// or integration/testdata/jssdk/node_modules, unless CI=true, where they
// fail instead.
package integration
