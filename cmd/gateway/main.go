package main

import (
	caddycmd "github.com/caddyserver/caddy/v2/cmd"

	_ "github.com/caddyserver/caddy/v2/modules/standard"

	_ "github.com/pinpointgw/gateway/module"
)

func main() {
	caddycmd.Main()
}
