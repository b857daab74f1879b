package commands

// RunUpstreamPolicy is runUpstreamPolicy, for the tests of package commands_test (which
// import package module, for its Caddyfile directive).
var RunUpstreamPolicy = runUpstreamPolicy
