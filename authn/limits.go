package authn

import (
	"time"
	"unicode"
)

// Limits of STS, as AWS sets them.
const (
	maxSessionTags        = 50
	maxTagKeyLen          = 128
	maxTagValueLen        = 256
	maxPolicyArns         = 10
	maxSessionPolicyLen   = 2048
	minSessionDuration    = 900 * time.Second
	defaultRoleDuration   = time.Hour
	maxRoleMaxDuration    = 12 * time.Hour
	chainedMaxDuration    = time.Hour
	defaultSessionToken   = 12 * time.Hour
	maxSessionTokenPeriod = 129600 * time.Second
)

// isLetterOrNumber reports Unicode letters, numbers and space separators.
func isLetterOrNumber(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Zs, r)
}
