package authn

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pinpointgw/gateway/authz"
)

func TestParseStore(t *testing.T) {
	t.Parallel()
	s := testStore(t)
	id, boundary, ok := s.PrincipalPolicies("arn:aws:iam::123456789012:user/backend")
	if !ok || len(id) != 3 || boundary == nil || boundary.Name() != "Boundary" {
		t.Fatalf("PrincipalPolicies(user) = %d policies, boundary %v, %v", len(id), boundary, ok)
	}
	if id, _, ok := s.PrincipalPolicies("arn:aws:sts::123456789012:assumed-role/tenant-app/s1"); !ok || len(id) != 1 || id[0].Name() != "TenantScoped" {
		t.Errorf("PrincipalPolicies(session) = %v, %v", id, ok)
	}
	if _, _, ok := s.PrincipalPolicies("arn:aws:iam::999999999999:user/backend"); ok {
		t.Error("PrincipalPolicies accepted a foreign account")
	}
	if p := s.ResourcePolicy("arn:aws:mobiletargeting:us-east-1:123456789012:apps/abc"); p == nil || p.Type() != authz.ResourceBased {
		t.Errorf("ResourcePolicy = %v", p)
	}
	if tags, ok := s.ResourceTags("arn:aws:mobiletargeting:us-east-1:123456789012:apps/abc"); !ok || tags["tenant"] != "a" {
		t.Errorf("ResourceTags = %v, %v", tags, ok)
	}
	if g := s.Guardrails(); len(g) != 1 || g[0].Name() != "NoDeletes" {
		t.Errorf("Guardrails = %v", g)
	}
	if k := s.keys[testKeyID]; k == nil || k.secret != testSecret {
		t.Error("env secret not expanded")
	}
	found := false
	for _, w := range s.Warnings() {
		if strings.Contains(w, `"Narrow"`) {
			found = true
		}
	}
	if !found {
		t.Errorf("Warnings() = %q, want one about the unattached policy Narrow", s.Warnings())
	}
}

func TestParseStoreErrors(t *testing.T) {
	t.Parallel()
	policy := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "mobiletargeting:GetApps", "Resource": "*"}]}`
	tests := map[string]struct {
		doc  string
		want []string // substrings of the error
		is   error
	}{
		"unknown field":    {`{"users": [{"name": "a", "colour": "red"}]}`, []string{"bad.json:1:26:", "colour"}, nil},
		"trailing data":    {`{} {}`, []string{"bad.json:1:4:", "after top-level value"}, nil},
		"unknown policy":   {`{"users": [{"name": "a", "policies": ["Nope"]}]}`, []string{`user "a"`, `unknown policy "Nope"`}, nil},
		"unknown group":    {`{"users": [{"name": "a", "groups": ["g"]}]}`, []string{`unknown group "g"`}, nil},
		"unknown boundary": {`{"users": [{"name": "a", "permissions_boundary": "B"}]}`, []string{"permissions_boundary", `"B"`}, nil},
		"bad key id":       {`{"users": [{"name": "a", "access_keys": [{"id": "AKIAshort", "secret": "x"}]}]}`, []string{"AKIAshort", "AKIA followed by 16"}, nil},
		"lower-case key id": {`{"users": [{"name": "a", "access_keys": [{"id": "AKIAabcdefghijklmnop", "secret": "x"}]}]}`,
			[]string{"AKIAabcdefghijklmnop"}, nil},
		"duplicate key id": {`{"users": [{"name": "a", "access_keys": [{"id": "AKIAAAAAAAAAAAAAAAAA", "secret": "s"}]},
			{"name": "b", "access_keys": [{"id": "AKIAAAAAAAAAAAAAAAAA", "secret": "t"}]}]}`, []string{"used twice"}, nil},
		"missing env":     {`{"users": [{"name": "a", "access_keys": [{"id": "AKIAAAAAAAAAAAAAAAAA", "secret": "{env.NOPE}"}]}]}`, []string{"NOPE"}, ErrMissingEnv},
		"duplicate user":  {`{"users": [{"name": "a"}, {"name": "a"}]}`, []string{`duplicate user "a"`}, nil},
		"bad user name":   {`{"users": [{"name": "a b"}]}`, []string{`invalid user name "a b"`}, nil},
		"no trust policy": {`{"roles": [{"name": "r"}]}`, []string{`role "r"`, "trust_policy is required"}, nil},
		"trust policy without principal": {`{"roles": [{"name": "r", "trust_policy": ` + policy + `}]}`,
			[]string{`role "r"`, "trust_policy", `policy "r trust policy"`, "statement 0"}, authz.ErrInvalid},
		"bad statement": {`{"policies": {"P": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "a:b", "Resource": "*"},
			{"Effect": "Allow", "Action": "a:b", "Resource": "*", "Condition": {"StringEqual": {"aws:username": "x"}}}]}}}`,
			[]string{`policy "P"`, "statement 1", "Condition"}, nil},
		"trust policy with a resource": {`{"roles": [{"name": "r", "trust_policy": {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole", "Resource": "*"}]}}]}`,
			[]string{`role "r"`, "statement 0", "Resource"}, nil},
		"bad max session":   {`{"roles": [{"name": "r", "trust_policy": {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}]}, "max_session_duration": "13h"}]}`, []string{"max_session_duration"}, nil},
		"bad tag":           {`{"users": [{"name": "a", "tags": {"aws:x": "y"}}]}`, []string{"reserved"}, nil},
		"case-dup tags":     {`{"users": [{"name": "a", "tags": {"Team": "y", "team": "z"}}]}`, []string{"differ only in case"}, nil},
		"resource tags key": {`{"resource_tags": {"apps/abc": {"a": "b"}}}`, []string{"not an ARN"}, nil},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s, err := ParseStore("bad.json", []byte(tc.doc), StoreOptions{Account: testAccount, LookupEnv: testEnv})
			if err == nil || s != nil {
				t.Fatalf("ParseStore = %v, %v; want an error", s, err)
			}
			for _, w := range append(tc.want, `bad.json`) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %v is not %v", err, tc.is)
			}
			if strings.Contains(err.Error(), testSecret) {
				t.Error("error echoes a secret")
			}
		})
	}
}

func TestParseStoreWrapsPolicyError(t *testing.T) {
	t.Parallel()
	doc := `{"policies": {"ReadOnly": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "a:b", "Resource": "*", "Bogus": 1}]}}}`
	_, err := ParseStore("x.json", []byte(doc), StoreOptions{Account: testAccount})
	var pe *authz.PolicyError
	if !errors.As(err, &pe) || pe.Policy != "ReadOnly" || pe.Statement != 0 {
		t.Fatalf("error %v: want a wrapped *authz.PolicyError for ReadOnly statement 0", err)
	}
}

func TestLoadStore(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := filepath.Join(dir, "store.json")
	if err := os.WriteFile(p, []byte(testStoreJSON), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadStore(p, StoreOptions{Account: testAccount, LookupEnv: testEnv}); err != nil {
		t.Fatalf("LoadStore: %v", err)
	}
	_, err := LoadStore(p, StoreOptions{Account: "12345"})
	if err == nil || !strings.Contains(err.Error(), p) {
		t.Fatalf("LoadStore with a bad account = %v; want an error naming the file", err)
	}
	if _, err := LoadStore(filepath.Join(dir, "missing.json"), StoreOptions{Account: testAccount}); err == nil {
		t.Fatal("LoadStore of a missing file succeeded")
	}
}
