package authn

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Session tokens are sealed with AES-256-GCM:
//
//	base64url( 0x02 | key ID (4) | nonce (12) | AES-GCM(claims) )
//
// with the version byte, the key ID and the issuer binding as additional
// data. The binding (tokenBinding) names the partition, the account and the
// deployment ID of the gateway that sealed the token, so a gateway of another
// account, partition or deployment that happens to share a session key
// cannot open it. The claims carry everything the verification of a later
// request needs (the temporary access key ID and secret, expiry, issue time,
// and the principal: role or user name, session name, session tags,
// transitive tag keys, source identity, session policy text and policy
// names, chaining), so gateway instances sharing the session keys need no
// shared state. Version 1 tokens (without the binding) no longer open.

const (
	tokenVersion   = 0x02
	tokenKeyIDLen  = 4
	tokenNonceLen  = 12
	tokenHeaderLen = 1 + tokenKeyIDLen + tokenNonceLen
	// maxTokenLen bounds the tokens we try to open (a session policy of 2,048
	// characters and 50 tags fit easily).
	maxTokenLen = 16 * 1024
)

// SessionKeys seal and open session tokens. The first key seals; every key
// opens, so keys rotate without breaking live sessions.
type SessionKeys struct {
	keys []sessionKey
}

type sessionKey struct {
	id   [tokenKeyIDLen]byte
	aead cipher.AEAD
}

// ParseSessionKeys parses base64 (standard or URL-safe, padded or not)
// encodings of 32-byte keys. The first key seals new tokens.
func ParseSessionKeys(keys []string) (*SessionKeys, error) {
	if len(keys) == 0 {
		return nil, errors.New("parsing session keys: no key given")
	}
	sk := &SessionKeys{}
	for i, k := range keys {
		raw, err := decodeKey(strings.TrimSpace(k))
		if err != nil {
			return nil, fmt.Errorf("parsing session key %d: %w", i+1, err)
		}
		if err := checkKeyStrength(raw); err != nil {
			return nil, fmt.Errorf("parsing session key %d: %w", i+1, err)
		}
		key, err := newSessionKey(raw)
		if err != nil {
			return nil, fmt.Errorf("parsing session key %d: %w", i+1, err)
		}
		for j, prev := range sk.keys {
			if prev.id == key.id {
				return nil, fmt.Errorf("parsing session key %d: same key as key %d", i+1, j+1)
			}
		}
		sk.keys = append(sk.keys, key)
	}
	return sk, nil
}

func newSessionKey(raw []byte) (sessionKey, error) {
	block, err := aes.NewCipher(raw)
	if err != nil {
		return sessionKey{}, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return sessionKey{}, err
	}
	h := sha256.Sum256(append([]byte("pinpointgw session key id\x00"), raw...))
	key := sessionKey{aead: aead}
	copy(key.id[:], h[:])
	return key, nil
}

// EphemeralSessionKeys returns one fresh random key: sessions it seals die
// with it (a restart) and open on no other instance. For development only.
func EphemeralSessionKeys() (*SessionKeys, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, fmt.Errorf("generating an ephemeral session key: %w", err)
	}
	key, err := newSessionKey(raw)
	if err != nil {
		return nil, err
	}
	return &SessionKeys{keys: []sessionKey{key}}, nil
}

// publishedKeys are session keys printed in this repository's history (the
// example key caddyfile.example once fell back to): anyone can seal tokens
// with them.
var publishedKeys = [][]byte{
	[]byte("EXAMPLE-session-key-do-not-use!!"),
}

// minDistinctKeyBytes is the fewest distinct byte values a session key may
// have. 32 random bytes have about 30; fewer than 8 happens by chance with a
// probability below 2^-100, so such a key was not drawn at random (all
// zeros, one repeated byte, a short repeated pattern).
const minDistinctKeyBytes = 8

var errWeakKey = errors.New("not a random key")

// checkKeyStrength refuses published keys and keys that are not random.
func checkKeyStrength(raw []byte) error {
	for _, p := range publishedKeys {
		if subtle.ConstantTimeCompare(raw, p) == 1 {
			return fmt.Errorf("%w: it is the example key published in this repository; generate one with `head -c 32 /dev/urandom | base64`", errWeakKey)
		}
	}
	var seen [256]bool
	n := 0
	for _, c := range raw {
		if !seen[c] {
			seen[c] = true
			n++
		}
	}
	if n < minDistinctKeyBytes {
		return fmt.Errorf("%w: only %d distinct byte values; generate one with `head -c 32 /dev/urandom | base64`", errWeakKey, n)
	}
	return nil
}

var errKeyEncoding = errors.New("want the standard or URL-safe base64 encoding of 32 bytes")

func decodeKey(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			if len(b) != 32 {
				return nil, fmt.Errorf("key is %d bytes: %w", len(b), errKeyEncoding)
			}
			return b, nil
		}
	}
	return nil, errKeyEncoding
}

// sessionClaims is the sealed content of a session token.
type sessionClaims struct {
	AccessKeyID       string
	Secret            string
	IssuedAt          time.Time
	Expires           time.Time
	Role              bool   // an assumed-role session (else a user's GetSessionToken session)
	Name              string // role name or user name
	SessionName       string
	SourceIdentity    string
	Tags              []Tag // session tags, in request order (inherited transitive tags first)
	TransitiveTagKeys []string
	Policy            string   // session policy document, "" for none
	PolicyNames       []string // store policies passed as PolicyArns
	Chained           bool     // assumed with role-session credentials
}

// Tag is one session or principal tag.
type Tag struct{ Key, Value string }

const claimsVersion = 1

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func (c *sessionClaims) marshal() []byte {
	b := make([]byte, 0, 256+len(c.Policy))
	b = append(b, claimsVersion)
	b = appendString(b, c.AccessKeyID)
	b = appendString(b, c.Secret)
	b = binary.AppendVarint(b, c.IssuedAt.Unix())
	b = binary.AppendVarint(b, c.Expires.Unix())
	var flags byte
	if c.Role {
		flags |= 1
	}
	if c.Chained {
		flags |= 2
	}
	b = append(b, flags)
	b = appendString(b, c.Name)
	b = appendString(b, c.SessionName)
	b = appendString(b, c.SourceIdentity)
	b = binary.AppendUvarint(b, uint64(len(c.Tags)))
	for _, t := range c.Tags {
		b = appendString(b, t.Key)
		b = appendString(b, t.Value)
	}
	b = binary.AppendUvarint(b, uint64(len(c.TransitiveTagKeys)))
	for _, k := range c.TransitiveTagKeys {
		b = appendString(b, k)
	}
	b = appendString(b, c.Policy)
	b = binary.AppendUvarint(b, uint64(len(c.PolicyNames)))
	for _, n := range c.PolicyNames {
		b = appendString(b, n)
	}
	return b
}

var errClaims = errors.New("malformed session claims")

// claimsReader decodes claims from one string, so every decoded field is a
// substring of it (one allocation for all the strings).
type claimsReader struct {
	s   string
	bad bool
}

func (r *claimsReader) uvarint(max uint64) uint64 {
	var v uint64
	for i := 0; i < len(r.s) && i < binary.MaxVarintLen64; i++ {
		c := r.s[i]
		v |= uint64(c&0x7f) << (7 * i)
		if c < 0x80 {
			if v > max || (i == binary.MaxVarintLen64-1 && c > 1) {
				break
			}
			r.s = r.s[i+1:]
			return v
		}
	}
	r.bad = true
	return 0
}

func (r *claimsReader) varint() int64 {
	ux := r.uvarint(^uint64(0))
	x := int64(ux >> 1)
	if ux&1 != 0 {
		x = ^x
	}
	return x
}

func (r *claimsReader) str() string {
	n := r.uvarint(maxTokenLen)
	if r.bad || n > uint64(len(r.s)) {
		r.bad = true
		return ""
	}
	v := r.s[:n]
	r.s = r.s[n:]
	return v
}

func (r *claimsReader) byte1() byte {
	if len(r.s) == 0 {
		r.bad = true
		return 0
	}
	c := r.s[0]
	r.s = r.s[1:]
	return c
}

func unmarshalClaims(b []byte) (*sessionClaims, error) {
	r := &claimsReader{s: string(b)}
	if r.byte1() != claimsVersion {
		return nil, errClaims
	}
	c := &sessionClaims{}
	c.AccessKeyID = r.str()
	c.Secret = r.str()
	c.IssuedAt = time.Unix(r.varint(), 0).UTC()
	c.Expires = time.Unix(r.varint(), 0).UTC()
	flags := r.byte1()
	c.Role, c.Chained = flags&1 != 0, flags&2 != 0
	c.Name = r.str()
	c.SessionName = r.str()
	c.SourceIdentity = r.str()
	if n := r.uvarint(maxSessionTags * 2); n > 0 && !r.bad {
		c.Tags = make([]Tag, n)
		for i := range c.Tags {
			c.Tags[i] = Tag{r.str(), r.str()}
		}
	}
	if n := r.uvarint(maxSessionTags * 2); n > 0 && !r.bad {
		c.TransitiveTagKeys = make([]string, n)
		for i := range c.TransitiveTagKeys {
			c.TransitiveTagKeys[i] = r.str()
		}
	}
	c.Policy = r.str()
	if n := r.uvarint(maxPolicyArns); n > 0 && !r.bad {
		c.PolicyNames = make([]string, n)
		for i := range c.PolicyNames {
			c.PolicyNames[i] = r.str()
		}
	}
	if r.bad || len(r.s) != 0 || c.AccessKeyID == "" || c.Secret == "" {
		return nil, errClaims
	}
	return c, nil
}

// tokenBinding is the additional data that binds a token to the gateway that
// sealed it: its partition, account and deployment ID.
func tokenBinding(partition, account, deploymentID string) []byte {
	b := append([]byte(nil), "pinpointgw session issuer\x00"...)
	b = appendString(b, partition)
	b = appendString(b, account)
	return appendString(b, deploymentID)
}

// tokenAD returns the additional data of a token: its header (version and key
// ID), then the issuer binding.
func tokenAD(header, binding []byte) []byte {
	ad := make([]byte, 0, len(header)+len(binding))
	return append(append(ad, header...), binding...)
}

// seal encrypts claims under the first key, bound to binding.
func (k *SessionKeys) seal(c *sessionClaims, binding []byte) (string, error) {
	key := k.keys[0]
	plain := c.marshal()
	out := make([]byte, tokenHeaderLen, tokenHeaderLen+len(plain)+key.aead.Overhead())
	out[0] = tokenVersion
	copy(out[1:], key.id[:])
	if _, err := rand.Read(out[1+tokenKeyIDLen : tokenHeaderLen]); err != nil {
		return "", fmt.Errorf("sealing session token: %w", err)
	}
	out = key.aead.Seal(out, out[1+tokenKeyIDLen:tokenHeaderLen], plain, tokenAD(out[:1+tokenKeyIDLen], binding))
	return base64.RawURLEncoding.EncodeToString(out), nil
}

var errToken = errors.New("invalid session token")

// open authenticates and decrypts a token sealed by any of the keys with the
// same binding.
func (k *SessionKeys) open(token string, binding []byte) (*sessionClaims, error) {
	if len(token) < 8 || len(token) > maxTokenLen {
		return nil, errToken
	}
	raw, err := tokenEncoding.DecodeString(token)
	if err != nil || len(raw) < tokenHeaderLen+16 || raw[0] != tokenVersion {
		return nil, errToken
	}
	for _, key := range k.keys {
		if [tokenKeyIDLen]byte(raw[1:1+tokenKeyIDLen]) != key.id {
			continue
		}
		plain, err := key.aead.Open(nil, raw[1+tokenKeyIDLen:tokenHeaderLen], raw[tokenHeaderLen:], tokenAD(raw[:1+tokenKeyIDLen], binding))
		if err != nil {
			return nil, errToken
		}
		c, err := unmarshalClaims(plain)
		if err != nil {
			return nil, errToken
		}
		return c, nil
	}
	return nil, errToken
}

var keyIDEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// newTemporaryCredentials returns a fresh ASIA access key ID (ASIA + 16 of
// A-Z2-7) and a 40-character secret.
func newTemporaryCredentials() (id, secret string, err error) {
	var b [10 + 30]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", "", fmt.Errorf("generating temporary credentials: %w", err)
	}
	return "ASIA" + keyIDEncoding.EncodeToString(b[:10]), base64.StdEncoding.EncodeToString(b[10:]), nil
}

// tokenEncoding decodes tokens strictly, so one token has one spelling.
var tokenEncoding = base64.RawURLEncoding.Strict()
