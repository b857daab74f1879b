// Command genconstraints writes apimap's zz_constraints.go (the models'
// length and value bounds of every operation's input) from the botocore
// models in ../shared/data. Run it with `go generate ./apimap` from the
// repository root.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/pinpointgw/gateway/apimap/internal/codegen"
)

func main() {
	data := flag.String("data", "../../shared/data", "reference data folder (relative to the apimap package directory)")
	out := flag.String("o", "zz_constraints.go", "output file")
	flag.Parse()
	src, err := codegen.GenerateConstraints(*data)
	if err != nil {
		fmt.Fprintln(os.Stderr, "genconstraints:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, src, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "genconstraints:", err)
		os.Exit(1)
	}
}
