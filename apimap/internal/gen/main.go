// Command gen writes apimap's zz_generated.go from the reference data in
// ../shared/data (relative to the repository root). Run it with
// `go generate ./apimap` from the repository root.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/pinpointgw/gateway/apimap/internal/codegen"
)

func main() {
	data := flag.String("data", "../../shared/data", "reference data folder (relative to the apimap package directory)")
	out := flag.String("o", "zz_generated.go", "output file")
	flag.Parse()
	src, err := codegen.Generate(*data)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, src, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
