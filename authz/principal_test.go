package authz

import "testing"

func TestPrincipalFromARN(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		in   string
		want Principal
	}{
		"user":    {"arn:aws:iam::123456789012:user/backend", Principal{ARN: "arn:aws:iam::123456789012:user/backend", Account: "123456789012"}},
		"session": {"arn:aws:sts::123456789012:assumed-role/app/s1", Principal{ARN: "arn:aws:sts::123456789012:assumed-role/app/s1", Account: "123456789012", RoleARN: "arn:aws:iam::123456789012:role/app"}},
		"account": {"123456789012", Principal{ARN: "123456789012", Account: "123456789012"}},
		"garbage": {"bob", Principal{ARN: "bob"}},
		"china":   {"arn:aws-cn:sts::123456789012:assumed-role/app/s1", Principal{ARN: "arn:aws-cn:sts::123456789012:assumed-role/app/s1", Account: "123456789012", RoleARN: "arn:aws-cn:iam::123456789012:role/app"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := PrincipalFromARN(tc.in); got != tc.want {
				t.Errorf("PrincipalFromARN(%q) = %+v, want %+v", tc.in, got, tc.want)
			}
		})
	}
}

func TestPrincipalMatch(t *testing.T) {
	t.Parallel()
	user := Principal{ARN: "arn:aws:iam::123456789012:user/bob", Account: "123456789012"}
	sess := PrincipalFromARN("arn:aws:sts::123456789012:assumed-role/app/s1")
	other := PrincipalFromARN("arn:aws:iam::210987654321:user/bob")
	tests := map[string]struct {
		elem string
		p    Principal
		want grant
	}{
		"star":                  {`"*"`, user, grantEveryone},
		"AWS star":              {`{"AWS":"*"}`, sess, grantEveryone},
		"account id":            {`{"AWS":"123456789012"}`, user, grantAccount},
		"root":                  {`{"AWS":"arn:aws:iam::123456789012:root"}`, sess, grantAccount},
		"other account":         {`{"AWS":"123456789012"}`, other, grantNone},
		"user":                  {`{"AWS":"arn:aws:iam::123456789012:user/bob"}`, user, grantDirect},
		"other user":            {`{"AWS":"arn:aws:iam::123456789012:user/alice"}`, user, grantNone},
		"role matches sessions": {`{"AWS":"arn:aws:iam::123456789012:role/app"}`, sess, grantRole},
		"session":               {`{"AWS":"arn:aws:sts::123456789012:assumed-role/app/s1"}`, sess, grantDirect},
		"other session":         {`{"AWS":"arn:aws:sts::123456789012:assumed-role/app/s2"}`, sess, grantNone},
		"list":                  {`{"AWS":["arn:aws:iam::123456789012:user/alice","arn:aws:iam::123456789012:user/bob"]}`, user, grantDirect},
		"service never matches": {`{"Service":"pinpoint.amazonaws.com"}`, user, grantNone},
		"federated never":       {`{"Federated":"cognito-identity.amazonaws.com"}`, user, grantNone},
		"strongest of several":  {`{"AWS":["123456789012","arn:aws:iam::123456789012:role/app"]}`, sess, grantRole},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ps, err := parsePrincipal([]byte(tc.elem))
			if err != nil {
				t.Fatal(err)
			}
			if got := ps.match(&tc.p); got != tc.want {
				t.Errorf("%s matches %s = %v, want %v", tc.elem, tc.p.ARN, got, tc.want)
			}
		})
	}
}

func TestPrincipalErrors(t *testing.T) {
	t.Parallel()
	for name, elem := range map[string]string{
		"string not star":      `"arn:aws:iam::123456789012:user/bob"`,
		"unknown type":         `{"Users":"bob"}`,
		"empty":                `{}`,
		"partial wildcard":     `{"AWS":"arn:aws:iam::123456789012:user/*"}`,
		"bad account":          `{"AWS":"12345"}`,
		"not iam":              `{"AWS":"arn:aws:s3:::bucket"}`,
		"group":                `{"AWS":"arn:aws:iam::123456789012:group/devs"}`,
		"session missing name": `{"AWS":"arn:aws:sts::123456789012:assumed-role/app"}`,
		"number":               `{"AWS":123456789012}`,
		"empty list":           `{"AWS":[]}`,
		"service wildcard":     `{"Service":"*.amazonaws.com"}`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if ps, err := parsePrincipal([]byte(elem)); err == nil {
				t.Errorf("parsePrincipal(%s) = %+v, want an error", elem, ps)
			}
		})
	}
}
