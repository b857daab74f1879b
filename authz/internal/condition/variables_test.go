package condition

import "testing"

func TestTemplates(t *testing.T) {
	t.Parallel()
	k := ctx("aws:username", "bob", "aws:PrincipalTag/team", "blue").with("aws:TagKeys", "a")
	tests := map[string]struct {
		in        string
		vars      bool
		plain     string
		ok        bool
		globMatch string // a value the glob form must match ("" = skip)
	}{
		"literal":              {in: "abc", vars: true, plain: "abc", ok: true, globMatch: "abc"},
		"variable":             {in: "apps/${aws:username}", vars: true, plain: "apps/bob", ok: true, globMatch: "apps/bob"},
		"two variables":        {in: "${aws:username}-${aws:PrincipalTag/team}", vars: true, plain: "bob-blue", ok: true},
		"key case":             {in: "${AWS:USERNAME}", vars: true, plain: "bob", ok: true},
		"missing":              {in: "${aws:userid}", vars: true, ok: false},
		"multi-valued":         {in: "${aws:TagKeys}", vars: true, ok: false},
		"default":              {in: "${aws:userid, 'none'}", vars: true, plain: "none", ok: true},
		"default with space":   {in: "${aws:userid, 'a b'}", vars: true, plain: "a b", ok: true},
		"default not used":     {in: "${aws:username, 'none'}", vars: true, plain: "bob", ok: true},
		"escape star":          {in: "a${*}", vars: true, plain: "a*", ok: true, globMatch: "a*"},
		"escape question":      {in: "a${?}", vars: true, plain: "a?", ok: true, globMatch: "a?"},
		"escape dollar":        {in: "${$}{x}", vars: true, plain: "${x}", ok: true},
		"unterminated":         {in: "a${aws:username", vars: true, plain: "a${aws:username", ok: true},
		"version 2008 literal": {in: "${aws:username}", vars: false, plain: "${aws:username}", ok: true, globMatch: "${aws:username}"},
		"dollar alone":         {in: "a$b", vars: true, plain: "a$b", ok: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			tm, err := Compile(tc.in, tc.vars)
			if err != nil {
				t.Fatalf("Compile(%q): %v", tc.in, err)
			}
			env := &Env{Keys: k}
			got, ok := tm.ResolvePlain(env)
			if ok != tc.ok || (ok && got != tc.plain) {
				t.Errorf("ResolvePlain(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.plain, tc.ok)
			}
			if tc.globMatch != "" {
				p, ok := tm.ResolveGlob(env)
				if !ok || !ArnMatch(p, tc.globMatch) {
					t.Errorf("ResolveGlob(%q) = %q, %v: does not match %q", tc.in, p, ok, tc.globMatch)
				}
			}
			if tm.Raw() != tc.in {
				t.Errorf("Raw() = %q, want %q", tm.Raw(), tc.in)
			}
		})
	}
}

func TestTemplateGlobEscapes(t *testing.T) {
	t.Parallel()
	env := &Env{Keys: ctx("aws:username", "a*")}
	tm, err := Compile("x/${aws:username}", true)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := tm.ResolveGlob(env)
	if ArnMatch(p, "x/abc") {
		t.Errorf("a '*' from a variable value acted as a wildcard: pattern %q matched x/abc", p)
	}
	if !ArnMatch(p, "x/a*") {
		t.Errorf("pattern %q does not match x/a*", p)
	}
}

func TestResolveDoesNotAllocate(t *testing.T) {
	env := &Env{Keys: ctx("aws:username", "bob")}
	tm, _ := Compile("apps/${aws:username}/x", true)
	tm.ResolveGlob(env) // grow the scratch buffer
	if n := testing.AllocsPerRun(100, func() { tm.ResolveGlob(env) }); n != 0 {
		t.Errorf("ResolveGlob allocates %v times, want 0", n)
	}
}
