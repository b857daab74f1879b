package authz

import (
	"reflect"
	"testing"
)

func TestContext(t *testing.T) {
	t.Parallel()
	c := NewContext()
	c.Set("aws:PrincipalTag/Team", "blue")
	c.SetMulti("aws:TagKeys", []string{"a", "b"})
	tests := map[string]struct {
		key   string
		vals  []string
		multi bool
		ok    bool
	}{
		"exact case": {"aws:PrincipalTag/Team", []string{"blue"}, false, true},
		"other case": {"AWS:principaltag/team", []string{"blue"}, false, true},
		"multi":      {"aws:tagkeys", []string{"a", "b"}, true, true},
		"missing":    {"aws:username", nil, false, false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			vals, multi, ok := c.Lookup(tc.key)
			if !reflect.DeepEqual(vals, tc.vals) || multi != tc.multi || ok != tc.ok {
				t.Errorf("Lookup(%q) = %v, %v, %v; want %v, %v, %v", tc.key, vals, multi, ok, tc.vals, tc.multi, tc.ok)
			}
		})
	}
}

func TestContextMutation(t *testing.T) {
	t.Parallel()
	c := NewContext()
	c.Set("aws:PrincipalTag/Team", "blue")
	c.SetMulti("aws:TagKeys", []string{"a", "b"})
	cl := c.Clone()
	c.Delete("AWS:TAGKEYS")
	if _, _, ok := c.Lookup("aws:TagKeys"); ok {
		t.Error("Delete did not remove aws:TagKeys")
	}
	if _, _, ok := cl.Lookup("aws:TagKeys"); !ok {
		t.Error("Clone shares storage with the original")
	}
	if got := cl.Keys(); !reflect.DeepEqual(got, []string{"aws:PrincipalTag/Team", "aws:TagKeys"}) {
		t.Errorf("Keys() = %v", got)
	}
	var nilCtx *Context
	if _, _, ok := nilCtx.Lookup("x:y"); ok {
		t.Error("nil Context has keys")
	}
	var zero Context
	zero.Set("a:b", "c")
	if v, _, ok := zero.Lookup("a:b"); !ok || v[0] != "c" {
		t.Error("zero Context is not usable")
	}
}
