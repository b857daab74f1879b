// Command gen writes apimap's generated tables from the reference data in
// ../shared/data (relative to the repository root): zz_generated.go (the
// operations, actions, resource types and partitions) and zz_constraints.go
// (the models' length and value bounds of every operation's input). Run it
// with `go generate ./apimap` from the repository root.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/pinpointgw/gateway/apimap/internal/codegen"
)

func main() {
	data := flag.String("data", "../../shared/data", "reference data folder (relative to the apimap package directory)")
	tables := flag.String("o", "zz_generated.go", "output file of the operation tables")
	constraints := flag.String("constraints", "zz_constraints.go", "output file of the input constraints")
	flag.Parse()
	outputs := []struct {
		file     string
		generate func(data string) ([]byte, error)
	}{
		{*tables, codegen.Generate},
		{*constraints, codegen.GenerateConstraints},
	}
	// Generate both before writing either, so that a failure leaves the
	// checked-in files as they were.
	srcs := make([][]byte, len(outputs))
	for i, o := range outputs {
		src, err := o.generate(*data)
		if err != nil {
			fmt.Fprintf(os.Stderr, "gen: %s: %v\n", o.file, err)
			os.Exit(1)
		}
		srcs[i] = src
	}
	for i, o := range outputs {
		if err := os.WriteFile(o.file, srcs[i], 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
	}
}
