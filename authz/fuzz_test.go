package authz

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/pinpointgw/gateway/authz/internal/glob"
)

// FuzzParse: Parse never panics; an error comes with a nil policy and is a *PolicyError; an
// accepted policy's encoding round-trips (parse(marshal(p)) is accepted and marshals to the
// same bytes) and evaluating it never panics.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "corpus", "*.json"))
	for _, fn := range files {
		if b, err := os.ReadFile(fn); err == nil {
			f.Add(b, uint8(0))
			f.Add(b, uint8(1))
		}
	}
	f.Add([]byte(`{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`), uint8(4))
	f.Fuzz(func(t *testing.T, doc []byte, k uint8) {
		kind := PolicyType(k % 5)
		p, err := Parse("fuzz", doc, kind)
		if err != nil {
			if p != nil {
				t.Fatalf("Parse returned a policy with error %v", err)
			}
			if _, ok := err.(*PolicyError); !ok {
				t.Fatalf("error %T is not a *PolicyError: %v", err, err)
			}
			return
		}
		enc, err := p.MarshalJSON()
		if err != nil {
			t.Fatalf("MarshalJSON: %v", err)
		}
		p2, err := Parse("fuzz", enc, kind)
		if err != nil {
			t.Fatalf("round-trip parse failed: %v\n%s\nfrom %q", err, enc, doc)
		}
		enc2, _ := p2.MarshalJSON()
		if !bytes.Equal(enc, enc2) {
			t.Fatalf("encoding is not stable:\n%s\n%s", enc, enc2)
		}
		ctx := NewContext()
		ctx.Set("aws:username", "bob")
		ctx.SetMulti("aws:TagKeys", []string{"a"})
		in := &Input{Principal: PrincipalFromARN("arn:aws:iam::123456789012:user/bob"), Action: "mobiletargeting:GetApp",
			Resource: "arn:aws:mobiletargeting:us-east-1:123456789012:apps/bob", Context: ctx}
		switch kind {
		case ResourceBased:
			in.ResourcePolicy = p
		case IdentityBased:
			in.IdentityPolicies = []*Policy{p}
		case Boundary:
			in.Boundary = p
		case Session:
			in.SessionPolicies = []*Policy{p}
		case Guardrail:
			in.Guardrails = []*Policy{p}
		}
		r1, r2 := Evaluate(in), Evaluate(&Input{Principal: in.Principal, Action: in.Action, Resource: in.Resource, Context: ctx,
			IdentityPolicies: swap(in.IdentityPolicies, p2), ResourcePolicy: swap1(in.ResourcePolicy, p2), Boundary: swap1(in.Boundary, p2),
			SessionPolicies: swap(in.SessionPolicies, p2), Guardrails: swap(in.Guardrails, p2)})
		if r1.Decision != r2.Decision {
			t.Fatalf("decision %v, after round-trip %v", r1.Decision, r2.Decision)
		}
	})
}

func swap(ps []*Policy, p *Policy) []*Policy {
	if len(ps) == 0 {
		return nil
	}
	return []*Policy{p}
}

func swap1(old, p *Policy) *Policy {
	if old == nil {
		return nil
	}
	return p
}

// FuzzGlob: glob.Match agrees with a regular-expression reference ('*' = ".*", '?' = one
// character, everything else literal), MatchFold agrees with the case-insensitive reference on
// ASCII, and Quote(s) matches exactly s.
func FuzzGlob(f *testing.F) {
	f.Add("mobiletargeting:Get*", "mobiletargeting:GetApps")
	f.Add("a*b?c", "axxbyc")
	f.Add("*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
	f.Add("h?llo", "héllo")
	f.Fuzz(func(t *testing.T, pattern, s string) {
		if len(pattern) > 64 || len(s) > 256 || !utf8.ValidString(pattern) || !utf8.ValidString(s) {
			return
		}
		p := glob.Encode(pattern)
		var re strings.Builder
		re.WriteString(`(?s)^`)
		for _, r := range pattern {
			switch r {
			case '*':
				re.WriteString(`.*`)
			case '?':
				re.WriteString(`.`)
			default:
				re.WriteString(regexp.QuoteMeta(string(r)))
			}
		}
		re.WriteString(`$`)
		want := regexp.MustCompile(re.String()).MatchString(s)
		if got := glob.Match(p, s); got != want {
			t.Fatalf("Match(%q, %q) = %v, reference %v", pattern, s, got, want)
		}
		if isASCII(pattern) && isASCII(s) {
			wantFold := regexp.MustCompile(`(?i)` + re.String()).MatchString(s)
			if got := glob.MatchFold(p, s); got != wantFold {
				t.Fatalf("MatchFold(%q, %q) = %v, reference %v", pattern, s, got, wantFold)
			}
		}
		if !glob.Match(glob.Quote(s), s) {
			t.Fatalf("Match(Quote(%q), %q) = false", s, s)
		}
		if glob.Match(glob.Quote(pattern), s) != (pattern == s) {
			t.Fatalf("Match(Quote(%q), %q) != (pattern == s)", pattern, s)
		}
	})
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
