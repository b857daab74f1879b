package apimap

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// fromOrigination appends the ARN of the origination identity in member
// rs.member, typed by its form (see originationForm and the package
// documentation). A phone number, or a bare sender ID without an
// IsoCountryCode, yields a provisional ARN that is recorded in Unresolved.
// A short pool-, phone- or rcs- value has two readings (maybeSenderID).
func (m *mapper) fromOrigination(arns []string, rs *resSpec) ([]string, error) {
	// Fast path: a pool-, phone- or rcs- ID without escapes, too long to be
	// a sender ID (as real IDs are), is copied once, into the ARN.
	raw, err := m.body.get(rs.member)
	if err != nil {
		return nil, err
	}
	if raw != nil && jsonKind(raw) == 's' {
		in := raw[1 : len(raw)-1]
		if t := idPrefixTemplate(in); t != nil && !(senderIDShaped(in) && noSenderID[m.op.name] == "") && bytes.IndexByte(in, '\\') < 0 && utf8.Valid(in) {
			if err := checkID(in); err != nil {
				return nil, badRequest("member %s: %v", rs.member, err)
			}
			arn := t.buildRaw(m.partition, m.req.Region, m.req.Account, in)
			m.param(rs.member, idSuffix(arn, in))
			return append(arns, arn), nil
		}
	}
	s, ok, err := m.body.getString(rs.member)
	if err != nil {
		return nil, err
	}
	if !ok {
		if rs.required {
			return nil, badRequest("member %s is required", rs.member)
		}
		return arns, nil
	}
	form, err := originationForm(s)
	if err != nil {
		return nil, badRequest("member %s: %v", rs.member, err)
	}
	m.param(rs.member, s)
	svc := SigningName(m.op.api)
	switch form {
	case "arn":
		if err := m.typedARN(s, originationTypeList, rs.member); err != nil {
			return nil, err
		}
		return append(arns, s), nil
	case "Pool", "PhoneNumber", "RcsAgent":
		arns = append(arns, idPrefixTemplate([]byte(s)).build(m.partition, m.req.Region, m.req.Account, []string{s}))
		if !m.maybeSenderID(s) {
			return arns, nil
		}
		// Both readings: see maybeSenderID.
		return m.senderIDReading(arns, svc, s, true)
	case "phone-number":
		m.res.Unresolved = append(m.res.Unresolved, Unresolved{Resource: len(arns), Form: "phone-number", Value: s})
		return append(arns, m.regionalARN(svc, "phone-number/", s)), nil
	}
	return m.senderIDReading(arns, svc, s, false)
}

// senderIDReading appends the ARN of s read as a sender ID: complete with
// the request's IsoCountryCode, else provisional, with an Unresolved entry.
// alternative says that arns already holds the ARN of s read as an ID: the
// entry is then Alternative, and recorded even for a complete ARN, since
// the sender-ID reading exists only if the account has that sender ID in
// that country (the resolver checks).
func (m *mapper) senderIDReading(arns []string, svc, s string, alternative bool) ([]string, error) {
	if iso, ok, err := m.body.getString("IsoCountryCode"); err != nil {
		return nil, err
	} else if ok && m.hasMember("IsoCountryCode") {
		if !isISOCountry(iso) {
			return nil, badRequest("IsoCountryCode %q is not two capital letters", iso)
		}
		if alternative {
			m.res.Unresolved = append(m.res.Unresolved, Unresolved{Resource: len(arns), Form: "sender-id", Value: s, Alternative: true})
		}
		return append(arns, m.regionalARN(svc, "sender-id/", s+"/"+iso)), nil
	}
	m.res.Unresolved = append(m.res.Unresolved, Unresolved{Resource: len(arns), Form: "sender-id", Value: s, Alternative: alternative})
	return append(arns, m.regionalARN(svc, "sender-id/", s)), nil
}

// maybeSenderID reports whether an ID-prefixed value (pool-, phone-,
// rcs-) could also be a sender ID in this operation's origination member.
//
// Where AWS documents it, the gateway decides as AWS does:
//   - the model's SenderId shape (RequestSenderId's SenderId) is 1 to 11
//     characters of [A-Za-z0-9_-], so "pool-x", "phone-y" or "rcs-z" are
//     legal sender IDs, and a longer value is the ID only (real pool, phone
//     number and RCS agent IDs are far longer, so this is the common case);
//   - an operation whose member documentation lists the accepted forms
//     without SenderId takes no sender ID (noSenderID).
//
// For the rest AWS documents no precedence: the OriginationIdentity members
// of the SMS and Voice v2 API reference (API_SendTextMessage.html,
// API_SendMediaMessage.html, API_CreatePool.html,
// API_AssociateOriginationIdentity.html, ... under
// https://docs.aws.amazon.com/pinpoint/latest/apireference_smsvoicev2/)
// list "PhoneNumberId ... SenderId ... PoolId" side by side, and the
// models give no ID format. So the mapping yields both readings, the ID's
// ARN and the sender ID's, in the same permission, and the request must be
// allowed on both. The member's IAM resource types do not decide: those of
// SendMediaMessage lack SenderId although its documentation accepts one,
// and an extra reading can only deny more.
func (m *mapper) maybeSenderID(s string) bool {
	return senderIDShaped(s) && noSenderID[m.op.name] == ""
}

// senderIDShaped reports whether s fits the model's SenderId shape.
func senderIDShaped[S ~string | ~[]byte](s S) bool {
	if len(s) == 0 || len(s) > 11 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// noSenderID lists the SMS and Voice v2 operations whose origination
// member AWS documents without SenderId among its forms, with the page
// that says so: a pool-, phone- or rcs- value there is the ID only.
var noSenderID = map[string]string{
	// "The origination identity to use for the voice call. This can be the
	// PhoneNumber, PhoneNumberId, PhoneNumberArn, PoolId, or PoolArn."
	"SendVoiceMessage": "https://docs.aws.amazon.com/pinpoint/latest/apireference_smsvoicev2/API_SendVoiceMessage.html",
	// "This can be either the RcsAgentId, RcsAgentArn, PoolId, or PoolArn."
	"SendRcsMessage": "https://docs.aws.amazon.com/pinpoint/latest/apireference_smsvoicev2/API_SendRcsMessage.html",
	// "such as a PhoneNumberId, PhoneNumberArn, PoolId or PoolArn"
	"DeleteKeyword": "https://docs.aws.amazon.com/pinpoint/latest/apireference_smsvoicev2/API_DeleteKeyword.html",
}

var originationTypeList = []string{"PhoneNumber", "Pool", "SenderId", "RcsAgent"}

// Templates of the origination identity types typed by an ID prefix; set by
// compileTables.
var poolTemplate, phoneTemplate, rcsTemplate *arnTemplate

// idPrefixTemplate returns the template of the resource type that an ID with
// this prefix names (pool-, phone-, rcs-), or nil.
func idPrefixTemplate(id []byte) *arnTemplate {
	switch {
	case bytes.HasPrefix(id, []byte("pool-")):
		return poolTemplate
	case bytes.HasPrefix(id, []byte("phone-")):
		return phoneTemplate
	case bytes.HasPrefix(id, []byte("rcs-")):
		return rcsTemplate
	}
	return nil
}

func (m *mapper) hasMember(name string) bool {
	for _, mem := range m.op.members {
		if mem.name == name {
			return true
		}
	}
	return false
}

func isISOCountry(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}

// originationForm types an origination identity by its form: "arn" for a
// full ARN; "Pool", "PhoneNumber", "RcsAgent" for the IDs with the prefixes
// pool-, phone-, rcs-; "phone-number" for a phone number (E.164, with or
// without '+'); "sender-id" for a bare sender ID (1 to 11 letters, digits,
// '_' or '-').
func originationForm(s string) (string, error) {
	switch {
	case strings.HasPrefix(s, "arn:"):
		return "arn", nil
	case strings.HasPrefix(s, "pool-"):
		return "Pool", checkID(s)
	case strings.HasPrefix(s, "phone-"):
		return "PhoneNumber", checkID(s)
	case strings.HasPrefix(s, "rcs-"):
		return "RcsAgent", checkID(s)
	}
	digits := strings.TrimPrefix(s, "+")
	if digits != "" && strings.Trim(digits, "0123456789") == "" {
		if len(digits) < 2 || len(digits) > 19 || digits[0] == '0' {
			if s[0] == '+' {
				return "", badRequest("phone number %q is not E.164", s)
			}
		} else {
			return "phone-number", nil
		}
	}
	if len(s) > 11 {
		return "", badRequest("origination identity %q is no ID, ARN, phone number or sender ID", s)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return "", badRequest("origination identity %q is no ID, ARN, phone number or sender ID", s)
		}
	}
	return "sender-id", nil
}
