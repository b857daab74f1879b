package arn

import (
	"strings"
	"testing"
)

func TestSplit(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		in    string
		parts [6]string
		ok    bool
	}{
		"app":          {"arn:aws:mobiletargeting:us-east-1:123456789012:apps/abc", [6]string{"arn", "aws", "mobiletargeting", "us-east-1", "123456789012", "apps/abc"}, true},
		"colons kept":  {"arn:aws:logs:us-east-1:1:log-group:g:*", [6]string{"arn", "aws", "logs", "us-east-1", "1", "log-group:g:*"}, true},
		"s3 no acct":   {"arn:aws:s3:::bucket/key", [6]string{"arn", "aws", "s3", "", "", "bucket/key"}, true},
		"five parts":   {"arn:aws:s3::bucket", [6]string{}, false},
		"no prefix":    {"ARN:aws:s3:::b", [6]string{}, false},
		"empty":        {"", [6]string{}, false},
		"empty fields": {"arn:::::", [6]string{"arn", "", "", "", "", ""}, true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			parts, ok := Split(tc.in)
			if parts != tc.parts || ok != tc.ok {
				t.Errorf("Split(%q) = %q, %v; want %q, %v", tc.in, parts, ok, tc.parts, tc.ok)
			}
		})
	}
}

func TestSplitDoesNotAllocate(t *testing.T) {
	s := "arn:aws:mobiletargeting:us-east-1:123456789012:apps/abc"
	if n := testing.AllocsPerRun(100, func() { _, _ = Split(s) }); n != 0 {
		t.Errorf("Split allocates %v times; want 0", n)
	}
}

func TestAccount(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"arn:aws:sms-voice:us-east-1:123456789012:pool/p": "123456789012",
		"arn:aws:s3:::bucket":                             "",
		"not-an-arn":                                      "",
		"arn:aws:iam::111122223333:role/r":                "111122223333",
	}
	for in, want := range tests {
		if got := Account(in); got != want {
			t.Errorf("Account(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParse(t *testing.T) {
	t.Parallel()
	good := "arn:aws-cn:sms-voice:cn-north-1:123456789012:phone-number/phone-1"
	a, err := Parse(good)
	if err != nil {
		t.Fatalf("Parse(%q): %v", good, err)
	}
	want := ARN{Partition: "aws-cn", Service: "sms-voice", Region: "cn-north-1", Account: "123456789012", Resource: "phone-number/phone-1"}
	if a != want {
		t.Errorf("Parse(%q) = %+v, want %+v", good, a, want)
	}
	if a.String() != good {
		t.Errorf("String() = %q, want %q (round trip)", a.String(), good)
	}
	bad := map[string]string{
		"too long":      "arn:aws:s3:::" + strings.Repeat("b", MaxLen),
		"control":       "arn:aws:s3:::b\n",
		"DEL":           "arn:aws:s3:::b\x7f",
		"prefix":        "urn:aws:s3:::b",
		"five parts":    "arn:aws:s3::b",
		"no partition":  "arn::s3:::b",
		"no service":    "arn:aws::::b",
		"no resource":   "arn:aws:s3:::",
		"empty":         "",
		"only the head": "arn:",
	}
	for name, in := range bad {
		t.Run(name, func(t *testing.T) {
			if a, err := Parse(in); err == nil {
				t.Errorf("Parse(%q) = %+v, nil; want an error", in, a)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add("arn:aws:mobiletargeting:us-east-1:123456789012:apps/abc")
	f.Add("arn:aws:s3:::b/k:x")
	f.Fuzz(func(t *testing.T, s string) {
		parts, ok := Split(s)
		if ok && "arn:"+strings.Join(parts[1:], ":") != s {
			t.Fatalf("Split(%q) = %q does not join back", s, parts)
		}
		a, err := Parse(s)
		if err != nil {
			return
		}
		if !ok {
			t.Fatalf("Parse(%q) accepted what Split refused", s)
		}
		if a.String() != s {
			t.Fatalf("Parse(%q).String() = %q", s, a.String())
		}
	})
}
