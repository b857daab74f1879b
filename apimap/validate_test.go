package apimap

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestDescribePoolsTooManyIDs is the regression test of the unbounded
// request: 60 pool IDs in one DescribePools (the model allows at most 5)
// used to map to 60 resources, each an upstream tag lookup. It must be
// rejected before mapping, naming the member and the limit.
func TestDescribePoolsTooManyIDs(t *testing.T) {
	t.Parallel()
	ids := make([]string, 60)
	for i := range ids {
		ids[i] = fmt.Sprintf(`"pool-%032x"`, i)
	}
	res, err := Map(v2("DescribePools", `{"PoolIds":[`+strings.Join(ids, ",")+`]}`))
	var e *Error
	if !errors.As(err, &e) || e.Kind != BadRequest {
		n := 0
		if res != nil {
			n = len(res.Authorizations[0].Resources)
		}
		t.Fatalf("Map(DescribePools with 60 PoolIds) = %d resources, error %v; want a BadRequest error", n, err)
	}
	for _, want := range []string{"'PoolIds'", "less than or equal to 5"} {
		if !strings.Contains(e.Msg, want) {
			t.Errorf("error %q does not contain %q", e.Msg, want)
		}
	}
	// At the limit it still maps, to 5 resources.
	res, err = Map(v2("DescribePools", `{"PoolIds":[`+strings.Join(ids[:5], ",")+`]}`))
	if err != nil || len(res.Authorizations[0].Resources) != 5 {
		t.Fatalf("Map(DescribePools with 5 PoolIds) = %+v, %v; want 5 resources", res, err)
	}
}

// gSample builds the smallest value of shape name that satisfies the model's
// bounds (for the golden test's required members): "sample" or a run of
// "a" for strings, the minimum for numbers, min elements for lists and maps,
// the required members for structures.
func gSample(shapes map[string]gShape, name string, depth int) any {
	s := shapes[name]
	count := func() int {
		if s.Min != nil {
			return int(*s.Min)
		}
		return 0
	}
	switch s.Type {
	case "string", "blob", "timestamp":
		v := "sample"
		if s.Min != nil && int64(len(v)) < *s.Min || s.Max != nil && int64(len(v)) > *s.Max {
			v = strings.Repeat("a", count())
		}
		if s.Type == "blob" {
			return []byte(v)
		}
		return v
	case "integer", "long", "double", "float":
		if s.Min != nil {
			return *s.Min
		}
		return 1
	case "boolean":
		return true
	case "list":
		l := []any{}
		for range count() {
			l = append(l, gSample(shapes, s.Member.Shape, depth+1))
		}
		return l
	case "map":
		m := map[string]any{}
		for i := range count() {
			m[fmt.Sprint("k", i)] = gSample(shapes, s.Value.Shape, depth+1)
		}
		return m
	}
	m := map[string]any{}
	if depth < 8 {
		for _, r := range s.Required {
			m[r] = gSample(shapes, s.Members[r].Shape, depth+1)
		}
	}
	return m
}
