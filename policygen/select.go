package policygen

import (
	"errors"
	"fmt"
	"strings"

	"github.com/pinpointgw/gateway/replay"
)

// Selector says whose calls a policy is generated from. Exactly one of Principal, Role and
// TagKey is set.
type Selector struct {
	// Principal is a principal ARN, matched exactly against the record's principal_arn: a
	// user, or one role session.
	Principal string
	// Role is a role ARN: every session of the role (the record's role_arn).
	Role string
	// TagKey and TagValue select every session carrying this session tag. The key is matched
	// case-insensitively (IAM tag keys are), the value exactly.
	TagKey, TagValue string
}

// ErrSelector is wrapped by every error about a selector.
var ErrSelector = errors.New("invalid selection")

// ParseSessionTag parses "key=value" into a Selector on a session tag.
func ParseSessionTag(s string) (Selector, error) {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return Selector{}, fmt.Errorf("%w: session tag %q is not key=value", ErrSelector, s)
	}
	return Selector{TagKey: k, TagValue: v}, nil
}

// Validate checks that exactly one selection is made.
func (s Selector) Validate() error {
	n := 0
	for _, set := range []bool{s.Principal != "", s.Role != "", s.TagKey != ""} {
		if set {
			n++
		}
	}
	if n != 1 {
		return fmt.Errorf("%w: give exactly one of a principal ARN, a role ARN or a session tag", ErrSelector)
	}
	return nil
}

// String describes the selection for messages.
func (s Selector) String() string {
	switch {
	case s.Principal != "":
		return "principal " + s.Principal
	case s.Role != "":
		return "role " + s.Role
	case s.TagKey != "":
		return "session tag " + s.TagKey + "=" + s.TagValue
	}
	return "nothing"
}

// Match reports whether r belongs to the selection.
func (s Selector) Match(r *replay.Record) bool {
	switch {
	case s.Principal != "":
		return r.PrincipalARN == s.Principal
	case s.Role != "":
		return r.RoleARN == s.Role
	case s.TagKey != "":
		for k, v := range r.SessionTags {
			if strings.EqualFold(k, s.TagKey) && v == s.TagValue {
				return true
			}
		}
	}
	return false
}
