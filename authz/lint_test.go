package authz

import (
	"strings"
	"testing"
)

func TestLint(t *testing.T) {
	t.Parallel()
	known := func(a string) bool {
		return strings.EqualFold(a, "mobiletargeting:GetApp") || strings.EqualFold(a, "sms-voice:SendTextMessage")
	}
	tests := map[string]struct {
		stmt string
		want []string // substrings, one warning each; nil = no warnings
	}{
		"clean": {`{"Effect":"Allow","Action":["mobiletargeting:GetApp","mobiletargeting:Get*","s3:GetObject"],"Resource":"*",
			"Condition":{"ForAnyValue:StringEquals":{"aws:TagKeys":"team"},"StringNotEquals":{"aws:PrincipalTag/team":"red"}}}`, nil},
		"unknown action":         {`{"Effect":"Allow","Action":["mobiletargeting:GetApps2","SMS-Voice:SendTxt"],"Resource":"*"}`, []string{`"mobiletargeting:GetApps2"`, `"SMS-Voice:SendTxt"`}},
		"ForAllValues allow":     {`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":"team"}}}`, []string{"ForAllValues"}},
		"ForAllValues deny ok":   {`{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":"team"}}}`, nil},
		"qualifier single-value": {`{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"aws:PrincipalTag/team":"x"}}}`, []string{"single-valued"}},
		"negated unknown key":    {`{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:SourceVpc":"vpc-1"}}}`, []string{"never provides"}},
		"gateway namespace": {`{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"ForAnyValue:StringNotLike":{"gateway:ReferencedArn":"arn:aws:sns:*:*:a-*"},
			"StringNotEquals":{"aws:ResourceAccount":"123456789012","aws:PrincipalOrgID":"o-1","aws:ResourceOrgID":"o-1","iam:PassedToService":"sms-voice.amazonaws.com",
			"aws:ViaAWSService":"true","aws:PrincipalIsAWSService":"true"}}}`, nil},
		"qualifier on a single-valued gateway key": {`{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"ForAnyValue:StringNotEquals":{"aws:ResourceAccount":"1"}}}`, []string{"single-valued"}},
		"unknown gateway key":                      {`{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"gateway:Referenced":"x"}}}`, []string{"never provides"}},
		"destination keys": {`{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"ForAnyValue:StringNotEquals":{"gateway:DestinationCountry":["FR"],
			"gateway:DestinationNumberType":"MOBILE","gateway:DestinationCallingCode":"33","gateway:DestinationNumber":"+33612345678"},
			"NumericGreaterThan":{"gateway:DestinationCount":"1"}}}`, nil},
		"qualifier on the destination count": {`{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"ForAnyValue:NumericGreaterThan":{"gateway:DestinationCount":"1"}}}`, []string{"single-valued"}},
		"negated provided key":               {`{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:RequestTag/x":"o-1"}}}`, nil},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p := mustParse(t, "P", IdentityBased, stmtDoc(tc.stmt))
			got := p.Lint(known)
			if len(got) != len(tc.want) {
				t.Fatalf("Lint = %q, want %d warnings", got, len(tc.want))
			}
			for i, w := range tc.want {
				if !strings.Contains(got[i], w) || !strings.HasPrefix(got[i], `policy "P" statement 0`) {
					t.Errorf("warning %d = %q, want it to name the statement and contain %q", i, got[i], w)
				}
			}
		})
	}
	p := mustParse(t, "P", IdentityBased, stmtDoc(`{"Effect":"Allow","Action":"mobiletargeting:Nope","Resource":"*"}`))
	if w := p.Lint(nil); len(w) != 0 {
		t.Errorf("Lint(nil) = %q, want no action warnings without a catalogue", w)
	}
}

// TestLintRetired: only Allow statements with an Action element whose every
// pattern is retired-only are reported.
func TestLintRetired(t *testing.T) {
	t.Parallel()
	retired := func(p string) bool { return strings.HasPrefix(strings.ToLower(p), "mobiletargeting:getsegment") }
	tests := map[string]struct {
		stmt string
		want int
	}{
		"all retired":   {`{"Effect":"Allow","Action":["mobiletargeting:GetSegment","mobiletargeting:GetSegments"],"Resource":"*"}`, 1},
		"one supported": {`{"Effect":"Allow","Action":["mobiletargeting:GetSegment","mobiletargeting:GetApps"],"Resource":"*"}`, 0},
		"deny":          {`{"Effect":"Deny","Action":"mobiletargeting:GetSegment","Resource":"*"}`, 0},
		"not action":    {`{"Effect":"Allow","NotAction":"mobiletargeting:GetSegment","Resource":"*"}`, 0},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p := mustParse(t, "P", IdentityBased, stmtDoc(tc.stmt))
			if got := p.LintRetired(retired); len(got) != tc.want {
				t.Errorf("LintRetired = %q, want %d warnings", got, tc.want)
			}
		})
	}
}
