package authn

import (
	"encoding/base64"
	"reflect"
	"strings"
	"testing"
	"time"
)

// testBinding binds tokens to the test store's gateway (partition aws, the
// test account, no deployment ID).
var testBinding = tokenBinding("aws", testAccount, "")

func sampleClaims() *sessionClaims {
	return &sessionClaims{
		AccessKeyID: "ASIAABCDEFGHIJKLMNOP", Secret: "secret-secret-secret",
		IssuedAt: t0, Expires: t0.Add(time.Hour), Role: true, Name: "tenant-app", SessionName: "s1",
		SourceIdentity: "alice", Tags: []Tag{{"tenant", "a"}, {"team", "green"}}, TransitiveTagKeys: []string{"tenant"},
		Policy: `{"Version":"2012-10-17","Statement":[]}`, PolicyNames: []string{"Narrow"}, Chained: true,
	}
}

func TestSessionTokenRoundTrip(t *testing.T) {
	t.Parallel()
	keys := testKeys(t, 1)
	c := sampleClaims()
	tok, err := keys.seal(c, testBinding)
	if err != nil {
		t.Fatal(err)
	}
	got, err := keys.open(tok, testBinding)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	if !reflect.DeepEqual(got, c) {
		t.Fatalf("open(seal(c)) = %+v, want %+v", got, c)
	}
	if strings.Contains(tok, c.Secret) {
		t.Fatal("token shows the secret")
	}
}

func TestSessionKeyRotation(t *testing.T) {
	t.Parallel()
	old, rotated, other := testKeys(t, 1), testKeys(t, 2, 1), testKeys(t, 3)
	tok, err := old.seal(sampleClaims(), testBinding)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rotated.open(tok, testBinding); err != nil {
		t.Errorf("a token of the old key does not open after rotation: %v", err)
	}
	if _, err := other.open(tok, testBinding); err == nil {
		t.Error("a foreign key opened the token")
	}
	newTok, err := rotated.seal(sampleClaims(), testBinding)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := old.open(newTok, testBinding); err == nil {
		t.Error("the new token opened with only the old key: the first key must seal")
	}
}

func TestSessionTokenTamper(t *testing.T) {
	t.Parallel()
	keys := testKeys(t, 1)
	tok, err := keys.seal(sampleClaims(), testBinding)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(tok)
	for i := range raw {
		b := append([]byte(nil), raw...)
		b[i] ^= 0x01
		if _, err := keys.open(base64.RawURLEncoding.EncodeToString(b), testBinding); err == nil {
			t.Fatalf("token with byte %d flipped opened", i)
		}
	}
	for _, bad := range []string{"", "x", tok[:len(tok)-1], tok + "A", strings.Repeat("A", maxTokenLen+1), "!!!!" + tok} {
		if _, err := keys.open(bad, testBinding); err == nil {
			t.Errorf("open(%.20q...) succeeded", bad)
		}
	}
}

func TestParseSessionKeys(t *testing.T) {
	t.Parallel()
	k := make([]byte, 32)
	for i := range k {
		k[i] = byte(i * 7)
	}
	tests := map[string]struct {
		keys []string
		ok   bool
	}{
		"standard":       {[]string{base64.StdEncoding.EncodeToString(k)}, true},
		"url-safe":       {[]string{base64.URLEncoding.EncodeToString(k)}, true},
		"raw url-safe":   {[]string{base64.RawURLEncoding.EncodeToString(k)}, true},
		"none":           {nil, false},
		"short":          {[]string{base64.StdEncoding.EncodeToString(k[:16])}, false},
		"not base64":     {[]string{"not a key!"}, false},
		"same key twice": {[]string{base64.StdEncoding.EncodeToString(k), base64.RawURLEncoding.EncodeToString(k)}, false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			sk, err := ParseSessionKeys(tc.keys)
			if (err == nil) != tc.ok || (sk != nil) != tc.ok {
				t.Fatalf("ParseSessionKeys = %v, %v; want ok=%v", sk, err, tc.ok)
			}
		})
	}
}

func TestTemporaryCredentialsFormat(t *testing.T) {
	t.Parallel()
	id, secret, err := newTemporaryCredentials()
	if err != nil {
		t.Fatal(err)
	}
	if len(id) != 20 || !strings.HasPrefix(id, "ASIA") || strings.Trim(id[4:], "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") != "" {
		t.Errorf("access key ID %q", id)
	}
	if len(secret) != 40 {
		t.Errorf("secret has %d characters", len(secret))
	}
}
