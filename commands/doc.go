// Package commands registers the gateway's Caddy subcommands, map and
// simulate, with caddycmd.RegisterCommand. The package module imports it, so
// any Caddy built with the module (cmd/gateway, or xcaddy build --with
// github.com/pinpointgw/gateway/module) has `caddy map` and `caddy simulate`.
//
// map shows what requests map to (API, operation, IAM actions, resource
// ARNs, request tags), as the gateway sees them; simulate evaluates IAM
// policies for cases, as the gateway would. Both read JSON lines on stdin
// and write one JSON line for each on stdout.
//
// import (import.go) writes a store from `aws iam get-account-authorization-details` output (package iamimport).
// upstream-policy (upstreampolicy.go) prints the least-privilege IAM policy of the gateway's own
// credentials for a config (package upstreampolicy).
// replay (replay.go) decides the requests of audit logs again under a candidate store (package replay).
// policy generate (policygen.go) writes the least-privilege policy of a principal, a role or tagged sessions from audit logs, proved by replaying them (package policygen).
package commands
