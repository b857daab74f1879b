package iamimport

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/pinpointgw/gateway/authz"
)

// describe wraps a policy document as `aws organizations describe-policy`
// prints it: Policy.Content is the document as a JSON string.
func describe(name, typ, doc string) []byte {
	out, _ := json.Marshal(map[string]any{"Policy": map[string]any{
		"PolicySummary": map[string]any{"Id": "p-examplepolicy", "Arn": "arn:aws:organizations::111111111111:policy/o-exampleorgid/service_control_policy/p-examplepolicy",
			"Name": name, "Description": "", "Type": typ, "AwsManaged": name == "FullAWSAccess" || name == "RCPFullAWSAccess"},
		"Content": doc}})
	return out
}

func scp(level, name, doc string) OrgPolicy {
	return OrgPolicy{Level: level, Source: name + ".json", Data: describe(name, "SERVICE_CONTROL_POLICY", doc)}
}

func rcp(level, name, doc string) OrgPolicy {
	return OrgPolicy{Level: level, Source: name + ".json", Data: describe(name, "RESOURCE_CONTROL_POLICY", doc)}
}

const (
	fullAccess    = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	rcpFullAccess = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`
	noDeletes     = `{"Version":"2012-10-17","Statement":[{"Sid":"NoDeletes","Effect":"Deny","Action":["mobiletargeting:Delete*","s3:DeleteBucket"],"Resource":"*"}]}`
	pinpointOnly  = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["mobiletargeting:*","s3:*"],"Resource":"*"}]}`
	readsAndSMS   = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["mobiletargeting:Get*","sms-voice:*"],"Resource":"*"}]}`
	eastOnly      = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"us-east-1"}}}]}`
	westOnly      = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}}]}`
	s3Only        = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
)

// guardrailDecision evaluates an action under the store's guardrails with
// an identity policy that allows everything: the guardrails alone decide.
func guardrailDecision(t *testing.T, guardrails []*authz.Policy, action, resource, region string) authz.Decision {
	t.Helper()
	all, err := authz.Parse("all", []byte(fullAccess), authz.IdentityBased)
	if err != nil {
		t.Fatal(err)
	}
	ctx := authz.NewContext()
	ctx.Set("aws:RequestedRegion", region)
	ctx.Set("aws:PrincipalOrgID", "o-other")
	in := authz.Input{Principal: authz.PrincipalFromARN("arn:aws:iam::" + acct + ":user/u"), Action: action, Resource: resource,
		Context: ctx, IdentityPolicies: []*authz.Policy{all}, Guardrails: guardrails}
	return authz.Evaluate(&in).Decision
}

// TestSCPLevels checks that the guardrails decide as AWS's level-by-level
// SCP evaluation does: at each level one SCP must allow, a Deny anywhere
// denies. Expected values are AWS's answers for the policies given.
func TestSCPLevels(t *testing.T) {
	t.Parallel()
	const role = "arn:aws:iam::" + acct + ":role/app"
	type check struct {
		action, region string
		want           authz.Decision
	}
	tests := map[string]struct {
		scps                 []OrgPolicy
		rcps                 []OrgPolicy
		level                string
		checks               []check
		finding, findingKind string
	}{
		"full access at every level and a Deny": {
			scps: []OrgPolicy{scp("root", "FullAWSAccess", fullAccess), scp("account", "FullAWSAccess", fullAccess), scp("account", "NoDeletes", noDeletes)},
			checks: []check{
				{"mobiletargeting:DeleteApp", "us-east-1", authz.ExplicitDeny},
				{"mobiletargeting:GetApp", "us-east-1", authz.Allow},
				{"sts:AssumeRole", "us-east-1", authz.Allow},
			},
		},
		"two levels of action lists intersect": {
			scps: []OrgPolicy{scp("root", "FullAWSAccess", fullAccess), scp("ou-prod", "PinpointOnly", pinpointOnly), scp("account", "ReadsAndSMS", readsAndSMS)},
			checks: []check{
				{"mobiletargeting:GetApp", "us-east-1", authz.Allow},           // both levels
				{"mobiletargeting:DeleteApp", "us-east-1", authz.ExplicitDeny}, // the account level does not allow it
				{"sms-voice:SendTextMessage", "us-east-1", authz.ExplicitDeny}, // the OU level does not allow it
				{"sts:AssumeRole", "us-east-1", authz.ExplicitDeny},            // neither
			},
		},
		"one conditional level is the guardrails' allow": {
			scps: []OrgPolicy{scp("root", "FullAWSAccess", fullAccess), scp("ou-prod", "EastOnly", eastOnly), scp("account", "NoDeletes", noDeletes), scp("account", "FullAWSAccess", fullAccess)},
			checks: []check{
				{"mobiletargeting:GetApp", "us-east-1", authz.Allow},
				{"mobiletargeting:GetApp", "eu-west-1", authz.ImplicitDeny},
				{"mobiletargeting:DeleteApp", "us-east-1", authz.ExplicitDeny},
			},
		},
		"a conditional level and an action list level": {
			scps: []OrgPolicy{scp("ou-prod", "EastOnly", eastOnly), scp("account", "ReadsAndSMS", readsAndSMS)},
			checks: []check{
				{"mobiletargeting:GetApp", "us-east-1", authz.Allow},
				{"mobiletargeting:GetApp", "eu-west-1", authz.ImplicitDeny},
				{"mobiletargeting:DeleteApp", "us-east-1", authz.ExplicitDeny},
			},
		},
		"two conditional levels, one picked": {
			scps:  []OrgPolicy{scp("ou-prod", "EastOnly", eastOnly), scp("account", "WestOnly", westOnly)},
			level: "ou-prod",
			checks: []check{
				{"mobiletargeting:GetApp", "us-east-1", authz.Allow}, // AWS: ImplicitDeny (the account level), hence the finding
				{"mobiletargeting:GetApp", "eu-west-1", authz.ImplicitDeny},
			},
			finding: "dropped", findingKind: string(NotExact),
		},
		"a level that allows nothing the gateway decides": {
			scps:   []OrgPolicy{scp("root", "FullAWSAccess", fullAccess), scp("account", "S3Only", s3Only)},
			checks: []check{{"mobiletargeting:GetApp", "us-east-1", authz.ExplicitDeny}},
		},
		"RCP narrowed to STS": {
			rcps: []OrgPolicy{rcp("root", "RCPFullAWSAccess", rcpFullAccess), rcp("root", "OrgOnly",
				`{"Version":"2012-10-17","Statement":[{"Sid":"OrgOnly","Effect":"Deny","Principal":"*","Action":"*","Resource":"*","Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-mine"}}}]}`)},
			checks: []check{
				{"sts:AssumeRole", "us-east-1", authz.ExplicitDeny},  // the caller's org is not o-mine
				{"mobiletargeting:GetApp", "us-east-1", authz.Allow}, // RCPs do not apply to Pinpoint
			},
			finding: "narrowed to sts:AssumeRole, sts:TagSession, sts:SetSourceIdentity", findingKind: string(Transformed),
		},
		"RCP on Pinpoint only is inert": {
			rcps:    []OrgPolicy{rcp("root", "NoPinpoint", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"mobiletargeting:*","Resource":"*"}]}`)},
			checks:  []check{{"mobiletargeting:GetApp", "us-east-1", authz.Allow}},
			finding: "RCPs do not apply", findingKind: string(Inert),
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			res, st := importOK(t, minimal(""), Options{SCPs: tc.scps, RCPs: tc.rcps, GuardrailLevel: tc.level})
			for _, c := range tc.checks {
				resource := "*"
				if strings.HasPrefix(c.action, "sts:") {
					resource = role
				}
				if got := guardrailDecision(t, st.Guardrails(), c.action, resource, c.region); got != c.want {
					t.Errorf("%s in %s = %v, want %v (guardrails %v)", c.action, c.region, got, c.want, res.Report.Carried.Guardrails)
				}
			}
			if tc.finding != "" && !strings.Contains(findingsText(res.Report, Kind(tc.findingKind)), tc.finding) {
				t.Errorf("no %s finding mentioning %q: %+v", tc.findingKind, tc.finding, res.Report.Findings)
			}
		})
	}
}

func findingsText(r *Report, k Kind) string {
	var b strings.Builder
	for _, f := range r.Findings {
		if f.Kind == k {
			b.WriteString(f.Subject + ": " + f.Message + "\n")
		}
	}
	return b.String()
}

func TestGuardrailErrors(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		opts Options
		want string
	}{
		"two conditional levels, none picked":  {Options{SCPs: []OrgPolicy{scp("ou-prod", "EastOnly", eastOnly), scp("account", "WestOnly", westOnly)}}, "--guardrail-level"},
		"a guardrail level that picks nothing": {Options{SCPs: []OrgPolicy{scp("ou-prod", "EastOnly", eastOnly)}, GuardrailLevel: "ou-typo"}, "--guardrail-level ou-typo"},
		"RCP with a custom Allow":              {Options{RCPs: []OrgPolicy{rcp("root", "X", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:*","Resource":"*"}]}`)}}, "RCPFullAWSAccess"},
		"RCP naming a principal":               {Options{RCPs: []OrgPolicy{rcp("root", "X", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::`+acct+`:root"},"Action":"sts:*","Resource":"*"}]}`)}}, "Principal must be"},
		"an RCP given as an SCP":               {Options{SCPs: []OrgPolicy{rcp("root", "X", rcpFullAccess)}}, "want SERVICE_CONTROL_POLICY"},
		"an SCP the parser refuses":            {Options{SCPs: []OrgPolicy{scp("root", "X", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"sms-voice:*","Resource":"*","Condition":{"Bogus":{"aws:x":"1"}}}]}`)}}, "SCP scp root/X"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			tc.opts.Account = acct
			_, err := Import(minimal(""), tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Import error = %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

// TestSCPBarePolicy accepts a bare policy document, named after its file.
func TestSCPBarePolicy(t *testing.T) {
	t.Parallel()
	res, _ := importOK(t, minimal(""), Options{SCPs: []OrgPolicy{{Source: "dir/no-deletes.json", Data: []byte(noDeletes)}, {Source: "FullAWSAccess.json", Data: []byte(fullAccess)}}})
	if got := res.Report.Carried.Guardrails; len(got) != 2 || got[0] != "allow-all" || got[1] != "scp/account/no-deletes" {
		t.Errorf("guardrails %v", got)
	}
	// Without FullAWSAccess the level allows nothing, as in AWS, and the
	// report says how to give it.
	res, _ = importOK(t, minimal(""), Options{SCPs: []OrgPolicy{{Source: "dir/no-deletes.json", Data: []byte(noDeletes)}}})
	if got := res.Report.Carried.Guardrails; len(got) != 3 || got[1] != "scp/account/allows-nothing" || !strings.Contains(findingsText(res.Report, Transformed), "give it with --scp account=FILE") {
		t.Errorf("guardrails %v, findings %+v", got, res.Report.Findings)
	}
}
