package iamimport

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pinpointgw/gateway/apimap"
	"github.com/pinpointgw/gateway/authn"
	"github.com/pinpointgw/gateway/authz"
)

const acct = "123456789012"

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// importOK imports and loads the store.
func importOK(t *testing.T, data []byte, opts Options) (*Result, *authn.Store) {
	t.Helper()
	if opts.Account == "" {
		opts.Account = acct
	}
	res, err := Import(data, opts)
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	st, err := authn.ParseStore("imported", res.Store, authn.StoreOptions{Account: acct, KnownAction: apimap.IsKnownAction})
	if err != nil {
		t.Fatalf("ParseStore: %v\n%s", err, res.Store)
	}
	return res, st
}

// selected are the principals of testdata/details-*.json that can be
// carried exactly (carol's AWS managed policy is not in the input, dave's
// policy reads aws:SourceVpce).
var selected = []string{"user/alice", "user/b*", "role/*"}

// decide evaluates a case against an imported store as the gateway does:
// the principal's identity policies and boundary, the guardrails, and for
// an sts: action on a role, the role's trust policy.
func decide(t *testing.T, res *Result, st *authn.Store, principal, action, resource string, ctx map[string]string) authz.Decision {
	t.Helper()
	identity, boundary, ok := st.PrincipalPolicies(principal)
	if !ok {
		t.Fatalf("principal %s not in the store", principal)
	}
	c := authz.NewContext()
	for k, v := range ctx {
		c.Set(k, v)
	}
	in := authz.Input{
		Principal: authz.PrincipalFromARN(principal), Action: action, Resource: resource, Context: c,
		IdentityPolicies: identity, Boundary: boundary, Guardrails: st.Guardrails(),
	}
	if !strings.HasPrefix(action, "sts:") {
		return authz.Evaluate(&in).Decision
	}
	var doc struct {
		Roles []struct {
			Name        string          `json:"name"`
			TrustPolicy json.RawMessage `json:"trust_policy"`
		} `json:"roles"`
	}
	if err := json.Unmarshal(res.Store, &doc); err != nil {
		t.Fatal(err)
	}
	for _, r := range doc.Roles {
		if "arn:aws:iam::"+acct+":role/"+r.Name == resource {
			tp, err := authz.ParseTrust(r.Name, r.TrustPolicy)
			if err != nil {
				t.Fatal(err)
			}
			return tp.Evaluate(&in).Decision
		}
	}
	t.Fatalf("role %s not in the store", resource)
	return authz.ImplicitDeny
}

// TestImportDecidesLikeSource imports the published-format document (both
// forms: URL-encoded documents as the API returns them, objects as the CLI
// prints them) and checks the store's decisions against AWS's, stated
// from reading the source policies (testdata/README.md).
func TestImportDecidesLikeSource(t *testing.T) {
	t.Parallel()
	const (
		alice = "arn:aws:iam::" + acct + ":user/alice"
		bob   = "arn:aws:iam::" + acct + ":user/bob"
		appS  = "arn:aws:sts::" + acct + ":assumed-role/app/s1"
		app   = "arn:aws:mobiletargeting:us-east-1:" + acct + ":apps/a1"
		role  = "arn:aws:iam::" + acct + ":role/app"
		ci    = "arn:aws:iam::" + acct + ":role/ci"
	)
	east := map[string]string{"aws:RequestedRegion": "us-east-1"}
	west := map[string]string{"aws:RequestedRegion": "eu-west-1"}
	cases := map[string]struct {
		principal, action, resource string
		ctx                         map[string]string
		want                        authz.Decision
	}{
		"alice reads an app (managed policy, within the boundary)":  {alice, "mobiletargeting:GetApp", app, nil, authz.Allow},
		"alice deletes an app (her inline Deny)":                    {alice, "mobiletargeting:DeleteApp", app, nil, authz.ExplicitDeny},
		"alice lists apps (group inline policy)":                    {alice, "mobiletargeting:GetApps", "*", nil, authz.Allow},
		"alice sends in us-east-1 (group policy, default v2)":       {alice, "sms-voice:SendTextMessage", "*", east, authz.Allow},
		"alice sends in eu-west-1 (v2's condition; v1 not default)": {alice, "sms-voice:SendTextMessage", "*", west, authz.ImplicitDeny},
		"alice voice (v2 denies; v3's sms-voice:* not default)":     {alice, "sms-voice:SendVoiceMessage", "*", east, authz.ExplicitDeny},
		"alice describes numbers (nothing allows)":                  {alice, "sms-voice:DescribePhoneNumbers", "*", nil, authz.ImplicitDeny},
		"bob reads a campaign (AWS managed ReadOnlyAccess)":         {bob, "mobiletargeting:GetCampaign", app + "/campaigns/c1", nil, authz.Allow},
		"bob describes numbers (AWS managed ReadOnlyAccess)":        {bob, "sms-voice:DescribePhoneNumbers", "*", nil, authz.Allow},
		"bob sends (read only)":                                     {bob, "sms-voice:SendTextMessage", "*", east, authz.ImplicitDeny},
		"app session, its tenant's app": {appS, "mobiletargeting:GetApp", app,
			map[string]string{"aws:ResourceTag/tenant": "a", "aws:PrincipalTag/tenant": "a"}, authz.Allow},
		"app session, another tenant's app": {appS, "mobiletargeting:GetApp", app,
			map[string]string{"aws:ResourceTag/tenant": "b", "aws:PrincipalTag/tenant": "a"}, authz.ImplicitDeny},
		"app session sends in us-east-1 (managed SendPolicy)": {appS, "sms-voice:SendTextMessage", "*", east, authz.Allow},
		"alice assumes app (trust names her)":                 {alice, "sts:AssumeRole", role, nil, authz.Allow},
		"alice tags the app session":                          {alice, "sts:TagSession", role, nil, authz.Allow},
		"bob assumes app (trust does not name him)":           {bob, "sts:AssumeRole", role, nil, authz.ImplicitDeny},
		"alice assumes ci (OIDC and another account only)":    {alice, "sts:AssumeRole", ci, nil, authz.ImplicitDeny},
	}
	for _, form := range []string{"details-api.json", "details-cli.json"} {
		res, st := importOK(t, readTestdata(t, form), Options{Principals: selected})
		if !res.Report.Exact {
			t.Fatalf("%s: report not exact: %+v", form, res.Report.Findings)
		}
		for name, c := range cases {
			t.Run(form+"/"+name, func(t *testing.T) {
				if got := decide(t, res, st, c.principal, c.action, c.resource, c.ctx); got != c.want {
					t.Errorf("%s %s on %s = %v, want %v", c.principal, c.action, c.resource, got, c.want)
				}
			})
		}
	}
}

func TestImportFormsAgree(t *testing.T) {
	t.Parallel()
	a, _ := importOK(t, readTestdata(t, "details-api.json"), Options{})
	c, _ := importOK(t, readTestdata(t, "details-cli.json"), Options{})
	if string(a.Store) != string(c.Store) {
		t.Errorf("URL-encoded and object documents give different stores:\n%s\n%s", a.Store, c.Store)
	}
}

func hasFinding(r *Report, k Kind, subject, text string) bool {
	return slices.ContainsFunc(r.Findings, func(f Finding) bool {
		return f.Kind == k && f.Subject == subject && strings.Contains(f.Message, text)
	})
}

func TestImportReport(t *testing.T) {
	t.Parallel()
	keys := `{"AccessKeyMetadata":[{"UserName":"alice","AccessKeyId":"AKIAEXAMPLEALICEKEY1","Status":"Active","CreateDate":"2024-03-01T10:00:00Z"}]}
{"AccessKeyMetadata":[{"UserName":"alice","AccessKeyId":"AKIAEXAMPLEALICEKEY2","Status":"Inactive","CreateDate":"2024-03-01T10:00:00Z"}]}
{"AccessKeyMetadata":[]}`
	roles := `{"Roles":[{"RoleName":"app","MaxSessionDuration":14400,"Path":"/","Arn":"arn:aws:iam::123456789012:role/app"}]}`
	res, _ := importOK(t, readTestdata(t, "details-api.json"), Options{AccessKeys: [][]byte{[]byte(keys)}, Roles: [][]byte{[]byte(roles)}})
	r := res.Report
	if r.Exact {
		t.Fatal("full import reported exact")
	}
	checks := []struct {
		kind          Kind
		subject, text string
	}{
		{NotExact, "user/carol", "AdministratorAccess"},
		{NotExact, "policy arn:aws:iam::aws:policy/AdministratorAccess", "AWSManagedPolicy"},
		{NotExact, "user/dave inline policy send-from-vpc", "aws:SourceVpce"},
		{Inert, "role/app trust policy", "Service ec2.amazonaws.com"},
		{Inert, "role/ci trust policy", "account 210987654321"},
		{Inert, "role/ci trust policy", "sts:AssumeRoleWithWebIdentity"},
		{Transformed, "policy arn:aws:iam::aws:policy/ReadOnlyAccess", "s3:Get*"},
		{Transformed, "user/bob", "path /engineering/"},
		{Transformed, "role/ci", "MaxSessionDuration unknown"},
	}
	for _, c := range checks {
		if !hasFinding(r, c.kind, c.subject, c.text) {
			t.Errorf("no %s finding for %s mentioning %q in %+v", c.kind, c.subject, c.text, r.Findings)
		}
	}
	if hasFinding(r, Transformed, "role/app", "MaxSessionDuration") {
		t.Error("role/app's MaxSessionDuration came from --roles, yet reported unknown")
	}
	if !strings.Contains(string(res.Store), `"max_session_duration": 14400`) {
		t.Error("role/app lacks max_session_duration 14400")
	}
	wantNames := map[string]string{
		"arn:aws:iam::" + acct + ":policy/boundaries/MessagingBoundary":    "boundaries.MessagingBoundary",
		"arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole": "AWS.service-role.AWSLambdaBasicExecutionRole",
		"arn:aws:iam::aws:policy/ReadOnlyAccess":                           "AWS.ReadOnlyAccess",
	}
	for a, n := range wantNames {
		if !slices.Contains(r.PolicyNames, PolicyName{ARN: a, Name: n}) {
			t.Errorf("policy names %v lack %s -> %s", r.PolicyNames, a, n)
		}
	}
	if got := r.Carried.Users; !slices.Equal(got, []string{"alice", "bob", "dave"}) {
		t.Errorf("carried users %v", got)
	}
	wantKeys := []KeysToProvision{{User: "alice", AWSAccessKeys: []string{"AKIAEXAMPLEALICEKEY1 (Active)", "AKIAEXAMPLEALICEKEY2 (Inactive)"}}, {User: "bob"}, {User: "dave"}}
	if len(r.Keys) != len(wantKeys) {
		t.Fatalf("keys %+v", r.Keys)
	}
	for i := range wantKeys {
		if r.Keys[i].User != wantKeys[i].User || !slices.Equal(r.Keys[i].AWSAccessKeys, wantKeys[i].AWSAccessKeys) {
			t.Errorf("keys[%d] = %+v, want %+v", i, r.Keys[i], wantKeys[i])
		}
	}
	if strings.Contains(string(res.Store), "access_keys") || strings.Contains(string(res.Store), "carol") {
		t.Error("the store has access keys or carol")
	}
	if len(res.Report.StoreWarnings) != 0 {
		t.Errorf("store warnings %v", res.Report.StoreWarnings)
	}
	var text strings.Builder
	if err := r.WriteText(&text); err != nil || !strings.Contains(text.String(), "NOT carried exactly") {
		t.Errorf("text report: %v\n%s", err, text.String())
	}
}

// minimal builds a details document with one user and the given managed
// policies and inline policy documents (objects).
func minimal(userExtra string, policies ...string) []byte {
	return []byte(`{"UserDetailList":[{"Path":"/","UserName":"u","Arn":"arn:aws:iam::` + acct + `:user/u"` + userExtra + `}],
	"GroupDetailList":[],"RoleDetailList":[],"Policies":[` + strings.Join(policies, ",") + `]}`)
}

func TestImportNotExact(t *testing.T) {
	t.Parallel()
	denyPolicy := `{"PolicyName":"P","Arn":"arn:aws:iam::` + acct + `:policy/P","Path":"/","DefaultVersionId":"v1","PolicyVersionList":[{"VersionId":"v1","IsDefaultVersion":true,
		"Document":{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"sms-voice:*","Resource":"*","Condition":{"StringEqualsBogus":{"aws:x":"1"}}}]}}]}`
	allowPolicy := strings.ReplaceAll(denyPolicy, `"Deny"`, `"Allow"`)
	tests := map[string]struct {
		data          []byte
		opts          Options
		subject, text string
		carriedUsers  int
	}{
		"refused policy with a Deny leaves the user out": {
			data:    minimal(`,"AttachedManagedPolicies":[{"PolicyName":"P","PolicyArn":"arn:aws:iam::`+acct+`:policy/P"}]`, denyPolicy),
			subject: "user/u", text: "not carried", carriedUsers: 0,
		},
		"refused Allow-only policy: the user carried without it": {
			data:    minimal(`,"AttachedManagedPolicies":[{"PolicyName":"P","PolicyArn":"arn:aws:iam::`+acct+`:policy/P"}]`, allowPolicy),
			subject: "user/u", text: "carried without policy", carriedUsers: 1,
		},
		"refused inline Deny leaves the user out, and the policies only it used": {
			data: minimal(`,"AttachedManagedPolicies":[{"PolicyName":"Good","PolicyArn":"arn:aws:iam::`+acct+`:policy/Good"}],
				"UserPolicyList":[{"PolicyName":"i","PolicyDocument":{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"sms-voice:*","Resource":"*","Condition":{"Bogus":{"aws:x":"1"}}}}}]`,
				`{"PolicyName":"Good","Arn":"arn:aws:iam::`+acct+`:policy/Good","Path":"/","DefaultVersionId":"v1","PolicyVersionList":[{"VersionId":"v1","IsDefaultVersion":true,
				"Document":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sms-voice:*","Resource":"*"}]}}]}`),
			subject: "user/u", text: "inline policy i", carriedUsers: 0,
		},
		"boundary missing leaves the user out": {
			data:    minimal(`,"PermissionsBoundary":{"PermissionsBoundaryType":"PermissionsBoundaryPolicy","PermissionsBoundaryArn":"arn:aws:iam::` + acct + `:policy/Gone"}`),
			subject: "user/u", text: "permissions boundary", carriedUsers: 0,
		},
		"group missing leaves the user out": {
			data:    minimal(`,"GroupList":["g"]`),
			subject: "user/u", text: "group g", carriedUsers: 0,
		},
		"aws:userid values are the gateway's own": {
			data:    minimal(`,"UserPolicyList":[{"PolicyName":"i","PolicyDocument":{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sms-voice:*","Resource":"*","Condition":{"StringLike":{"aws:userid":"AIDA*"}}}}}]`),
			subject: "user/u inline policy i", text: "aws:userid", carriedUsers: 1,
		},
		"a filter that names nothing": {
			data: minimal(""), opts: Options{Principals: []string{"user/u", "role/nobody"}},
			subject: "role/nobody", text: "names no principal", carriedUsers: 1,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			res, _ := importOK(t, tc.data, tc.opts)
			if res.Report.Exact {
				t.Fatalf("reported exact: %+v", res.Report.Findings)
			}
			if !hasFinding(res.Report, NotExact, tc.subject, tc.text) {
				t.Errorf("no not_exact finding for %s mentioning %q: %+v", tc.subject, tc.text, res.Report.Findings)
			}
			if got := len(res.Report.Carried.Users); got != tc.carriedUsers {
				t.Errorf("carried %d users, want %d", got, tc.carriedUsers)
			}
			if tc.carriedUsers == 0 && len(res.Report.Carried.Policies) != 0 {
				t.Errorf("policies %v carried for no one", res.Report.Carried.Policies)
			}
		})
	}
}

func TestImportPaths(t *testing.T) {
	t.Parallel()
	data := []byte(`{"UserDetailList":[{"Path":"/eng/","UserName":"u","Arn":"arn:aws:iam::` + acct + `:user/eng/u"}],
	"RoleDetailList":[{"Path":"/","RoleName":"r","Arn":"arn:aws:iam::` + acct + `:role/r",
	  "AssumeRolePolicyDocument":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:user/eng/u"},"Action":"sts:AssumeRole"}]}}]}`)
	res, _ := importOK(t, data, Options{})
	if !hasFinding(res.Report, NotExact, "user/u", "user/eng/") {
		t.Errorf("a trust policy naming the path ARN is not reported: %+v", res.Report.Findings)
	}
	res, _ = importOK(t, data, Options{Principals: []string{"user/u"}})
	if !res.Report.Exact {
		t.Errorf("without the role, nothing names the path ARN, yet: %+v", res.Report.Findings)
	}
}

func TestImportRefusesTrustWithUniqueID(t *testing.T) {
	t.Parallel()
	data := []byte(`{"RoleDetailList":[{"Path":"/","RoleName":"r","Arn":"arn:aws:iam::` + acct + `:role/r",
	  "AssumeRolePolicyDocument":"%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22AWS%22%3A%22AIDAJQABLZS4A3QDU576Q%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D"}]}`)
	res, _ := importOK(t, data, Options{})
	if len(res.Report.Carried.Roles) != 0 || !hasFinding(res.Report, NotExact, "role/r", "unique ID") {
		t.Errorf("role with a unique-ID principal: carried %v, findings %+v", res.Report.Carried.Roles, res.Report.Findings)
	}
}

func TestImportInputErrors(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		data string
		opts Options
		want string
	}{
		"truncated":        {`{"UserDetailList":[{"UserName":"u"}],"IsTruncated":true,"Marker":"x"}`, Options{Account: acct}, "truncated"},
		"empty":            {`{}`, Options{Account: acct}, "no users"},
		"not JSON":         {`<xml/>`, Options{Account: acct}, "reading authorization details"},
		"bad account":      {`{}`, Options{Account: "12"}, "12-digit"},
		"bad filter":       {`{}`, Options{Account: acct, Principals: []string{"group/x"}}, "user/NAME or role/NAME"},
		"bad document":     {`{"UserDetailList":[{"UserName":"u","UserPolicyList":[{"PolicyName":"p","PolicyDocument":"%ZZ"}]}]}`, Options{Account: acct}, "URL-encoded"},
		"document not obj": {`{"UserDetailList":[{"UserName":"u","UserPolicyList":[{"PolicyName":"p","PolicyDocument":[1]}]}]}`, Options{Account: acct}, "policy document"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := Import([]byte(tc.data), tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Import error = %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

func TestDocumentForms(t *testing.T) {
	t.Parallel()
	want := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"a:b+c","Resource":"*"}}`
	for name, raw := range map[string]string{
		"URL-encoded (plus stays plus)": `"%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22a%3Ab+c%22%2C%22Resource%22%3A%22%2A%22%7D%7D"`,
		"JSON text in a string":         `"{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"a:b+c\",\"Resource\":\"*\"}}"`,
		"object":                        want,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var d document
			if err := json.Unmarshal([]byte(raw), &d); err != nil {
				t.Fatal(err)
			}
			if string(d) != want {
				t.Errorf("decoded %s, want %s", d, want)
			}
		})
	}
}

func TestPolicyNames(t *testing.T) {
	t.Parallel()
	arns := []string{
		"arn:aws:iam::" + acct + ":policy/team.x.P", // plain: keeps its name
		"arn:aws:iam::" + acct + ":policy/team/x/P", // would be team.x.P: taken
		"arn:aws:iam::aws:policy/ReadOnlyAccess",
		"arn:aws:iam::" + acct + ":policy/Plain",
		"arn:aws:iam::" + acct + ":policy/a b/Q", // a character the store refuses
	}
	got := policyNames(arns, acct)
	slices.Reverse(arns)
	if again := policyNames(arns, acct); !mapsEqual(got, again) {
		t.Errorf("names depend on order: %v vs %v", got, again)
	}
	want := map[string]string{
		"arn:aws:iam::" + acct + ":policy/team.x.P": "team.x.P",
		"arn:aws:iam::aws:policy/ReadOnlyAccess":    "AWS.ReadOnlyAccess",
		"arn:aws:iam::" + acct + ":policy/Plain":    "Plain",
		"arn:aws:iam::" + acct + ":policy/a b/Q":    "a_b.Q",
	}
	for a, n := range want {
		if got[a] != n {
			t.Errorf("name of %s = %q, want %q", a, got[a], n)
		}
	}
	if n := got["arn:aws:iam::"+acct+":policy/team/x/P"]; !strings.HasPrefix(n, "team.x.P-") || len(n) != len("team.x.P-")+8 {
		t.Errorf("colliding name = %q, want team.x.P-<8 hex>", n)
	}
	seen := map[string]bool{}
	for _, n := range got {
		if seen[n] || !validName(n) {
			t.Errorf("name %q duplicate or invalid", n)
		}
		seen[n] = true
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestGatewayProvides pins the answers of the lint probe that
// classifyKey relies on.
func TestGatewayProvides(t *testing.T) {
	t.Parallel()
	for key, want := range map[string]bool{
		"aws:SourceVpce": false, "aws:SourceVpc": false, "aws:MultiFactorAuthAge": false, "s3:prefix": false,
		"aws:PrincipalTag/team": true, "aws:RequestedRegion": true, "aws:SourceIp": true, "sts:ExternalId": true,
		"aws:ResourceTag/tenant": true, "gateway:DestinationCountry": true,
	} {
		if got := gatewayProvides(key); got != want {
			t.Errorf("gatewayProvides(%q) = %v, want %v", key, got, want)
		}
	}
}

// TestImportKeyVerdicts: keys the gateway never sets are not exact, except
// those AWS too leaves absent for the gateway's callers, and those read by
// a trust statement that no gateway caller can match.
func TestImportKeyVerdicts(t *testing.T) {
	t.Parallel()
	inline := func(cond string) []byte {
		return minimal(`,"UserPolicyList":[{"PolicyName":"i","PolicyDocument":{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"sms-voice:*","Resource":"*","Condition":` + cond + `}}}]`)
	}
	role := func(trust string) []byte {
		return []byte(`{"RoleDetailList":[{"Path":"/","RoleName":"r","Arn":"arn:aws:iam::` + acct + `:role/r","AssumeRolePolicyDocument":` + trust + `}]}`)
	}
	tests := map[string]struct {
		data  []byte
		exact bool
		text  string
	}{
		"aws:SourceArn (service-to-service only)":          {inline(`{"ArnNotLike":{"aws:SourceArn":"arn:aws:s3:::b"}}`), true, "service-to-service"},
		"aws:PrincipalServiceName (service principals)":    {inline(`{"StringEquals":{"aws:PrincipalServiceName":"x.amazonaws.com"}}`), true, "aws:PrincipalServiceName"},
		"aws:SourceVpc (never set, may be set in AWS)":     {inline(`{"StringNotEquals":{"aws:SourceVpc":"vpc-1"}}`), false, "never sets"},
		"aws:PrincipalOrgID (needs org_id)":                {inline(`{"StringNotEquals":{"aws:PrincipalOrgID":"o-1"}}`), true, "org_id"},
		"SAML keys in a statement only a provider matches": {role(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::` + acct + `:saml-provider/idp"},"Action":["sts:AssumeRole","sts:AssumeRoleWithSAML"],"Condition":{"StringEquals":{"saml:aud":"https://signin.aws.amazon.com/saml"}}}]}`), true, "Federated"},
		"an unknown key in a statement a user matches":     {role(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:user/u"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"saml:aud":"x"}}}]}`), false, "saml:aud"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			res, _ := importOK(t, tc.data, Options{})
			if res.Report.Exact != tc.exact {
				t.Errorf("exact = %v, want %v: %+v", res.Report.Exact, tc.exact, res.Report.Findings)
			}
			if !strings.Contains(findingsText(res.Report, Transformed)+findingsText(res.Report, Inert)+findingsText(res.Report, NotExact), tc.text) {
				t.Errorf("no finding mentions %q: %+v", tc.text, res.Report.Findings)
			}
		})
	}
}

// FuzzImport: no input panics, and an import without error gives a store
// that loads (Import checks it; the fuzzer checks the check). Its seeds run
// as a test; it is not in scripts/test.sh's fuzz list.
func FuzzImport(f *testing.F) {
	for _, name := range []string{"details-api.json", "details-cli.json"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, "")
	}
	f.Add(minimal(`,"UserPolicyList":[{"PolicyName":"i","PolicyDocument":"%7B%22Statement%22%3A%5B%5D%7D"}]`), "")
	f.Add(minimal(""), fullAccess)
	f.Add(minimal(""), eastOnly)
	f.Fuzz(func(t *testing.T, data []byte, scpDoc string) {
		opts := Options{Account: acct}
		if scpDoc != "" {
			opts.SCPs = []OrgPolicy{{Level: "root", Source: "s.json", Data: []byte(scpDoc)}}
		}
		res, err := Import(data, opts)
		if err != nil {
			if res != nil {
				t.Fatal("an error with a result")
			}
			return
		}
		if _, err := authn.ParseStore("fuzz", res.Store, authn.StoreOptions{Account: acct}); err != nil {
			t.Fatalf("store does not load: %v", err)
		}
	})
}
