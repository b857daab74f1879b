package apimap

import (
	"errors"
	"fmt"
	"strings"
)

// ARN is a parsed Amazon Resource Name: arn:Partition:Service:Region:Account:Resource.
type ARN struct {
	Partition string
	Service   string
	Region    string
	Account   string
	Resource  string
}

// String formats the ARN.
func (a ARN) String() string {
	return "arn:" + a.Partition + ":" + a.Service + ":" + a.Region + ":" + a.Account + ":" + a.Resource
}

// ParseARN splits s into its six parts. It checks the structure only: the
// "arn" prefix, a non-empty partition, service and resource, and no control
// characters; see ResourceType for the stricter check of our two services.
func ParseARN(s string) (ARN, error) {
	if len(s) > 2048 {
		return ARN{}, errors.New("arn longer than 2048 bytes")
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return ARN{}, errors.New("arn with a control character")
		}
	}
	if !strings.HasPrefix(s, "arn:") {
		return ARN{}, fmt.Errorf("arn %q: missing \"arn:\" prefix", s)
	}
	rest := s[len("arn:"):]
	var p [4]string
	for i := range p {
		j := strings.IndexByte(rest, ':')
		if j < 0 {
			return ARN{}, fmt.Errorf("arn %q: want 6 colon-separated parts", s)
		}
		p[i], rest = rest[:j], rest[j+1:]
	}
	a := ARN{Partition: p[0], Service: p[1], Region: p[2], Account: p[3], Resource: rest}
	if a.Partition == "" || a.Service == "" || a.Resource == "" {
		return ARN{}, fmt.Errorf("arn %q: empty partition, service or resource", s)
	}
	return a, nil
}

// arnTemplate is a compiled Service Authorization Reference ARN format such as
// arn:${Partition}:mobiletargeting:${Region}:${Account}:apps/${AppId}.
type arnTemplate struct {
	service  string
	typ      string
	resource []tmplSeg // the resource part, split at '/'
	vars     []string  // variable names in order
}

type tmplSeg struct {
	lit string
	v   int // index into vars, or -1 for a literal segment
}

const arnHead = "arn:${Partition}:"

func compileARN(typ, s string) (*arnTemplate, error) {
	if !strings.HasPrefix(s, arnHead) {
		return nil, fmt.Errorf("arn template %q: want prefix %q", s, arnHead)
	}
	rest := s[len(arnHead):]
	i := strings.IndexByte(rest, ':')
	if i <= 0 {
		return nil, fmt.Errorf("arn template %q: no service", s)
	}
	t := &arnTemplate{service: rest[:i], typ: typ}
	rest = rest[i+1:]
	const mid = "${Region}:${Account}:"
	if !strings.HasPrefix(rest, mid) {
		return nil, fmt.Errorf("arn template %q: want %q after the service", s, mid)
	}
	rest = rest[len(mid):]
	for _, seg := range strings.Split(rest, "/") {
		if strings.HasPrefix(seg, "${") && strings.HasSuffix(seg, "}") {
			name := seg[2 : len(seg)-1]
			if strings.ContainsAny(name, "${}") || name == "" {
				return nil, fmt.Errorf("arn template %q: bad variable %q", s, seg)
			}
			t.resource = append(t.resource, tmplSeg{v: len(t.vars)})
			t.vars = append(t.vars, name)
			continue
		}
		if seg == "" || strings.Contains(seg, "$") {
			return nil, fmt.Errorf("arn template %q: bad segment %q", s, seg)
		}
		t.resource = append(t.resource, tmplSeg{lit: seg, v: -1})
	}
	return t, nil
}

// varIndex returns the index of variable name, or -1.
func (t *arnTemplate) varIndex(name string) int {
	for i, v := range t.vars {
		if v == name {
			return i
		}
	}
	return -1
}

// build formats the ARN with one allocation. vals holds one value per variable.
func (t *arnTemplate) build(partition, region, account string, vals []string) string {
	n := len("arn:") + len(partition) + 1 + len(t.service) + 1 + len(region) + 1 + len(account) + 1
	for i, s := range t.resource {
		if i > 0 {
			n++
		}
		if s.v >= 0 {
			n += len(vals[s.v])
		} else {
			n += len(s.lit)
		}
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteString("arn:")
	b.WriteString(partition)
	b.WriteByte(':')
	b.WriteString(t.service)
	b.WriteByte(':')
	b.WriteString(region)
	b.WriteByte(':')
	b.WriteString(account)
	b.WriteByte(':')
	for i, s := range t.resource {
		if i > 0 {
			b.WriteByte('/')
		}
		if s.v >= 0 {
			b.WriteString(vals[s.v])
		} else {
			b.WriteString(s.lit)
		}
	}
	return b.String()
}

// buildRaw formats the ARN of a one-variable template from raw bytes, with
// one allocation.
func (t *arnTemplate) buildRaw(partition, region, account string, val []byte) string {
	n := len("arn:") + len(partition) + 1 + len(t.service) + 1 + len(region) + 1 + len(account) + 1
	for i, s := range t.resource {
		if i > 0 {
			n++
		}
		if s.v >= 0 {
			n += len(val)
		} else {
			n += len(s.lit)
		}
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteString("arn:")
	b.WriteString(partition)
	b.WriteByte(':')
	b.WriteString(t.service)
	b.WriteByte(':')
	b.WriteString(region)
	b.WriteByte(':')
	b.WriteString(account)
	b.WriteByte(':')
	for i, s := range t.resource {
		if i > 0 {
			b.WriteByte('/')
		}
		if s.v >= 0 {
			b.Write(val)
		} else {
			b.WriteString(s.lit)
		}
	}
	return b.String()
}

// match reports whether resource (the part after the fifth colon) has the
// template's shape; each variable must be a valid ID. vals, when not nil,
// receives the variable values.
func (t *arnTemplate) match(resource string, vals []string) bool {
	for i, s := range t.resource {
		var seg string
		if i == len(t.resource)-1 {
			seg, resource = resource, ""
			if strings.IndexByte(seg, '/') >= 0 {
				return false
			}
		} else {
			j := strings.IndexByte(resource, '/')
			if j < 0 {
				return false
			}
			seg, resource = resource[:j], resource[j+1:]
		}
		if s.v < 0 {
			if seg != s.lit {
				return false
			}
			continue
		}
		if checkID(seg) != nil {
			return false
		}
		if vals != nil {
			vals[s.v] = seg
		}
	}
	return true
}

// checkID validates an identifier that becomes one segment of an ARN: it must
// be non-empty, not a dot segment, and free of '/', '*', ':', '?' and control
// characters, so that it cannot change the structure of the ARN or act as a
// wildcard in a policy, and free of ';' and '\', which some HTTP servers
// strip (path parameters) or turn into '/', so that the ID the gateway
// authorizes is the one AWS acts on.
func checkID[S ~string | ~[]byte](s S) error {
	if len(s) == 0 {
		return errors.New("empty identifier")
	}
	if len(s) <= 2 && (s[0] == '.' && (len(s) == 1 || s[1] == '.')) {
		return fmt.Errorf("identifier %q is a dot segment", s)
	}
	if len(s) > 1024 {
		return errors.New("identifier longer than 1024 bytes")
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c == 0x7f:
			return fmt.Errorf("identifier %q has a control character", s)
		case c == '/' || c == '*' || c == ':' || c == '?' || c == ';' || c == '\\':
			return fmt.Errorf("identifier %q has %q", s, c)
		}
	}
	return nil
}

// checkAccount validates a 12-digit AWS account ID.
func checkAccount(s string) error {
	if len(s) != 12 {
		return fmt.Errorf("account %q is not 12 digits", s)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return fmt.Errorf("account %q is not 12 digits", s)
		}
	}
	return nil
}

// resourceTemplates maps an IAM prefix to its compiled resource types;
// typeTemplates maps "prefix/type" to one.
var (
	resourceTemplates = map[string][]*arnTemplate{}
	typeTemplates     = map[string]*arnTemplate{}
)

// ResourceType checks that s is a well-formed ARN of one of the resource types
// of the mobiletargeting or sms-voice prefix (a known partition whose region
// pattern matches the region, a 12-digit account, and a resource part of the
// type's shape) and returns the prefix and the type name.
func ResourceType(s string) (service, typ string, err error) {
	t, _, err := parseTypedARN(s)
	if err != nil {
		return "", "", err
	}
	return t.service, t.typ, nil
}

// parseTypedARN parses s and finds the resource type it is an ARN of.
func parseTypedARN(s string) (*arnTemplate, ARN, error) {
	a, err := ParseARN(s)
	if err != nil {
		return nil, ARN{}, err
	}
	p, ok := Partition(a.Region)
	if !ok || p != a.Partition {
		return nil, ARN{}, fmt.Errorf("arn %q: region %q is not in partition %q", s, a.Region, a.Partition)
	}
	if err := checkAccount(a.Account); err != nil {
		return nil, ARN{}, fmt.Errorf("arn %q: %w", s, err)
	}
	tmpls, ok := resourceTemplates[a.Service]
	if !ok {
		return nil, ARN{}, fmt.Errorf("arn %q: service %q is not mobiletargeting or sms-voice", s, a.Service)
	}
	for _, t := range tmpls {
		if t.match(a.Resource, nil) {
			return t, a, nil
		}
	}
	return nil, ARN{}, fmt.Errorf("arn %q: resource %q is of no known %s resource type", s, a.Resource, a.Service)
}

// parseRoleARN checks that s is an IAM role ARN (arn:PARTITION:iam::ACCOUNT:role/PATH/NAME).
func parseRoleARN(s string) error {
	a, err := ParseARN(s)
	if err != nil {
		return err
	}
	known := false
	for _, p := range partitionTable {
		known = known || p.id == a.Partition
	}
	switch {
	case !known:
		return fmt.Errorf("role arn %q: unknown partition", s)
	case a.Service != "iam" || a.Region != "":
		return fmt.Errorf("role arn %q: not an IAM ARN", s)
	case checkAccount(a.Account) != nil:
		return fmt.Errorf("role arn %q: account is not 12 digits", s)
	case !strings.HasPrefix(a.Resource, "role/") || len(a.Resource) == len("role/") || strings.Contains(a.Resource, "*"):
		return fmt.Errorf("role arn %q: not a role", s)
	}
	return nil
}

// taggableTypes are the resource types whose tags policies can test with
// aws:ResourceTag (the types the tagging actions accept).
var taggableTypes = map[string]map[string]bool{}

// TaggableOwner returns the ARN of the taggable resource whose tags apply to
// arn for aws:ResourceTag, and true, when arn is a well-formed ARN of a type
// that the tagging actions accept (Pinpoint app, campaign, journey, segment,
// template; the SMS and Voice v2 types). Other types (a Pinpoint channel, an
// sms-voice message) have no aws:ResourceTag key in the Service Authorization
// Reference, so it returns false for them.
func TaggableOwner(arn string) (string, bool) {
	t, _, err := parseTypedARN(arn)
	if err != nil || !taggableTypes[t.service][t.typ] {
		return "", false
	}
	return arn, true
}
