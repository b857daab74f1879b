package cloudtrail

import (
	"crypto/sha1"
	"fmt"
	"strings"
	"time"

	"github.com/pinpointgw/gateway/apimap"
)

// EventVersion is the CloudTrail event format version the events follow:
// the current one of "CloudTrail record contents for management, data, and
// network activity events"
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html).
const EventVersion = "1.11"

// Event is one CloudTrail event, its fields in the order CloudTrail writes
// them. Fields CloudTrail documents as optional are omitted when the
// record does not give them; requestParameters and responseElements are
// null when empty, as CloudTrail writes them.
type Event struct {
	EventVersion        string         `json:"eventVersion"`
	UserIdentity        UserIdentity   `json:"userIdentity"`
	EventTime           string         `json:"eventTime"`
	EventSource         string         `json:"eventSource,omitempty"`
	EventName           string         `json:"eventName,omitempty"`
	AWSRegion           string         `json:"awsRegion,omitempty"`
	SourceIPAddress     string         `json:"sourceIPAddress,omitempty"`
	UserAgent           string         `json:"userAgent,omitempty"`
	ErrorCode           string         `json:"errorCode,omitempty"`
	ErrorMessage        string         `json:"errorMessage,omitempty"`
	RequestParameters   map[string]any `json:"requestParameters"`
	ResponseElements    map[string]any `json:"responseElements"`
	AdditionalEventData map[string]any `json:"additionalEventData,omitempty"`
	RequestID           string         `json:"requestID"`
	EventID             string         `json:"eventID"`
	ReadOnly            *bool          `json:"readOnly,omitempty"`
	Resources           []Resource     `json:"resources,omitempty"`
	EventType           string         `json:"eventType"`
	ManagementEvent     bool           `json:"managementEvent"`
	RecipientAccountID  string         `json:"recipientAccountId,omitempty"`
	EventCategory       string         `json:"eventCategory"`
}

// UserIdentity is CloudTrail's userIdentity element
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html).
type UserIdentity struct {
	Type           string          `json:"type"`
	PrincipalID    string          `json:"principalId,omitempty"`
	ARN            string          `json:"arn,omitempty"`
	AccountID      string          `json:"accountId,omitempty"`
	AccessKeyID    string          `json:"accessKeyId,omitempty"`
	UserName       string          `json:"userName,omitempty"`
	SessionContext *SessionContext `json:"sessionContext,omitempty"`
}

// SessionContext describes the temporary credentials of a request.
type SessionContext struct {
	SessionIssuer  *SessionIssuer     `json:"sessionIssuer,omitempty"`
	Attributes     *SessionAttributes `json:"attributes,omitempty"`
	SourceIdentity string             `json:"sourceIdentity,omitempty"`
}

// SessionIssuer is the role whose session signed the request.
type SessionIssuer struct {
	Type        string `json:"type"`
	PrincipalID string `json:"principalId,omitempty"`
	ARN         string `json:"arn"`
	AccountID   string `json:"accountId,omitempty"`
	UserName    string `json:"userName,omitempty"`
}

// SessionAttributes are when the temporary credentials were issued and
// whether with MFA ("true"/"false", strings as CloudTrail writes them).
type SessionAttributes struct {
	CreationDate     string `json:"creationDate,omitempty"`
	MFAAuthenticated string `json:"mfaAuthenticated,omitempty"`
}

// Resource is one element of CloudTrail's resources list.
type Resource struct {
	ARN       string `json:"ARN"`
	AccountID string `json:"accountId,omitempty"`
}

// Event sources, from the CloudTrail examples of the Amazon Pinpoint
// Developer Guide, "Logging Amazon Pinpoint API calls with AWS CloudTrail"
// (https://docs.aws.amazon.com/pinpoint/latest/developerguide/logging-using-cloudtrail.html):
// pinpoint.amazonaws.com for the Pinpoint API, sms-voice.amazonaws.com for
// the SMS and Voice API (v1 and v2 alike).
var eventSources = map[string]string{
	apimap.APIPinpoint:   "pinpoint.amazonaws.com",
	apimap.APISMSVoice:   "sms-voice.amazonaws.com",
	apimap.APISMSVoiceV2: "sms-voice.amazonaws.com",
	"sts":                "sts.amazonaws.com",
}

// mapped lists the record's fields that become CloudTrail fields of their
// own; every other field goes to additionalEventData as it is (masked
// where maskRecord says).
var mapped = map[string]bool{
	"time": true, "request_id": true, "remote_ip": true, "user_agent": true, "access_key_id": true,
	"region": true, "principal_arn": true, "principal_type": true, "api": true, "operation": true,
	"request_parameters": true, "request_parameters_omitted": true,
}

// FromRecord translates an audit record (its fields as a
// zapcore.MapObjectEncoder holds them) into a CloudTrail event. A field
// the record lacks leaves its CloudTrail field out (or null); it never
// fails.
func FromRecord(rec map[string]any) *Event {
	api, op := str(rec, "api"), str(rec, "operation")
	ev := &Event{
		EventVersion:     EventVersion,
		EventSource:      eventSources[api],
		EventName:        op,
		AWSRegion:        str(rec, "region"),
		SourceIPAddress:  str(rec, "remote_ip"),
		UserAgent:        str(rec, "user_agent"),
		RequestID:        str(rec, "request_id"),
		EventType:        "AwsApiCall",
		ManagementEvent:  true,
		EventCategory:    "Management",
		ResponseElements: nil,
	}
	if t, ok := rec["time"].(time.Time); ok {
		ev.EventTime = t.UTC().Format("2006-01-02T15:04:05Z")
	}
	ev.EventID = eventID(ev.RequestID)
	ctx, _ := rec["context"].(map[string]any)
	ev.UserIdentity = userIdentity(rec, ctx)
	ev.RecipientAccountID = arnAccount(str(rec, "principal_arn"))
	if ro, ok := readOnly(api, op); ok {
		ev.ReadOnly = &ro
	}
	ev.ErrorCode, ev.ErrorMessage = errorOf(rec)
	ev.RequestParameters = requestParameters(rec, api, op)
	ev.Resources = resources(rec)
	ev.AdditionalEventData = additional(rec)
	return ev
}

// userIdentity builds the userIdentity element: IAMUser for a user (its
// long-term keys or a GetSessionToken session), AssumedRole for a role
// session, Unknown when the request was not authenticated. principalId,
// accountId, the session's creationDate and mfaAuthenticated come from the
// record's context (aws:userid, aws:principalaccount, aws:tokenissuetime,
// aws:multifactorauthpresent) and are left out when it lacks them.
func userIdentity(rec, ctx map[string]any) UserIdentity {
	id := UserIdentity{
		AccessKeyID: str(rec, "access_key_id"),
		ARN:         str(rec, "principal_arn"),
		PrincipalID: ctxString(ctx, "aws:userid"),
		AccountID:   ctxString(ctx, "aws:principalaccount"),
	}
	attrs := &SessionAttributes{
		CreationDate:     ctxString(ctx, "aws:tokenissuetime"),
		MFAAuthenticated: ctxString(ctx, "aws:multifactorauthpresent"),
	}
	if *attrs == (SessionAttributes{}) {
		attrs = nil
	}
	switch str(rec, "principal_type") {
	case "User":
		id.Type = "IAMUser"
		id.UserName = lastSegment(id.ARN)
		if attrs != nil {
			id.SessionContext = &SessionContext{Attributes: attrs}
		}
	case "AssumedRole":
		id.Type = "AssumedRole"
		role := str(rec, "role_arn")
		issuer := &SessionIssuer{Type: "Role", ARN: role, AccountID: arnAccount(role), UserName: lastSegment(role)}
		if uid, _, ok := strings.Cut(id.PrincipalID, ":"); ok {
			issuer.PrincipalID = uid // AROA…:session: the role's unique ID
		}
		if role == "" {
			issuer = nil
		}
		id.SessionContext = &SessionContext{SessionIssuer: issuer, Attributes: attrs, SourceIdentity: str(rec, "source_identity")}
	default:
		id.Type = "Unknown"
	}
	return id
}

// readOnly is CloudTrail's readOnly: the operation's action only reads
// (apimap.AccessLevel: List or Read). The local STS's operations issue or
// describe credentials and change no resource: read-only, as CloudTrail
// records AssumeRole and GetSessionToken.
func readOnly(api, op string) (bool, bool) {
	if api == "sts" {
		return op != "", op != ""
	}
	level, ok := apimap.AccessLevel(api, op)
	if !ok {
		return false, false
	}
	return apimap.ReadOnly(level), true
}

// errorOf returns the error code and message the client got: the code the
// gateway answered (error_code, with the reason), else the upstream's
// (upstream_error_code), else, for an upstream answer without one or a
// failed round trip, Gateway.UpstreamError: never an AWS code the client
// did not get. dry_run denials were not refused: no error.
func errorOf(rec map[string]any) (code, msg string) {
	if code := str(rec, "error_code"); code != "" {
		return code, str(rec, "reason")
	}
	status, _ := rec["upstream_status"].(int64)
	if upErr := str(rec, "upstream_error"); upErr != "" {
		return "Gateway.UpstreamError", upErr
	}
	if status >= 400 {
		msg := fmt.Sprintf("the upstream answered HTTP %d (request ID %s)", status, str(rec, "upstream_request_id"))
		if code := str(rec, "upstream_error_code"); code != "" {
			return code, msg
		}
		return "Gateway.UpstreamError", msg
	}
	return "", ""
}

// requestParameters are the members the mapping read (request_parameters),
// the members naming resources AWS uses on the caller's behalf
// (references: member → ARN) and the destination members (destinations:
// member → value, phone numbers masked). A member read more than once
// (a list) maps to the list of its values. nil (null) when none.
func requestParameters(rec map[string]any, api, op string) map[string]any {
	out := map[string]any{}
	add := func(member, value string) {
		if member == "" {
			return
		}
		switch prev := out[member].(type) {
		case nil:
			out[member] = value
		case string:
			out[member] = []string{prev, value}
		case []string:
			out[member] = append(prev, value)
		}
	}
	for _, p := range objects(rec["request_parameters"]) {
		add(str(p, "member"), str(p, "value"))
	}
	for _, r := range objects(rec["references"]) {
		add(str(r, "member"), str(r, "arn"))
	}
	for _, d := range objects(rec["destinations"]) {
		add(str(d, "member"), maskedValue(d))
	}
	if api == "sts" && op == "AssumeRole" {
		for _, a := range objects(rec["authorizations"]) {
			if res, _ := a["resources"].([]any); len(res) > 0 {
				if s, ok := res[0].(string); ok {
					add("roleArn", s)
				}
			}
		}
		if s := str(rec, "issued_principal_arn"); s != "" {
			add("roleSessionName", lastSegment(s))
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// resources lists the resource ARNs of the request's authorizations
// (wildcards left out), each once.
func resources(rec map[string]any) []Resource {
	var out []Resource
	seen := map[string]bool{}
	for _, a := range objects(rec["authorizations"]) {
		list, _ := a["resources"].([]any)
		for _, r := range list {
			s, _ := r.(string)
			if !strings.HasPrefix(s, "arn:") || strings.Contains(s, "*") || seen[s] {
				continue
			}
			seen[s] = true
			out = append(out, Resource{ARN: s, AccountID: arnAccount(s)})
		}
	}
	return out
}

// additional is additionalEventData: every field of the record that is no
// CloudTrail field of its own (the decision trace: decision, mode, reason,
// matched, authorizations, references, destinations, quotas, lifecycle,
// context, upstream status and request ID, durations in seconds, ...), with
// destination phone numbers masked.
func additional(rec map[string]any) map[string]any {
	out := make(map[string]any, len(rec))
	for k, v := range rec {
		if mapped[k] {
			continue
		}
		out[k] = jsonValue(v)
	}
	if ds := objects(out["destinations"]); len(ds) > 0 {
		masked := make([]any, len(ds))
		for i, d := range ds {
			c := make(map[string]any, len(d))
			for k, v := range d {
				c[k] = v
			}
			c["value"] = maskedValue(d)
			masked[i] = c
		}
		out["destinations"] = masked
	}
	if ctx, ok := out["context"].(map[string]any); ok {
		c := make(map[string]any, len(ctx))
		for k, v := range ctx {
			c[k] = v
			if k == "gateway:destinationnumber" {
				c[k] = maskAny(v)
			}
		}
		out["context"] = c
	}
	out["recordedBy"] = "pinpoint-gateway"
	return out
}

// maskedValue is a destination's value as CloudTrail events carry it: a
// phone number (form phone-number) masked by maskNumber, any other value
// (an endpoint, user or verified destination number ID) as it is.
func maskedValue(d map[string]any) string {
	v := str(d, "value")
	if str(d, "form") == apimap.DestinationPhoneNumber {
		return maskNumber(v)
	}
	return v
}

// maskNumber keeps the leading "+" and the last two characters of a phone
// number and replaces the rest with "*": the audit log holds the number,
// the CloudTrail events (read by more people and tools) only its country
// and calling code (in additionalEventData) and its last digits.
func maskNumber(s string) string {
	if len(s) <= 2 {
		return strings.Repeat("*", len(s))
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s)-2; i++ {
		if i == 0 && s[0] == '+' {
			b.WriteByte('+')
			continue
		}
		b.WriteByte('*')
	}
	b.WriteString(s[len(s)-2:])
	return b.String()
}

func maskAny(v any) any {
	switch x := v.(type) {
	case string:
		return maskNumber(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			s, _ := e.(string)
			out[i] = maskNumber(s)
		}
		return out
	case []string:
		out := make([]string, len(x))
		for i, e := range x {
			out[i] = maskNumber(e)
		}
		return out
	}
	return nil
}

// eventID is a UUID (version 5 layout) derived from the request ID, so the
// same record always gives the same event ID.
func eventID(requestID string) string {
	h := sha1.Sum([]byte("pinpoint-gateway/" + requestID))
	h[6] = h[6]&0x0f | 0x50
	h[8] = h[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

// str returns the string field k of m, "" when absent or not a string.
func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

// ctxString returns a single-valued context key's value.
func ctxString(ctx map[string]any, k string) string {
	if ctx == nil {
		return ""
	}
	return str(ctx, k)
}

// objects returns the elements of an array field that are objects.
func objects(v any) []map[string]any {
	list, _ := v.([]any)
	out := make([]map[string]any, 0, len(list))
	for _, e := range list {
		if m, ok := e.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// arnAccount returns the account field of an ARN, "" when it has none.
func arnAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return ""
	}
	return parts[4]
}

// lastSegment returns what follows the last "/" of an ARN (a user's or
// role's name, a session's name), "" when there is none.
func lastSegment(arn string) string {
	i := strings.LastIndexByte(arn, '/')
	if i < 0 {
		return ""
	}
	return arn[i+1:]
}
