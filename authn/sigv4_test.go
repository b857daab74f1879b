package authn

import (
	"net/http"
	"net/url"
	"testing"
)

func TestNormalizePath(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"":                  "/",
		"/":                 "/",
		"//":                "/",
		"/./":               "/",
		"/example/..":       "/",
		"/a/b/../../..":     "/",
		"//example//":       "/example/",
		"/./example":        "/example",
		"/v1/apps/abc":      "/v1/apps/abc",
		"/v1/apps/abc/":     "/v1/apps/abc/",
		"/a/./b/../c":       "/a/c",
		"/a%2F..":           "/a%2F..",
		"/v1/templates/..x": "/v1/templates/..x",
	}
	for in, want := range tests {
		t.Run(in, func(t *testing.T) {
			t.Parallel()
			if got := NormalizePath(in); got != want {
				t.Errorf("NormalizePath(%q) = %q, want %q", in, got, want)
			}
		})
	}
}

func TestCanonicalURIDoubleEncodes(t *testing.T) {
	t.Parallel()
	// As aws-sdk-go-v2's signer does for every service but S3: the escaped
	// path is escaped once more.
	tests := map[string]string{
		"/v1/templates/my%20template/email": "/v1/templates/my%2520template/email",
		"/ሴ":                                "/%E1%88%B4",
		"/-._~":                             "/-._~",
		"/a+b=c":                            "/a%2Bb%3Dc",
	}
	for in, want := range tests {
		t.Run(in, func(t *testing.T) {
			t.Parallel()
			if got := CanonicalURI(in, true); got != want {
				t.Errorf("CanonicalURI(%q) = %q, want %q", in, got, want)
			}
		})
	}
}

func TestCanonicalQuery(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		raw, want string
		omitToken bool
		bad       bool
	}{
		"empty":             {raw: "", want: ""},
		"sorted":            {raw: "b=2&a=1", want: "a=1&b=2"},
		"same key by value": {raw: "a=2&a=1", want: "a=1&a=2"},
		"no value":          {raw: "a", want: "a="},
		"plus is space":     {raw: "a=x+y", want: "a=x%20y"},
		"re-encoded":        {raw: "a=%2f%7E", want: "a=%2F~"},
		"signature dropped": {raw: "X-Amz-Signature=abc&a=1", want: "a=1"},
		"token dropped":     {raw: "X-Amz-Security-Token=t&a=1", want: "a=1", omitToken: true},
		"token kept":        {raw: "X-Amz-Security-Token=t&a=1", want: "X-Amz-Security-Token=t&a=1"},
		"bad escape":        {raw: "a=%zz", bad: true},
		"short escape":      {raw: "a=%2", bad: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := CanonicalQuery(tc.raw, tc.omitToken)
			if (err != nil) != tc.bad || got != tc.want {
				t.Errorf("CanonicalQuery(%q) = %q, %v; want %q (error %v)", tc.raw, got, err, tc.want, tc.bad)
			}
		})
	}
}

func TestParseAuthorizationErrors(t *testing.T) {
	t.Parallel()
	const sig = "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"
	const cred = "Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request"
	tests := map[string]struct {
		h    string
		want ErrorKind
	}{
		"other algorithm":      {"AWS4-ECDSA-P256-SHA256 " + cred + ", SignedHeaders=host, Signature=" + sig, IncompleteSignature},
		"missing signature":    {"AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host", IncompleteSignature},
		"duplicate credential": {"AWS4-HMAC-SHA256 " + cred + ", " + cred + ", SignedHeaders=host, Signature=" + sig, IncompleteSignature},
		"host not signed":      {"AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=x-amz-date, Signature=" + sig, SignatureDoesNotMatch},
		"unsorted headers":     {"AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=x-amz-date;host, Signature=" + sig, IncompleteSignature},
		"upper-case header":    {"AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=Host, Signature=" + sig, IncompleteSignature},
		"short signature":      {"AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host, Signature=abc", IncompleteSignature},
		"bad terminator":       {"AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/service/aws5_request, SignedHeaders=host, Signature=" + sig, IncompleteSignature},
		"bad date":             {"AWS4-HMAC-SHA256 Credential=AKID/2015083/us-east-1/service/aws4_request, SignedHeaders=host, Signature=" + sig, IncompleteSignature},
		"unknown parameter":    {"AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host, Signature=" + sig + ", Extra=1", IncompleteSignature},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			a, err := ParseAuthorization(tc.h)
			k, ok := kindOf(err)
			if a != nil || !ok || k != tc.want {
				t.Errorf("ParseAuthorization(%q) = %v, %v; want kind %v", tc.h, a, err, tc.want)
			}
		})
	}
	a, err := ParseAuthorization("AWS4-HMAC-SHA256 " + cred + ",SignedHeaders=host;x-amz-date,Signature=" + sig)
	if err != nil || a.AccessKeyID != "AKIDEXAMPLE" || a.Scope.Service != "service" || len(a.SignedHeaders) != 2 {
		t.Errorf("ParseAuthorization without spaces = %+v, %v", a, err)
	}
}

func TestBothAuthMechanismsRefused(t *testing.T) {
	t.Parallel()
	r := &http.Request{Method: "GET", URL: &url.URL{Path: "/", RawQuery: "X-Amz-Signature=abc"}, Host: "h", Header: http.Header{}}
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 x")
	if _, _, err := suiteVerifier(true).verify(r, nil, suiteLookup("")); err == nil || err.Kind != IncompleteSignature {
		t.Fatalf("verify = %v, want IncompleteSignature", err)
	}
	// A query value that merely mentions a presign parameter is no presign.
	r = &http.Request{Method: "GET", URL: &url.URL{Path: "/", RawQuery: "a=X-Amz-Signature%3D1"}, Host: "h", Header: http.Header{}}
	if _, _, err := suiteVerifier(true).verify(r, nil, suiteLookup("")); err == nil || err.Kind != MissingAuthentication {
		t.Fatalf("verify = %v, want MissingAuthentication", err)
	}
}
