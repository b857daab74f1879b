package authn

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"hash"
	"net/http"
	"strings"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
)

// lookupFunc resolves an access key ID and the session token that came with
// it (or "") to its secret. It enforces the token rules: long-term keys must
// come without a token, temporary ones with the token sealed for them.
type lookupFunc func(accessKeyID, token string) (secret string, err *Error)

// verifier checks SigV4 signatures. It holds no credentials: lookup brings them.
type verifier struct {
	now           func() time.Time
	skew          time.Duration
	allowUnsigned bool
	// rawPaths disables path normalization (S3 style). Only tests of the
	// "-unnormalized" test-suite vectors set it; AWS's other services, and so
	// this gateway, normalize.
	rawPaths bool
	keys     *lru.Cache[keyCacheKey, keyCacheEntry]
}

// keyCacheKey identifies a derived signing key. The access key ID stands for
// the secret; the entry keeps the secret so a changed secret under the same ID
// is never served a stale key.
type keyCacheKey struct {
	accessKeyID string
	scope       Scope
}

type keyCacheEntry struct {
	secret string
	mac    *macKey
}

// macKey holds the HMAC-SHA256 states of a signing key after its inner and
// outer pads, so a signature costs two short hashes from cloned states.
type macKey struct {
	inner, outer hash.Cloner
}

func newMACKey(key []byte) *macKey {
	var ipad, opad [sha256.BlockSize]byte
	copy(ipad[:], key) // signing keys are 32 bytes, shorter than a block
	copy(opad[:], key)
	for i := range ipad {
		ipad[i] ^= 0x36
		opad[i] ^= 0x5c
	}
	in, out := sha256.New().(hash.Cloner), sha256.New().(hash.Cloner)
	in.Write(ipad[:])
	out.Write(opad[:])
	return &macKey{inner: in, outer: out}
}

// sum appends HMAC(key, msg) to b.
func (m *macKey) sum(b, msg []byte) []byte {
	in, err1 := m.inner.Clone()
	out, err2 := m.outer.Clone()
	if err1 != nil || err2 != nil {
		panic("sha256 state cannot be cloned")
	}
	in.Write(msg)
	var tmp [sha256.Size]byte
	out.Write(in.Sum(tmp[:0]))
	return out.Sum(b)
}

const keyCacheSize = 4096

func newVerifier(now func() time.Time, skew time.Duration, allowUnsigned bool) *verifier {
	c, err := lru.New[keyCacheKey, keyCacheEntry](keyCacheSize)
	if err != nil {
		panic(err) // only for a non-positive size
	}
	return &verifier{now: now, skew: skew, allowUnsigned: allowUnsigned, keys: c}
}

func (v *verifier) signingKey(accessKeyID, secret string, scope Scope) *macKey {
	ck := keyCacheKey{accessKeyID, scope}
	if e, ok := v.keys.Get(ck); ok && len(e.secret) == len(secret) && subtle.ConstantTimeCompare([]byte(e.secret), []byte(secret)) == 1 {
		return e.mac
	}
	k := newMACKey(SigningKey(secret, scope))
	v.keys.Add(ck, keyCacheEntry{secret: secret, mac: k})
	return k
}

// requestTarget returns the path and query exactly as the client sent them:
// from the request line when the server recorded it, else from r.URL.
func requestTarget(r *http.Request) (rawPath, rawQuery string) {
	if u := r.RequestURI; u != "" && u[0] == '/' {
		rawPath, rawQuery, _ = strings.Cut(u, "?")
		return rawPath, rawQuery
	}
	return r.URL.EscapedPath(), r.URL.RawQuery
}

// verify checks r's SigV4 signature over body and returns the parsed
// authorization with the body's hex SHA-256 (the real one, also when the
// request declared UNSIGNED-PAYLOAD), which forwarding signs again.
func (v *verifier) verify(r *http.Request, body []byte, lookup lookupFunc) (*Authorization, string, *Error) {
	rawPath, rawQuery := requestTarget(r)
	pairs, err := parseQuery(rawQuery)
	if err != nil {
		return nil, "", err
	}
	auth, err := readAuthorization(r, pairs)
	if err != nil {
		return nil, "", err
	}
	if err := checkSignedHeaders(r.Header, auth.SignedHeaders); err != nil {
		return nil, "", err
	}
	if err := checkQueryNames(pairs); err != nil {
		return nil, "", err
	}
	if err := v.checkDate(auth); err != nil {
		return nil, "", err
	}
	secret, err := lookup(auth.AccessKeyID, auth.SecurityToken)
	if err != nil {
		return nil, "", err
	}
	bodyHash := PayloadHash(body)
	payloadHash, err := v.signedPayloadHash(r, bodyHash)
	if err != nil {
		return nil, "", err
	}

	key := v.signingKey(auth.AccessKeyID, secret, auth.Scope)
	if v.signatureMatches(r, auth, key, rawPath, pairs, payloadHash, false) {
		return auth, bodyHash, nil
	}
	// A presigned URL whose session token was appended after signing (AWS
	// IoT's style, aws-c-auth's omit_session_token): the token is bound to its
	// access key by its seal, so leaving it unsigned grants nothing.
	if auth.Presigned && auth.SecurityToken != "" && v.signatureMatches(r, auth, key, rawPath, pairs, payloadHash, true) {
		return auth, bodyHash, nil
	}
	return nil, "", newError(SignatureDoesNotMatch, msgSignatureMismatch)
}

// readAuthorization reads the request's one SigV4 authorization: the
// Authorization header (with X-Amz-Date or Date, and X-Amz-Security-Token)
// or the presign query parameters, never both.
func readAuthorization(r *http.Request, pairs []queryPair) (*Authorization, *Error) {
	authHeader := r.Header.Values(headerAuthorization)
	presigned := hasPresignParams(pairs)
	switch {
	case len(authHeader) > 0 && presigned:
		return nil, incomplete("Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header should be specified.")
	case len(authHeader) > 1:
		return nil, incomplete("Only one Authorization header is allowed.")
	case len(authHeader) == 1:
		a, perr := ParseAuthorization(authHeader[0])
		if perr != nil {
			return nil, perr.(*Error)
		}
		var err *Error
		if a.Date, err = headerDateOf(r); err != nil {
			return nil, err
		}
		if tok := r.Header.Values(headerToken); len(tok) > 1 {
			return nil, newError(InvalidToken, msgInvalidToken)
		} else if len(tok) == 1 {
			a.SecurityToken = tok[0]
		}
		return a, nil
	case presigned:
		a, err := parsePresignPairs(pairs)
		if err != nil {
			return nil, err
		}
		if tok := r.Header.Values(headerToken); len(tok) > 0 && (len(tok) > 1 || tok[0] != a.SecurityToken) {
			return nil, newError(InvalidToken, msgInvalidToken)
		}
		return a, nil
	default:
		return nil, newError(MissingAuthentication, msgMissingAuth)
	}
}

// checkDate checks the signing time: ISO-8601 basic format, the scope's
// day, and within the clock skew (or the presigned URL's lifetime).
func (v *verifier) checkDate(auth *Authorization) *Error {
	t, perr := time.Parse(TimeFormat, auth.Date)
	if perr != nil {
		return incomplete("Date must be in ISO-8601 'basic format'. Got '" + auth.Date + "'. See http://en.wikipedia.org/wiki/ISO_8601")
	}
	if auth.Date[:8] != auth.Scope.Date {
		return newError(SignatureDoesNotMatch, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '"+
			auth.Scope.Date+"' != '"+auth.Date[:8]+"', from '"+auth.Date+"'.")
	}
	return v.checkTime(auth, t)
}

// signedPayloadHash returns the payload hash the signature covers: the
// body's SHA-256, which X-Amz-Content-Sha256 must equal when sent, or
// UNSIGNED-PAYLOAD where that is allowed (configured, and over TLS only).
func (v *verifier) signedPayloadHash(r *http.Request, bodyHash string) (string, *Error) {
	claimed := r.Header.Values(headerContentSHA256)
	switch {
	case len(claimed) == 0:
		return bodyHash, nil
	case len(claimed) > 1:
		return "", incomplete("Only one X-Amz-Content-Sha256 header is allowed.")
	case claimed[0] == UnsignedPayload:
		if !v.allowUnsigned {
			return "", newError(BadRequest, "UNSIGNED-PAYLOAD is not accepted: sign the request body.")
		}
		// The mapping decides on the body: unsigned, only TLS keeps
		// anyone on the path from swapping it.
		if r.TLS == nil {
			return "", newError(BadRequest, "UNSIGNED-PAYLOAD is accepted only over TLS: sign the request body.")
		}
		return UnsignedPayload, nil
	case !hmac.Equal([]byte(claimed[0]), []byte(bodyHash)):
		return "", newError(SignatureDoesNotMatch, "The provided 'x-amz-content-sha256' header does not match what was computed.")
	}
	return bodyHash, nil
}

// mustBeSigned reports whether a request header must be among the signed
// headers: Content-Type and every X-Amz-* header (X-Amz-Target selects the
// operation), spelled in any case. X-Amz-Security-Token is the exception:
// its value is sealed for the very access key that signed, so it grants
// nothing unsigned, and AWS accepts it so (the SigV4 test suite's
// post-sts-header-after).
func mustBeSigned(name string) bool {
	if isAmzName(name) {
		return len(name) != len(headerToken) || !strings.EqualFold(name, headerToken)
	}
	return len(name) == len("Content-Type") && strings.EqualFold(name, "Content-Type")
}

// isAmzName reports whether name starts with "X-Amz-", in any case.
func isAmzName(name string) bool {
	return len(name) > 6 && name[0]|0x20 == 'x' && name[1] == '-' && name[2]|0x20 == 'a' && name[3]|0x20 == 'm' && name[4]|0x20 == 'z' && name[5] == '-'
}

// checkSignedHeaders refuses a request carrying a header that must be signed
// (mustBeSigned) but is not among the signed ones, or that is spelled other
// than in its canonical form (net/http's server never does that; two
// spellings of one name would let a value escape the signature).
func checkSignedHeaders(h http.Header, signed []string) *Error {
	for name := range h {
		if !mustBeSigned(name) {
			continue
		}
		if !signedCanonical(signed, name) {
			return newError(SignatureDoesNotMatch, "'"+sanitizeHeaderName(name)+"' must be a 'SignedHeader' in the AWS Authorization.")
		}
	}
	return nil
}

// signedCanonical reports whether name is the canonical spelling (as
// http.CanonicalHeaderKey writes it: upper case at the start and after each
// '-', lower case elsewhere) of one of the signed headers, which are lower
// case.
func signedCanonical(signed []string, name string) bool {
	for _, s := range signed {
		if len(s) != len(name) {
			continue
		}
		upper := true
		i := 0
		for ; i < len(s); i++ {
			want := s[i]
			if upper && want >= 'a' && want <= 'z' {
				want -= 'a' - 'A'
			}
			if name[i] != want {
				break
			}
			upper = want == '-'
		}
		if i == len(s) {
			return true
		}
	}
	return false
}

// sanitizeHeaderName returns a header name for an error message: lower case,
// at most 64 bytes, only visible ASCII.
func sanitizeHeaderName(name string) string {
	if len(name) > 64 {
		name = name[:64]
	}
	b := make([]byte, 0, len(name))
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		case c <= ' ' || c >= 0x7f || c == '\'':
			c = '?'
		}
		b = append(b, c)
	}
	return string(b)
}

// checkQueryNames refuses query parameters named X-Amz-* (in any case) other
// than SigV4's own: a header value such as X-Amz-Target must not travel in the
// query, where the operation mapping does not look but AWS might.
func checkQueryNames(pairs []queryPair) *Error {
	for _, p := range pairs {
		if !isAmzName(p.key) {
			continue
		}
		switch p.key {
		case queryAlgorithm, queryCredential, queryDate, queryExpires, querySignedHeaders, querySignature, queryToken:
			continue
		}
		return newError(BadRequest, "The query parameter '"+sanitizeHeaderName(p.key)+"' is not accepted: X-Amz-* values are read from signed headers only.")
	}
	return nil
}

// headerDateOf returns the request date of the header form: X-Amz-Date, or
// else the Date header converted to the basic format.
func headerDateOf(r *http.Request) (string, *Error) {
	if d := r.Header.Values(headerDate); len(d) > 0 {
		if len(d) > 1 {
			return "", incomplete("Only one X-Amz-Date header is allowed.")
		}
		return d[0], nil
	}
	if d := r.Header.Get("Date"); d != "" {
		t, err := http.ParseTime(d)
		if err != nil {
			return "", incomplete("Date header must be an HTTP date.")
		}
		return t.UTC().Format(TimeFormat), nil
	}
	return "", incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
}

func (v *verifier) checkTime(auth *Authorization, t time.Time) *Error {
	now := v.now().UTC()
	const minutes = " min.)"
	skewText := func() string { return itoa(int(v.skew / time.Minute)) }
	if t.After(now.Add(v.skew)) {
		return newError(RequestExpired, "Signature not yet current: "+auth.Date+" is still later than "+
			now.Add(v.skew).Format(TimeFormat)+" ("+now.Format(TimeFormat)+" + "+skewText()+minutes)
	}
	if auth.Presigned && auth.Expires > 0 {
		if now.After(t.Add(time.Duration(auth.Expires) * time.Second)) {
			return newError(RequestExpired, msgPresignExpired)
		}
		return nil
	}
	if t.Before(now.Add(-v.skew)) {
		return newError(RequestExpired, "Signature expired: "+auth.Date+" is now earlier than "+
			now.Add(-v.skew).Format(TimeFormat)+" ("+now.Format(TimeFormat)+" - "+skewText()+minutes)
	}
	return nil
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	neg := n < 0
	if neg {
		n = -n
	}
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}

// signatureMatches builds the canonical request and the string to sign on
// the stack (a canonical request longer than crBuf grows onto the heap) and
// compares the signature in constant time.
func (v *verifier) signatureMatches(r *http.Request, auth *Authorization, key *macKey, rawPath string, pairs []queryPair, payloadHash string, omitToken bool) bool {
	var crBuf [1024]byte
	b := append(crBuf[:0], r.Method...)
	b = append(b, '\n')
	b = appendCanonicalURI(b, rawPath, !v.rawPaths)
	b = append(b, '\n')
	b = appendCanonicalQuery(b, pairs, omitToken)
	b = append(b, '\n')
	b = appendCanonicalHeaders(b, r, auth.SignedHeaders)
	b = append(b, '\n')
	b = appendSignedHeaders(b, auth.SignedHeaders)
	b = append(b, '\n')
	b = append(b, payloadHash...)
	crHash := sha256.Sum256(b)

	// The string to sign and the signature share one array: the HMAC's
	// hash interface takes it to the heap, once.
	var buf [256 + sha256.Size]byte
	sts := appendStringToSign(buf[:0:256], auth.Date, auth.Scope, crHash)
	mac := key.sum(buf[256:256], sts)
	var want [64]byte
	hex.Encode(want[:], mac)
	return subtle.ConstantTimeCompare(want[:], []byte(auth.Signature)) == 1
}
