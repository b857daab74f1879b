package apimap

import (
	"net/url"
	"slices"
	"strings"

	"github.com/pinpointgw/gateway/arn"
)

// maxReferences bounds the references of one request; a request with more
// is refused (BadRequest). The models' own list limits keep real requests
// far below it.
const maxReferences = 256

// refDerive says how a reference's ARN is derived from its value.
type refDerive int

const (
	refAsIs         refDerive = iota + 1 // the value is the ARN
	refRole                              // an IAM role ARN, checked; also iam:PassRole
	refS3URL                             // s3://bucket/key or an https S3 URL -> arn:P:s3:::bucket/key
	refS3Bucket                          // a bucket name -> arn:P:s3:::bucket
	refLogGroup                          // a log group name or ARN
	refFirehose                          // a Firehose stream name or ARN
	refEventStream                       // a Kinesis or Firehose stream ARN (kind from its service)
	refSNSTopic                          // an SNS topic name or ARN
	refSESIdentity                       // an SES identity name or ARN
	refSESAddress                        // an email address, maybe "Name <address>" -> its SES identity
	refSESConfigSet                      // an SES configuration set name
	refLambda                            // a Lambda function name or ARN
	refLambdaOrURL                       // a Lambda function name or ARN, or an https URL (kind "url")
	refURL                               // a URL outside AWS (ARN = value)
	refTemplate                          // a Pinpoint message template name; arg is its type ("" = unknown: ARN = value)
	refOrigination                       // an origination identity: an ARN, a pool-/phone-/rcs- ID, or a number (ARN = value)
	refSMSVoiceType                      // an sms-voice resource of type arg, by ID or ARN
	refRecommender                       // a Pinpoint recommender configuration ID
)

// refSpec is one member path of an operation's body that carries a
// reference (generated from the service models).
type refSpec struct {
	kind   string
	derive refDerive
	path   []string // JSON member names; "[]" is each element of a list, "{}" each value of a map
	arg    string   // template type (refTemplate) or sms-voice resource type (refSMSVoiceType)
	unset  string   // a sentinel value that names nothing (e.g. UNSET_RCS_MEDIA_CONFIGURATION)
	member string   // the dotted member path when path has no list or map (set by compileTables)
}

// passRoleService gives the service principal that an API passes roles to
// (the value of iam:PassedToService).
func passRoleService(api string) string {
	if api == APIPinpoint {
		return "pinpoint.amazonaws.com"
	}
	return "sms-voice.amazonaws.com"
}

// foundRef is a reference with its offset in the body, for request order.
type foundRef struct {
	off int
	ref Reference
}

// references reads every reference member of the body, in request order,
// into Result.References, and adds one iam:PassRole authorization on the
// role ARNs among them. Operations without reference members pay nothing.
func (m *mapper) references() error {
	if len(m.op.refs) == 0 {
		return nil
	}
	var fbuf [4]foundRef
	var sbuf [8]string
	found, segs := fbuf[:0], sbuf[:0]
	for i := range m.op.refs {
		rs := &m.op.refs[i]
		v, err := m.body.get(rs.path[0])
		if err != nil || v == nil {
			if err != nil {
				return err
			}
			continue
		}
		w, err := m.walkPath(pathWalk{rs: rs, refs: found}, v, rs.path[1:], append(segs[:0], rs.path[0]))
		if err != nil {
			return err
		}
		found = w.refs
	}
	if len(found) == 0 {
		return nil
	}
	slices.SortStableFunc(found, func(a, b foundRef) int { return a.off - b.off })
	refs := make([]Reference, len(found))
	var roles []string
	for i, f := range found {
		refs[i] = f.ref
		if f.ref.ResourceType == "iam-role" {
			roles = append(roles, f.ref.ARN)
		}
	}
	m.res.References = refs
	if len(roles) > 0 {
		m.res.Permissions = append(m.res.Permissions, Permission{Action: "iam:PassRole", Resources: roles, PassedToService: passRoleService(m.op.api)})
	}
	return nil
}

// joinMember joins member path segments: names with dots, list indexes and
// map keys ("[0]", `["key"]`) directly.
func joinMember(segs []string) string {
	var b strings.Builder
	for i, s := range segs {
		if i > 0 && !strings.HasPrefix(s, "[") {
			b.WriteByte('.')
		}
		b.WriteString(s)
	}
	return b.String()
}

// deriveRef builds the reference of value s found at member.
func (m *mapper) deriveRef(rs *refSpec, s, member string) (Reference, error) {
	r := Reference{ResourceType: rs.kind, Member: member, Value: s, ARN: s}
	if rs.derive == refRole {
		if err := parseRoleARN(s); err != nil {
			return r, badRequest("%s: %v", member, err)
		}
		return r, nil
	}
	if s == "" {
		return r, nil
	}
	switch {
	case rs.derive == refEventStream:
		r.ResourceType = eventStreamKind(s, r.ResourceType)
		return r, nil
	case rs.derive == refLambdaOrURL && (strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")):
		r.ResourceType = "url"
		return r, nil
	}
	a, err := m.refARN(rs, s)
	if err != nil {
		return r, badRequest("member %s: %v", member, err)
	}
	if a != "" {
		r.ARN = a
	}
	return r, nil
}

// eventStreamKind is the kind of the event stream whose ARN is s, by its
// service (Firehose or Kinesis); kind when s is neither.
func eventStreamKind(s, kind string) string {
	if a, err := arn.Parse(s); err == nil {
		switch a.Service {
		case "firehose":
			return "firehose-stream"
		case "kinesis":
			return "kinesis-stream"
		}
	}
	return kind
}

// refARN derives the ARN that the reference value s (not empty) names, the
// way rs says; "" when it names none that can be derived (the reference's
// ARN is then s itself). A value that starts with "arn:" is taken as the ARN.
func (m *mapper) refARN(rs *refSpec, s string) (string, error) {
	isARN := strings.HasPrefix(s, "arn:")
	switch rs.derive {
	case refS3URL:
		a, _ := s3ARN(m.partition, s)
		return a, nil
	case refS3Bucket:
		if validBucket(s) {
			return "arn:" + m.partition + ":s3:::" + s, nil
		}
	case refLogGroup:
		return m.namedARN(s, checkRefName, "logs", "log-group:")
	case refFirehose:
		return m.namedARN(s, checkID, "firehose", "deliverystream/")
	case refSNSTopic:
		return m.namedARN(s, checkID, "sns", "")
	case refSESIdentity:
		return m.namedARN(s, checkRefName, "ses", "identity/")
	case refSESAddress:
		addr := s
		if i := strings.LastIndexByte(addr, '<'); i >= 0 && strings.HasSuffix(addr, ">") {
			addr = addr[i+1 : len(addr)-1]
		}
		if err := checkRefName(addr); err != nil || addr == "" {
			return "", err
		}
		return m.regionalARN("ses", "identity/", addr), nil
	case refSESConfigSet:
		return m.namedARN(s, checkID, "ses", "configuration-set/")
	case refLambda, refLambdaOrURL:
		if !strings.Contains(s, ":") {
			return m.namedARN(s, checkID, "lambda", "function:")
		}
	case refTemplate:
		if err := checkID(s); err != nil || rs.arg == "" {
			return "", err
		}
		return m.regionalARN("mobiletargeting", "templates/", s+"/"+rs.arg), nil
	case refRecommender:
		if err := checkID(s); err != nil {
			return "", err
		}
		return m.regionalARN("mobiletargeting", "recommenders/", s), nil
	case refOrigination:
		if t := idPrefixTemplate([]byte(s)); t != nil && !isARN {
			return m.idARN(t, s)
		}
	case refSMSVoiceType:
		if t := typeTemplates["sms-voice/"+rs.arg]; t != nil && !isARN && len(t.vars) == 1 {
			return m.idARN(t, s)
		}
	}
	return "", nil
}

// namedARN derives the ARN of s, the name of a resource of service that
// check accepts; "" when s is an ARN already.
func (m *mapper) namedARN(s string, check func(string) error, service, resource string) (string, error) {
	if strings.HasPrefix(s, "arn:") {
		return "", nil
	}
	if err := check(s); err != nil {
		return "", err
	}
	return m.regionalARN(service, resource, s), nil
}

// idARN builds the ARN of template t (one variable) for the ID s.
func (m *mapper) idARN(t *arnTemplate, s string) (string, error) {
	if err := checkID(s); err != nil {
		return "", err
	}
	return t.build(m.partition, m.req.Region, m.req.Account, []string{s}), nil
}

// checkRefName checks a name that goes into an ARN where '/' is allowed (a
// log group, an SES identity): no control characters and no wildcards.
func checkRefName(s string) error {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f || c == '*' || c == '?' {
			return badRequest("name %q has a control character or a wildcard", s)
		}
	}
	return nil
}

// validBucket reports whether s is a well-formed S3 bucket name.
func validBucket(s string) bool {
	if len(s) < 3 || len(s) > 63 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		alnum := c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
		if !alnum && (c != '.' && c != '-' || i == 0 || i == len(s)-1) {
			return false
		}
	}
	return true
}

// s3ARN derives the ARN of the bucket or object that an S3 URL names:
// s3://bucket/key, or an https URL of an S3 endpoint, path-style
// (s3[.-]REGION.amazonaws.com/bucket/key) or virtual-hosted
// (bucket.s3[.-]REGION.amazonaws.com/key). Anything else names no ARN.
func s3ARN(partition, s string) (string, bool) {
	var bucket, key string
	switch {
	case strings.HasPrefix(s, "s3://"):
		bucket, key, _ = strings.Cut(s[len("s3://"):], "/")
	case strings.HasPrefix(s, "https://"):
		u, err := url.Parse(s)
		if err != nil || u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Port() != "" {
			return "", false
		}
		host := strings.ToLower(u.Hostname())
		rest, ok := strings.CutSuffix(host, ".amazonaws.com")
		if !ok {
			if rest, ok = strings.CutSuffix(host, ".amazonaws.com.cn"); !ok {
				return "", false
			}
		}
		path := strings.TrimPrefix(u.Path, "/")
		switch i := strings.LastIndex(rest, ".s3"); {
		case rest == "s3" || strings.HasPrefix(rest, "s3.") || strings.HasPrefix(rest, "s3-"):
			bucket, key, _ = strings.Cut(path, "/")
		case i > 0 && (len(rest) == i+3 || rest[i+3] == '.' || rest[i+3] == '-'):
			bucket, key = rest[:i], path
		default:
			return "", false
		}
	default:
		return "", false
	}
	if !validBucket(bucket) || strings.ContainsFunc(key, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return "", false
	}
	if key == "" {
		return "arn:" + partition + ":s3:::" + bucket, true
	}
	return "arn:" + partition + ":s3:::" + bucket + "/" + key, true
}
