package authn

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The SigV4 steps, in the order of the specification: credential scope,
// canonical URI, canonical query, canonical headers, canonical request, string
// to sign, signing key, signature. Each step is a small function tested on its
// own against the published test suite.

const (
	// Algorithm is the only signing algorithm accepted.
	Algorithm = "AWS4-HMAC-SHA256"
	// TimeFormat is the ISO 8601 basic format of X-Amz-Date.
	TimeFormat = "20060102T150405Z"
	dateFormat = "20060102"
	terminator = "aws4_request"

	// EmptyPayloadHash is the hex SHA-256 of an empty body.
	EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	// UnsignedPayload is the payload hash that leaves the body unsigned.
	UnsignedPayload = "UNSIGNED-PAYLOAD"

	// MaxPresignExpires is the longest validity of a presigned request (7 days).
	MaxPresignExpires = 7 * 24 * 3600

	headerAuthorization = "Authorization"
	headerDate          = "X-Amz-Date"
	headerToken         = "X-Amz-Security-Token"
	headerContentSHA256 = "X-Amz-Content-Sha256"

	queryAlgorithm     = "X-Amz-Algorithm"
	queryCredential    = "X-Amz-Credential"
	queryDate          = "X-Amz-Date"
	queryExpires       = "X-Amz-Expires"
	querySignedHeaders = "X-Amz-SignedHeaders"
	querySignature     = "X-Amz-Signature"
	queryToken         = "X-Amz-Security-Token"
)

// Scope is a SigV4 credential scope: DATE/REGION/SERVICE/aws4_request.
type Scope struct {
	Date    string // YYYYMMDD
	Region  string
	Service string
}

// String returns the scope as it appears in the string to sign.
func (s Scope) String() string {
	return s.Date + "/" + s.Region + "/" + s.Service + "/" + terminator
}

// Authorization is the signing information a request carries, from either the
// Authorization header or the presigned query parameters.
type Authorization struct {
	AccessKeyID   string
	Scope         Scope
	SignedHeaders []string // lower case, sorted, without duplicates
	Signature     string   // 64 lower-case hex digits
	Presigned     bool
	// Presigned form only:
	Date          string // X-Amz-Date
	Expires       int    // X-Amz-Expires, seconds; 0 when absent (then valid within the clock skew, as a signed header request)
	SecurityToken string // X-Amz-Security-Token, "" if absent
}

func incomplete(msg string) *Error { return newError(IncompleteSignature, msg) }

// ParseCredential parses "AKID/DATE/REGION/SERVICE/aws4_request".
func ParseCredential(s string) (accessKeyID string, scope Scope, err *Error) {
	var parts [5]string
	rest := s
	for i := 0; i < 4; i++ {
		p, r, ok := strings.Cut(rest, "/")
		if !ok {
			return "", Scope{}, incomplete("Credential should have exactly 5 slash-separated components: ACCESS_KEY/DATE/REGION/SERVICE/aws4_request.")
		}
		parts[i], rest = p, r
	}
	parts[4] = rest
	if parts[4] != terminator {
		return "", Scope{}, incomplete("Credential should be scoped with a valid terminator: 'aws4_request'.")
	}
	if parts[0] == "" {
		return "", Scope{}, incomplete("Credential is missing the access key ID.")
	}
	if len(parts[1]) != 8 || !allDigits(parts[1]) {
		return "", Scope{}, incomplete("Credential should be scoped to a valid date (YYYYMMDD).")
	}
	if !validScopeName(parts[2]) {
		return "", Scope{}, incomplete("Credential should be scoped to a valid region.")
	}
	if !validScopeName(parts[3]) {
		return "", Scope{}, incomplete("Credential should be scoped to correct service.")
	}
	return parts[0], Scope{Date: parts[1], Region: parts[2], Service: parts[3]}, nil
}

func validScopeName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseSignedHeaders parses "host;x-amz-date": lower case, sorted, no
// duplicates, and host must be among them.
func parseSignedHeaders(s string) ([]string, *Error) {
	if s == "" {
		return nil, incomplete("SignedHeaders must not be empty.")
	}
	names := strings.Split(s, ";")
	host := false
	for i, n := range names {
		if n == "" {
			return nil, incomplete("SignedHeaders contains an empty header name.")
		}
		for j := 0; j < len(n); j++ {
			c := n[j]
			if c >= 'A' && c <= 'Z' || c <= ' ' || c >= 0x7f || c == ':' {
				return nil, incomplete("SignedHeaders must list lower-case header names.")
			}
		}
		if i > 0 && names[i-1] >= n {
			return nil, incomplete("SignedHeaders must be sorted and without duplicates.")
		}
		if n == "host" {
			host = true
		}
	}
	if !host {
		return nil, newError(SignatureDoesNotMatch, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
	}
	return names, nil
}

func validSignature(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// ParseAuthorization parses the Authorization header form:
//
//	AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=hex
//
// Errors are *Error of kind IncompleteSignature (or SignatureDoesNotMatch when
// host is not signed); a nil error means every field is present and well formed.
func ParseAuthorization(header string) (*Authorization, error) {
	alg, rest, ok := strings.Cut(header, " ")
	if !ok || alg != Algorithm {
		return nil, incomplete("Unsupported AWS 'algorithm': the Authorization header must start with '" + Algorithm + " '.")
	}
	var cred, signed, sig string
	var haveCred, haveSigned, haveSig bool
	for part := range strings.SplitSeq(rest, ",") {
		part = strings.TrimSpace(part)
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			return nil, incomplete("Authorization header components must be Key=Value pairs separated by commas.")
		}
		switch k {
		case "Credential":
			if haveCred {
				return nil, incomplete("Authorization header has a duplicate 'Credential' parameter.")
			}
			cred, haveCred = v, true
		case "SignedHeaders":
			if haveSigned {
				return nil, incomplete("Authorization header has a duplicate 'SignedHeaders' parameter.")
			}
			signed, haveSigned = v, true
		case "Signature":
			if haveSig {
				return nil, incomplete("Authorization header has a duplicate 'Signature' parameter.")
			}
			sig, haveSig = v, true
		default:
			return nil, incomplete("Authorization header has an unknown parameter.")
		}
	}
	var missing []string
	if !haveCred {
		missing = append(missing, "Authorization header requires 'Credential' parameter.")
	}
	if !haveSig {
		missing = append(missing, "Authorization header requires 'Signature' parameter.")
	}
	if !haveSigned {
		missing = append(missing, "Authorization header requires 'SignedHeaders' parameter.")
	}
	if len(missing) > 0 {
		return nil, incomplete(strings.Join(missing, " "))
	}
	a := &Authorization{Signature: sig}
	var err *Error
	if a.AccessKeyID, a.Scope, err = ParseCredential(cred); err != nil {
		return nil, err
	}
	if a.SignedHeaders, err = parseSignedHeaders(signed); err != nil {
		return nil, err
	}
	if !validSignature(sig) {
		return nil, incomplete("Signature must be 64 lower-case hexadecimal digits.")
	}
	return a, nil
}

// hasPresignParams reports whether decoded query pairs carry presign
// parameters.
func hasPresignParams(pairs []queryPair) bool {
	for _, p := range pairs {
		if p.key == queryAlgorithm || p.key == queryCredential || p.key == querySignature {
			return true
		}
	}
	return false
}

// ParsePresign parses the presigned query form (X-Amz-Algorithm,
// X-Amz-Credential, X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders,
// X-Amz-Signature and the optional X-Amz-Security-Token) from a raw query
// string. Each parameter must appear at most once; X-Amz-Expires, when
// present (the SDKs' presigned STS calls leave it out), must be between 1 and
// 604800 seconds (7 days).
func ParsePresign(rawQuery string) (*Authorization, error) {
	pairs, qerr := parseQuery(rawQuery)
	if qerr != nil {
		return nil, qerr
	}

	a, err := parsePresignPairs(pairs)
	if err != nil {
		return nil, err
	}
	return a, nil
}

func parsePresignPairs(pairs []queryPair) (*Authorization, *Error) {
	var vals [7]string
	var seen [7]bool
	names := [7]string{queryAlgorithm, queryCredential, queryDate, queryExpires, querySignedHeaders, querySignature, queryToken}
	for _, p := range pairs {
		for i, n := range names {
			if p.key == n {
				if seen[i] {
					return nil, incomplete("Query-string authentication has a duplicate '" + n + "' parameter.")
				}
				seen[i], vals[i] = true, p.value
			}
		}
	}
	var missing []string
	for i, n := range names[:6] {
		if !seen[i] && n != queryExpires {
			missing = append(missing, "AWS query-string parameters must include '"+n+"'.")
		}
	}
	if len(missing) > 0 {
		return nil, incomplete(strings.Join(missing, " ") + " Re-examine the query-string parameters.")
	}
	if vals[0] != Algorithm {
		return nil, incomplete("X-Amz-Algorithm only supports '" + Algorithm + "'.")
	}
	a := &Authorization{Presigned: true, Signature: vals[5], Date: vals[2], SecurityToken: vals[6]}
	var err *Error
	if a.AccessKeyID, a.Scope, err = ParseCredential(vals[1]); err != nil {
		return nil, err
	}
	if a.SignedHeaders, err = parseSignedHeaders(vals[4]); err != nil {
		return nil, err
	}
	if !validSignature(vals[5]) {
		return nil, incomplete("X-Amz-Signature must be 64 lower-case hexadecimal digits.")
	}
	if seen[3] {
		exp, perr := strconv.Atoi(vals[3])
		if perr != nil || exp < 1 || len(vals[3]) > 7 {
			return nil, incomplete("X-Amz-Expires should be a number of seconds.")
		}
		if exp > MaxPresignExpires {
			return nil, incomplete("X-Amz-Expires must be less than a week (in seconds) that is 604800")
		}
		a.Expires = exp
	}
	if _, terr := time.Parse(TimeFormat, a.Date); terr != nil {
		return nil, incomplete("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")
	}
	return a, nil
}

// queryPair is one decoded query parameter.
type queryPair struct{ key, value string }

// parseQuery splits a raw query string into decoded pairs, in order. A
// parameter without '=' has an empty value; '+' decodes to a space, as the
// AWS SDKs' signers read it. Malformed percent escapes are an error.
func parseQuery(raw string) ([]queryPair, *Error) {
	if raw == "" {
		return nil, nil
	}
	pairs := make([]queryPair, 0, strings.Count(raw, "&")+1)
	for piece := range strings.SplitSeq(raw, "&") {
		if piece == "" {
			continue
		}
		k, v, _ := strings.Cut(piece, "=")
		dk, ok1 := unescape(k)
		dv, ok2 := unescape(v)
		if !ok1 || !ok2 {
			return nil, newError(BadRequest, "The query string contains a malformed percent-encoding.")
		}
		pairs = append(pairs, queryPair{dk, dv})
	}
	return pairs, nil
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// unescape percent-decodes s, with '+' as a space.
func unescape(s string) (string, bool) {
	if !strings.ContainsAny(s, "%+") {
		return s, true
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '+':
			b = append(b, ' ')
		case '%':
			if i+2 >= len(s) {
				return "", false
			}
			h, ok1 := unhex(s[i+1])
			l, ok2 := unhex(s[i+2])
			if !ok1 || !ok2 {
				return "", false
			}
			b = append(b, h<<4|l)
			i += 2
		default:
			b = append(b, c)
		}
	}
	return string(b), true
}

const upperhex = "0123456789ABCDEF"

func unreserved(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~'
}

// appendURIEncode appends s encoded as SigV4's UriEncode: every byte but the
// unreserved characters (and '/' when keepSlash) as %XX with upper-case hex.
func appendURIEncode(b []byte, s string, keepSlash bool) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) || keepSlash && c == '/' {
			b = append(b, c)
		} else {
			b = append(b, '%', upperhex[c>>4], upperhex[c&15])
		}
	}
	return b
}

// NormalizePath removes "." and ".." segments and empty segments from a
// request path, keeping a leading and a trailing slash, as AWS services other
// than S3 do before signing. The result of an empty path is "/".
func NormalizePath(p string) string {
	if p == "" {
		return "/"
	}
	// Fast path: nothing to normalize.
	if !strings.Contains(p, "//") && !strings.Contains(p, "/.") && p[0] == '/' && p != "/." {
		return p
	}
	segs := make([]string, 0, strings.Count(p, "/")+1)
	for s := range strings.SplitSeq(p, "/") {
		switch s {
		case "", ".":
		case "..":
			if len(segs) > 0 {
				segs = segs[:len(segs)-1]
			}
		default:
			segs = append(segs, s)
		}
	}
	var b strings.Builder
	if p[0] == '/' {
		b.WriteByte('/')
	}
	b.WriteString(strings.Join(segs, "/"))
	if p[len(p)-1] == '/' && len(segs) > 0 {
		b.WriteByte('/')
	}
	if b.Len() == 0 {
		return "/"
	}
	return b.String()
}

// CanonicalURI returns the canonical URI of a request path exactly as it was
// sent on the wire (still percent-encoded): normalized when normalize is true,
// then URI-encoded once more, so an escape "%20" becomes "%2520" (the double
// encoding of every AWS service but S3).
func CanonicalURI(rawPath string, normalize bool) string {
	return string(appendCanonicalURI(nil, rawPath, normalize))
}

func appendCanonicalURI(b []byte, rawPath string, normalize bool) []byte {
	if normalize {
		rawPath = NormalizePath(rawPath)
	} else if rawPath == "" {
		rawPath = "/"
	}
	return appendURIEncode(b, rawPath, true)
}

// CanonicalQuery returns the canonical query string of a raw query: every
// parameter decoded and re-encoded, sorted by name then value, joined with
// '&'. For the presigned form X-Amz-Signature is left out (and
// X-Amz-Security-Token too when omitToken is set).
func CanonicalQuery(rawQuery string, omitToken bool) (string, error) {
	pairs, err := parseQuery(rawQuery)
	if err != nil {
		return "", err
	}
	return string(appendCanonicalQuery(nil, pairs, omitToken)), nil
}

func appendCanonicalQuery(b []byte, pairs []queryPair, omitToken bool) []byte {
	if len(pairs) == 0 {
		return b
	}
	type enc struct{ k, v string }
	var stack [16]enc
	list := stack[:0]
	for _, p := range pairs {
		if p.key == querySignature || omitToken && p.key == queryToken {
			continue
		}
		list = append(list, enc{uriEncodeString(p.key), uriEncodeString(p.value)})
	}
	if len(list) > 1 {
		slices.SortFunc(list, func(x, y enc) int {
			if c := strings.Compare(x.k, y.k); c != 0 {
				return c
			}
			return strings.Compare(x.v, y.v)
		})
	}
	for i, e := range list {
		if i > 0 {
			b = append(b, '&')
		}
		b = append(b, e.k...)
		b = append(b, '=')
		b = append(b, e.v...)
	}
	return b
}

func uriEncodeString(s string) string {
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) {
			return string(appendURIEncode(make([]byte, 0, len(s)+16), s, false))
		}
	}
	return s
}

// appendHeaderValue appends v trimmed, with every run of white space inside
// collapsed into one space.
func appendHeaderValue(b []byte, v string) []byte {
	space := false
	start := len(b)
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			space = true
			continue
		}
		if space && len(b) > start {
			b = append(b, ' ')
		}
		space = false
		b = append(b, c)
	}
	return b
}

// headerValues returns the values of a signed header of r. Go keeps Host
// outside r.Header, so host comes from r.Host (or r.URL.Host).
func headerValues(r *http.Request, name string) []string {
	switch name {
	case "host":
		h := r.Host
		if h == "" && r.URL != nil {
			h = r.URL.Host
		}
		return []string{h}
	case "content-length":
		if v := r.Header.Values("Content-Length"); len(v) > 0 {
			return v
		}
		if r.ContentLength >= 0 {
			return []string{strconv.FormatInt(r.ContentLength, 10)}
		}
		return nil
	}
	if v, ok := r.Header[http.CanonicalHeaderKey(name)]; ok {
		return v
	}
	// Header maps built by hand may hold non-canonical keys.
	for k, v := range r.Header {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return nil
}

// CanonicalHeaders returns the canonical headers block ("name:value\n" for
// every signed header, values trimmed, inner white space collapsed, repeated
// headers joined with ',').
func CanonicalHeaders(r *http.Request, signed []string) string {
	return string(appendCanonicalHeaders(nil, r, signed))
}

func appendCanonicalHeaders(b []byte, r *http.Request, signed []string) []byte {
	for _, name := range signed {
		b = append(b, name...)
		b = append(b, ':')
		if name == "host" {
			h := r.Host
			if h == "" && r.URL != nil {
				h = r.URL.Host
			}
			b = appendHeaderValue(b, h)
			b = append(b, '\n')
			continue
		}
		for i, v := range headerValues(r, name) {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendHeaderValue(b, v)
		}
		b = append(b, '\n')
	}
	return b
}

// CanonicalRequest joins the parts of the canonical request:
// METHOD\nURI\nQUERY\nHEADERS\nSIGNEDHEADERS\nPAYLOADHASH (HEADERS ends with
// its own newline).
func CanonicalRequest(method, canonicalURI, canonicalQuery, canonicalHeaders string, signedHeaders []string, payloadHash string) string {
	b := make([]byte, 0, 256)
	b = appendCanonicalRequestParts(b, method, canonicalURI, canonicalQuery, canonicalHeaders, signedHeaders, payloadHash)
	return string(b)
}

func appendCanonicalRequestParts(b []byte, method, uri, query, headers string, signed []string, payloadHash string) []byte {
	b = append(b, method...)
	b = append(b, '\n')
	b = append(b, uri...)
	b = append(b, '\n')
	b = append(b, query...)
	b = append(b, '\n')
	b = append(b, headers...)
	b = append(b, '\n')
	b = appendSignedHeaders(b, signed)
	b = append(b, '\n')
	b = append(b, payloadHash...)
	return b
}

func appendSignedHeaders(b []byte, signed []string) []byte {
	for i, s := range signed {
		if i > 0 {
			b = append(b, ';')
		}
		b = append(b, s...)
	}
	return b
}

// StringToSign returns AWS4-HMAC-SHA256\nDATE\nSCOPE\nhex(SHA256(canonicalRequest)).
func StringToSign(amzDate string, scope Scope, canonicalRequest string) string {
	return string(appendStringToSign(nil, amzDate, scope, sha256.Sum256([]byte(canonicalRequest))))
}

func appendStringToSign(b []byte, amzDate string, scope Scope, crHash [32]byte) []byte {
	b = append(b, Algorithm...)
	b = append(b, '\n')
	b = append(b, amzDate...)
	b = append(b, '\n')
	b = append(b, scope.Date...)
	b = append(b, '/')
	b = append(b, scope.Region...)
	b = append(b, '/')
	b = append(b, scope.Service...)
	b = append(b, "/"+terminator+"\n"...)
	return hex.AppendEncode(b, crHash[:])
}

func hmacSHA256(key []byte, data []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(data)
	return m.Sum(nil)
}

// SigningKey derives the signing key of a secret for a scope:
// HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service), "aws4_request").
func SigningKey(secret string, scope Scope) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), []byte(scope.Date))
	k = hmacSHA256(k, []byte(scope.Region))
	k = hmacSHA256(k, []byte(scope.Service))
	return hmacSHA256(k, []byte(terminator))
}

// Signature returns hex(HMAC(signingKey, stringToSign)).
func Signature(signingKey []byte, stringToSign string) string {
	return hex.EncodeToString(hmacSHA256(signingKey, []byte(stringToSign)))
}

// PayloadHash returns the hex SHA-256 of a request body, as SigV4 signs it.
func PayloadHash(body []byte) string {
	if len(body) == 0 {
		return EmptyPayloadHash
	}
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}
