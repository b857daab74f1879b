package authz

import (
	"reflect"
	"sort"
	"strings"
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

func TestContextDeleteThenSet(t *testing.T) {
	t.Parallel()
	c := NewContext()
	c.Set("aws:ResourceTag/Team", "blue")
	c.Delete("aws:resourcetag/team")
	if _, _, ok := c.Lookup("aws:ResourceTag/Team"); ok {
		t.Fatal("present after Delete")
	}
	if cl := c.Clone(); len(cl.Keys()) != 0 {
		t.Errorf("Clone copied a deleted key: %v", cl.Keys())
	}
	c.Set("aws:ResourceTag/Team", "red")
	if v, _, ok := c.Lookup("aws:resourcetag/team"); !ok || !reflect.DeepEqual(v, []string{"red"}) {
		t.Errorf("Lookup after Delete and Set = %v, %v", v, ok)
	}
	c.SetMulti("aws:ResourceTag/Team", []string{"a", "b"})
	c.Set("aws:ResourceTag/Team", "c")
	c.SetMulti("aws:ResourceTag/Team", []string{"d", "e"})
	if v, multi, _ := c.Lookup("aws:resourcetag/team"); !multi || !reflect.DeepEqual(v, []string{"d", "e"}) {
		t.Errorf("after Set/SetMulti alternation: %v, multi %v", v, multi)
	}
}

// TestContextDeleteSetAllocs: the per-resource keys of a request, deleted after one resource
// and set again for the next, reuse their storage: doing so does not allocate.
func TestContextDeleteSetAllocs(t *testing.T) {
	c := NewContext()
	keys := []string{"aws:resourceaccount", "aws:resourceorgid", "aws:resourcetag/team", "aws:resourcetag/env"}
	tagKeys := []string{"team", "env"}
	resource := func() {
		for _, k := range keys {
			c.SetLower(k, "v")
		}
		c.SetMulti("gateway:referencedarn", tagKeys)
		for _, k := range keys {
			c.DeleteLower(k)
		}
		c.Delete("gateway:referencedarn")
	}
	resource()
	if n := testing.AllocsPerRun(100, resource); n != 0 {
		t.Errorf("%v allocations per resource, want 0", n)
	}
}

// BenchmarkContextBuild is the gateway's per-request use of a Context: a new one with the
// global keys of a request.
func BenchmarkContextBuild(b *testing.B) {
	keys := []string{"aws:principalarn", "aws:principalaccount", "aws:principaltype", "aws:principalisawsservice",
		"aws:viaawsservice", "aws:userid", "aws:username", "aws:sourceip", "aws:securetransport",
		"aws:currenttime", "aws:epochtime", "aws:requestedregion", "aws:useragent"}
	b.ReportAllocs()
	for b.Loop() {
		c := NewContext()
		for _, k := range keys {
			c.SetLower(k, "v")
		}
	}
}

func TestContextSetLower(t *testing.T) {
	t.Parallel()
	c := NewContext()
	c.SetLower("aws:resourceaccount", "123456789012")
	if vals, _, ok := c.Lookup("aws:ResourceAccount"); !ok || len(vals) != 1 || vals[0] != "123456789012" {
		t.Errorf("Lookup after SetLower = %v, %v", vals, ok)
	}
	c.Set("AWS:ResourceAccount", "999999999999") // the same key, any case
	if vals, _, _ := c.LookupLower("aws:resourceaccount"); len(vals) != 1 || vals[0] != "999999999999" {
		t.Errorf("LookupLower after Set = %v", vals)
	}
	c.DeleteLower("aws:resourceaccount")
	if _, _, ok := c.Lookup("aws:resourceaccount"); ok {
		t.Error("present after DeleteLower")
	}
}

// FuzzContext: a Context agrees with a map of lower-cased keys under any sequence of Set,
// SetMulti, Delete and Lookup, past the storage it starts with; Clone and Keys see the same
// keys.
func FuzzContext(f *testing.F) {
	f.Add([]byte("\x00a\x01b\x02a\x03A\x00B"))
	f.Add([]byte("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"))
	f.Fuzz(func(t *testing.T, ops []byte) {
		type val struct {
			key   string
			vals  []string
			multi bool
		}
		c := NewContext()
		ref := map[string]val{}
		for i := 0; i+1 < len(ops); i += 2 {
			key := "k:" + strings.Repeat("x", int(ops[i+1]>>6)) + string('a'+rune(ops[i+1]%40))
			if ops[i+1]&0x20 != 0 {
				key = strings.ToUpper(key)
			}
			lower := strings.ToLower(key)
			switch ops[i] % 4 {
			case 0:
				c.Set(key, key)
				ref[lower] = val{key, []string{key}, false}
			case 1:
				c.SetMulti(key, []string{key, lower})
				ref[lower] = val{key, []string{key, lower}, true}
			case 2:
				c.Delete(key)
				delete(ref, lower)
			case 3:
				vals, multi, ok := c.Lookup(key)
				want, wantOK := ref[lower]
				if ok != wantOK || (ok && (!reflect.DeepEqual(vals, want.vals) || multi != want.multi)) {
					t.Fatalf("Lookup(%q) = %v, %v, %v; want %v, %v, %v", key, vals, multi, ok, want.vals, want.multi, wantOK)
				}
			}
		}
		var want []string
		for _, v := range ref {
			want = append(want, v.key)
		}
		sort.Strings(want)
		for _, got := range [][]string{c.Keys(), c.Clone().Keys()} {
			if len(got) != len(want) || (len(want) > 0 && !reflect.DeepEqual(got, want)) {
				t.Fatalf("Keys() = %v, want %v", got, want)
			}
		}
	})
}
