// Package athenaschema compiles the JSON Schema written from the columns of
// Athena's CloudTrail table (cloudtrail/testdata/athena-cloudtrail.schema.json),
// the independent reader with which the tests of the CloudTrail encoder
// (package cloudtrail, and integration's TestCloudTrailFormat) check its
// events. Tests only: the gateway does not import it.
package athenaschema

import (
	"fmt"
	"os"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Compile compiles the schema file at path: file validates a CloudTrail log
// file ({"Records": [...]}), event one event.
func Compile(path string) (file, event *jsonschema.Schema, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	const name = "athena-cloudtrail.schema.json"
	c := jsonschema.NewCompiler()
	if err := c.AddResource(name, doc); err != nil {
		return nil, nil, err
	}
	if file, err = c.Compile(name); err != nil {
		return nil, nil, err
	}
	if event, err = c.Compile(name + "#/$defs/event"); err != nil {
		return nil, nil, err
	}
	return file, event, nil
}
