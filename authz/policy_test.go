package authz

import (
	"errors"
	"strings"
	"testing"
)

func TestParseErrors(t *testing.T) {
	t.Parallel()
	const allow = `{"Effect":"Allow","Action":"mobiletargeting:GetApp","Resource":"*"}`
	tests := map[string]struct {
		doc       string
		kind      PolicyType
		statement int
		sid       string
		field     string
		msg       string
	}{
		"not an object":             {doc: `[]`, statement: -1, msg: "expected a JSON object"},
		"bad json":                  {doc: `{"Version":`, statement: -1},
		"unknown top element":       {doc: `{"Version":"2012-10-17","Statement":[],"Foo":1}`, statement: -1, field: "Foo"},
		"element names are exact":   {doc: `{"version":"2012-10-17","Statement":[]}`, statement: -1, field: "version"},
		"bad version":               {doc: `{"Version":"2012-10-18","Statement":[]}`, statement: -1, field: "Version"},
		"missing statement":         {doc: `{"Version":"2012-10-17"}`, statement: -1, field: "Statement"},
		"statement string":          {doc: `{"Statement":"x"}`, statement: -1, field: "Statement"},
		"unknown statement field":   {doc: `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Actions":"x"}]}`, statement: 0, field: "Actions"},
		"bad effect":                {doc: `{"Statement":[` + allow + `,{"Sid":"Two","Effect":"allow","Action":"*","Resource":"*"}]}`, statement: 1, sid: "Two", field: "Effect"},
		"missing effect":            {doc: `{"Statement":{"Action":"*","Resource":"*"}}`, statement: 0, field: "Effect"},
		"action and notaction":      {doc: `{"Statement":{"Effect":"Allow","Action":"*","NotAction":"x:y","Resource":"*"}}`, statement: 0, field: "NotAction"},
		"no action":                 {doc: `{"Statement":{"Effect":"Allow","Resource":"*"}}`, statement: 0, field: "Action"},
		"empty action list":         {doc: `{"Statement":{"Effect":"Allow","Action":[],"Resource":"*"}}`, statement: 0, field: "Action"},
		"action number":             {doc: `{"Statement":{"Effect":"Allow","Action":5,"Resource":"*"}}`, statement: 0, field: "Action"},
		"bad action":                {doc: `{"Statement":{"Effect":"Allow","Action":"GetApp","Resource":"*"}}`, statement: 0, field: "Action"},
		"identity without resource": {doc: `{"Statement":{"Effect":"Allow","Action":"*"}}`, statement: 0, field: "Resource"},
		"resource and notresource":  {doc: `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","NotResource":"*"}}`, statement: 0, field: "NotResource"},
		"bad resource":              {doc: `{"Statement":{"Effect":"Allow","Action":"*","Resource":"apps/abc"}}`, statement: 0, field: "Resource"},
		"identity with principal":   {doc: `{"Statement":{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}}`, statement: 0, field: "Principal"},
		"boundary with principal":   {doc: `{"Statement":{"Effect":"Allow","NotPrincipal":"*","Action":"*","Resource":"*"}}`, kind: Boundary, statement: 0, field: "NotPrincipal"},
		"resource w/o principal":    {doc: `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, kind: ResourceBased, statement: 0, field: "Principal"},
		"principal and not":         {doc: `{"Statement":{"Effect":"Allow","Principal":"*","NotPrincipal":"*","Action":"*"}}`, kind: ResourceBased, statement: 0, field: "NotPrincipal"},
		"bad principal":             {doc: `{"Statement":{"Effect":"Allow","Principal":{"AWS":"bob"},"Action":"*"}}`, kind: ResourceBased, statement: 0, field: "Principal"},
		"unknown operator":          {doc: `{"Statement":{"Sid":"S","Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEqual":{"aws:username":"a"}}}}`, statement: 0, sid: "S", field: "Condition", msg: `unknown operator "StringEqual"`},
		"bad condition key":         {doc: `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"username":"a"}}}}`, statement: 0, field: "Condition"},
		"condition object value":    {doc: `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:username":{"a":1}}}}}`, statement: 0, field: "Condition"},
		"empty operator block":      {doc: `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{}}}}`, statement: 0, field: "Condition"},
		"duplicate sid":             {doc: `{"Statement":[{"Sid":"A","Effect":"Allow","Action":"*","Resource":"*"},{"Sid":"A","Effect":"Deny","Action":"*","Resource":"*"}]}`, statement: 1, sid: "A", field: "Sid"},
		"duplicate element":         {doc: `{"Statement":{"Effect":"Allow","Effect":"Deny","Action":"*","Resource":"*"}}`, statement: 0},
		"bad variable":              {doc: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::${}"}}`, statement: 0, field: "Resource"},
		"trailing data":             {doc: `{"Statement":[]} {"Statement":[]}`, statement: -1},
		"sid not string":            {doc: `{"Statement":{"Sid":1,"Effect":"Allow","Action":"*","Resource":"*"}}`, statement: 0, field: "Sid"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p, err := Parse("P", []byte(tc.doc), tc.kind)
			if err == nil {
				t.Fatalf("Parse(%s) = %v, want an error", tc.doc, p)
			}
			if p != nil {
				t.Errorf("Parse returned a policy with its error")
			}
			var pe *PolicyError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v (%T) is not a *PolicyError", err, err)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error %v does not wrap ErrInvalid", err)
			}
			if pe.Policy != "P" || pe.Statement != tc.statement || pe.Sid != tc.sid || pe.Field != tc.field {
				t.Errorf("PolicyError{Policy:%q Statement:%d Sid:%q Field:%q}, want {P %d %q %q}: %v",
					pe.Policy, pe.Statement, pe.Sid, pe.Field, tc.statement, tc.sid, tc.field, err)
			}
			if tc.msg != "" && !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q does not contain %q", err, tc.msg)
			}
		})
	}
}

func TestPolicyErrorMessage(t *testing.T) {
	t.Parallel()
	_, err := Parse("ReadOnly", []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Allow","Action":"*","Resource":"*"},{"Sid":"Tags","Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEqual":{"aws:username":"a"}}}]}`), IdentityBased)
	want := `policy "ReadOnly" statement 2 (Sid "Tags"): Condition: unknown operator "StringEqual"`
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %s", err, want)
	}
}

func TestParseAccepts(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		doc  string
		kind PolicyType
		n    int
	}{
		"empty statement list":  {`{"Version":"2012-10-17","Statement":[]}`, IdentityBased, 0},
		"statement object":      {`{"Statement":{"Effect":"Deny","NotAction":"mobiletargeting:Get*","NotResource":"*"}}`, Guardrail, 1},
		"trust policy":          {`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/bob"},"Action":"sts:AssumeRole"}]}`, ResourceBased, 1},
		"condition bool/number": {`{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":true},"NumericLessThan":{"aws:EpochTime":[1,2.5]}}}}`, Session, 1},
		"id":                    {`{"Id":"x","Version":"2008-10-17","Statement":[]}`, Boundary, 0},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p, err := Parse(name, []byte(tc.doc), tc.kind)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if p.Len() != tc.n || p.Type() != tc.kind || p.Name() != name {
				t.Errorf("Parse = %d statements, kind %v, name %q; want %d, %v, %q", p.Len(), p.Type(), p.Name(), tc.n, tc.kind, name)
			}
		})
	}
	if _, err := Parse("x", []byte(`{"Statement":[]}`), PolicyType(42)); err == nil {
		t.Error("Parse with an unknown kind succeeded")
	}
}

func TestActionIndex(t *testing.T) {
	t.Parallel()
	p, err := Parse("P", []byte(`{"Statement":[
		{"Effect":"Allow","Action":"mobiletargeting:GetApp","Resource":"*"},
		{"Effect":"Allow","Action":["mobiletargeting:Get*","sms-voice:X"],"Resource":"*"},
		{"Effect":"Allow","Action":["mobiletargeting:GETAPP","mobiletargeting:getapp"],"Resource":"*"},
		{"Effect":"Allow","NotAction":"sms-voice:*","Resource":"*"}]}`), IdentityBased)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.exact["mobiletargeting:getapp"]; len(got) != 2 || got[0] != 0 || got[1] != 2 {
		t.Errorf("exact index of getapp = %v, want [0 2]", got)
	}
	if len(p.wild) != 2 || p.wild[0] != 1 || p.wild[1] != 3 {
		t.Errorf("wild = %v, want [1 3]", p.wild)
	}
	if !p.mayName(actionHash([]byte("mobiletargeting:getapp"))) {
		t.Error("Bloom filter misses an indexed action")
	}
}
