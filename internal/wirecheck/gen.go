package wirecheck

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net/url"
	"strconv"
	"strings"
)

// Generated is a request built from the models, unsigned.
type Generated struct {
	API, Operation string
	Mutation       string // "" for the base request
	// PastLimit is set on a mutation whose body breaks the model's
	// constraints (a list or string one past its maximum length): AWS
	// refuses it, and so must the gateway.
	PastLimit bool
	Service   string // SigV4 signing name
	Method    string
	Path      string // escaped
	RawQuery  string
	Header    map[string][]string
	Body      []byte

	body     *node // the body as built, for mutations; nil when there is none
	labelVal []string
}

// Account IDs of the generated identifiers: the gateway's own, and another
// tenant's (the targets a confused deputy would reach).
const (
	OwnAccount   = "123456789012"
	OtherAccount = "999999999999"
)

// Generate builds a minimal valid request of api's operation op: its
// required members, and every optional member that leads to an
// identifier, an ARN or an S3 location at any depth, filled with realistic
// values (roles, topics and streams of another account).
func (ms *Models) Generate(api, op string) (Generated, error) {
	a := ms.APIs[api]
	if a == nil || a.Operations[op] == nil {
		return Generated{}, fmt.Errorf("no operation %s %s", api, op)
	}
	o := a.Operations[op]
	g := Generated{API: api, Operation: op, Service: a.SigningName, Method: o.Method, Header: map[string][]string{}}
	gen := &generator{a: a, op: op, identMemo: map[string]bool{}}
	in := a.Shapes[o.Input]
	if a.Protocol == "json" {
		g.Path = "/"
		g.Header["X-Amz-Target"] = []string{a.TargetPrefix + "." + op}
		g.Header["Content-Type"] = []string{"application/x-amz-json-1." + strings.TrimPrefix(ms.jsonVersion(a), "1.")}
		g.body = &node{kind: 'o'}
		if in != nil {
			g.body = gen.structure(in, "", 0, map[string]bool{})
		}
		g.Body = encode(g.body)
		return g, nil
	}
	// REST: labels, required query members, the body.
	p, q, _ := strings.Cut(o.URI, "?")
	segs := strings.Split(p, "/")
	for i, seg := range segs {
		if !isLabel(seg) {
			continue
		}
		name := labelName(seg)
		mn := name
		if in != nil {
			for _, n := range in.Order {
				if m := in.Members[n]; m.Location == "uri" && m.wireName() == name {
					mn = n
				}
			}
		}
		v := gen.labelValue(mn)
		g.labelVal = append(g.labelVal, v)
		segs[i] = url.PathEscape(v)
	}
	g.Path = strings.Join(segs, "/")
	query := url.Values{}
	if q != "" {
		lit, _ := url.ParseQuery(q)
		for k, v := range lit {
			query[k] = v
		}
	}
	if in != nil {
		for _, mn := range in.Order {
			m := in.Members[mn]
			if m.Location != "querystring" || !in.Required[mn] {
				continue
			}
			s := a.Shapes[m.Shape]
			if s.Type == "list" {
				query.Add(m.wireName(), gen.str(mn, "", a.Shapes[s.Member.Shape]))
				continue
			}
			query.Add(m.wireName(), gen.str(mn, "", s))
		}
		var body *node
		if in.Payload != "" {
			if ps := a.Shapes[in.Members[in.Payload].Shape]; ps != nil && ps.Type == "structure" {
				body = gen.structure(ps, "", 0, map[string]bool{})
			}
		} else if hasBodyMembers(in) {
			body = gen.structure(in, "", 0, map[string]bool{})
		}
		if body != nil {
			g.body = body
			g.Body = encode(body)
			g.Header["Content-Type"] = []string{"application/json"}
		}
	}
	g.RawQuery = query.Encode()
	return g, nil
}

func (ms *Models) jsonVersion(*API) string { return "1.0" }

type generator struct {
	a         *API
	op        string
	identMemo map[string]bool
}

// leadsToIdent reports whether shape s has, at any depth, a member the
// reader classifies as an identifier or a reference (by name).
func (g *generator) leadsToIdent(name string, s *Shape, seen map[string]bool) bool {
	if s == nil || seen[s.Name] {
		return false
	}
	switch s.Type {
	case "string":
		return len(s.Enum) == 0 && identLikeName(name, s)
	case "list":
		return s.Member != nil && g.leadsToIdent(name, g.a.Shapes[s.Member.Shape], seen)
	case "map":
		return false
	case "structure":
		if v, ok := g.identMemo[s.Name]; ok {
			return v
		}
		seen[s.Name] = true
		res := false
		for _, mn := range s.Order {
			if m := s.Members[mn]; m.Location == "" && g.leadsToIdent(mn, g.a.Shapes[m.Shape], seen) {
				res = true
				break
			}
		}
		delete(seen, s.Name)
		g.identMemo[s.Name] = res
		return res
	}
	return false
}

// identLikeName: member names the generator fills with an identifier.
func identLikeName(name string, s *Shape) bool {
	single := strings.TrimSuffix(name, "s")
	for _, suf := range []string{"Id", "Arn", "Name", "Url", "Role", "Identity", "Urls"} {
		if strings.HasSuffix(single, suf) || strings.HasSuffix(name, suf) {
			return true
		}
	}
	return strings.Contains(s.Name, "OrArn") || strings.Contains(s.Name, "IamRoleArn")
}

const maxGenDepth = 10

func (g *generator) structure(s *Shape, path string, depth int, seen map[string]bool) *node {
	n := &node{kind: 'o'}
	if depth > maxGenDepth || seen[s.Name] {
		return n
	}
	seen[s.Name] = true
	defer delete(seen, s.Name)
	for _, mn := range s.Order {
		m := s.Members[mn]
		if m.Location != "" {
			continue
		}
		ms := g.a.Shapes[m.Shape]
		if ms == nil || !s.Required[mn] && !g.leadsToIdent(mn, ms, map[string]bool{}) {
			continue
		}
		if seen[ms.Name] {
			continue
		}
		sub := mn
		if path != "" {
			sub = path + "." + mn
		}
		n.pairs = append(n.pairs, pair{m.wireName(), g.value(mn, s.Name, ms, sub, depth+1, seen)})
		if s.Union {
			break
		}
	}
	return n
}

func (g *generator) value(name, parent string, s *Shape, path string, depth int, seen map[string]bool) *node {
	switch s.Type {
	case "structure":
		return g.structure(s, path, depth, seen)
	case "list":
		el := g.a.Shapes[s.Member.Shape]
		return &node{kind: 'a', elems: []*node{g.value(name, parent, el, path, depth+1, seen)}}
	case "map":
		k := "k1"
		if ks := g.a.Shapes[s.Key.Shape]; ks != nil && len(ks.Enum) > 0 {
			k = ks.Enum[0]
		}
		return &node{kind: 'o', pairs: []pair{{k, g.value(name, parent, g.a.Shapes[s.Value.Shape], path+"."+k, depth+1, seen)}}}
	case "string":
		return &node{kind: 's', str: g.strAt(name, parent, s, path)}
	case "integer", "long":
		v := 1.0
		if s.Min != nil && *s.Min > v {
			v = *s.Min
		}
		return &node{kind: 'n', str: strconv.FormatFloat(v, 'f', -1, 64)}
	case "double", "float":
		return &node{kind: 'n', str: "1"}
	case "boolean":
		return &node{kind: 'b', str: "false"}
	case "timestamp":
		return &node{kind: 'n', str: "1767225600"}
	case "blob":
		return &node{kind: 's', str: "AA=="}
	}
	return &node{kind: 'z'}
}

// hexOf is a deterministic hex string of n digits for key.
func hexOf(key string, n int) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		h := fnv.New64a()
		fmt.Fprintf(h, "%s#%d", key, i)
		fmt.Fprintf(&b, "%016x", h.Sum64())
	}
	return b.String()[:n]
}

func (g *generator) str(name, parent string, s *Shape) string {
	return g.strAt(name, parent, s, name)
}

// strAt returns a realistic value for a string member.
func (g *generator) strAt(name, parent string, s *Shape, path string) string {
	if len(s.Enum) > 0 {
		return s.Enum[0]
	}
	key := g.op + "/" + path
	single := strings.TrimSuffix(name, "s")
	v := ""
	switch {
	case strings.Contains(s.Name, "IamRoleArn") || strings.HasSuffix(single, "RoleArn") || strings.HasSuffix(name, "Role"):
		v = "arn:aws:iam::" + OtherAccount + ":role/tenant-b-" + strings.ToLower(hexOf(key, 8))
	case name == "ResourceArn":
		if g.a.Name == "sms-voice-v2" {
			v = "arn:aws:sms-voice:us-east-1:" + OwnAccount + ":pool/pool-" + hexOf(key, 32)
		} else {
			v = "arn:aws:mobiletargeting:us-east-1:" + OwnAccount + ":apps/" + hexOf(key, 32)
		}
	case strings.HasSuffix(single, "Arn") || strings.HasPrefix(s.Pattern, "arn:"):
		v = otherARN(name, hexOf(key, 8))
	case name == "Identity":
		v = "arn:aws:ses:us-east-1:" + OtherAccount + ":identity/tenant-b-" + hexOf(key, 6) + ".example.com"
	case strings.HasSuffix(name, "FunctionName"):
		v = "arn:aws:lambda:us-east-1:" + OtherAccount + ":function:tenant-b-" + hexOf(key, 8)
	case strings.Contains(s.Pattern, "s3://") || strings.Contains(name, "S3Url") || strings.Contains(name, "MediaUrl") && g.a.Name == "sms-voice-v2":
		v = "s3://tenant-b-bucket-" + hexOf(key, 6) + "/media/" + hexOf(key+"k", 6) + ".png"
	case strings.HasSuffix(single, "Url"):
		v = "https://example.com/" + hexOf(key, 8)
	case strings.HasSuffix(name, "BucketName"):
		v = "tenant-b-bucket-" + hexOf(key, 6)
	case strings.Contains(name, "PhoneNumber") && !strings.HasSuffix(single, "Id") || name == "DestinationIdentity" || name == "OptedOutNumber" || strings.HasSuffix(name, "PhoneNumbers"):
		v = "+12065550100"
	case strings.Contains(name, "IsoCountryCode") || name == "EnabledCountries":
		v = "US"
	case name == "TemplateType":
		v = "EMAIL"
	case name == "AttributeType":
		v = "endpoint-custom-attributes"
	case name == "KpiName":
		v = "email-open-rate"
	case name == "Version":
		v = "1"
	case name == "OriginationIdentity":
		v = "phone-" + hexOf(key, 32)
	case name == "Key":
		v = "tenant"
	case name == "Value":
		v = "b"
	case name == "MaxPrice" || name == "MaxPricePerMinute":
		v = "0.50"
	case strings.HasSuffix(single, "Id") || strings.HasSuffix(single, "Name") || strings.HasSuffix(name, "Identity"):
		stem := strings.TrimSuffix(strings.TrimSuffix(single, "Id"), "Name")
		if g.a.Name == "pinpoint" && strings.HasSuffix(single, "Id") {
			v = hexOf(key, 32)
		} else {
			v = kebab(stem) + "-" + hexOf(key, 16)
		}
	default:
		v = "v" + hexOf(key, 7)
	}
	if s.Max != nil && float64(len(v)) > *s.Max {
		v = v[:int(*s.Max)]
	}
	for s.Min != nil && float64(len(v)) < *s.Min {
		v += "0"
	}
	return v
}

// labelValue is a label's value: an identifier named after the label member.
func (g *generator) labelValue(member string) string {
	return g.strAt(member, "", &Shape{Name: "label"}, "{"+member+"}")
}

// otherARN is an ARN of another account for a member named name.
func otherARN(name, h string) string {
	pfx := ":" + OtherAccount + ":"
	switch {
	case strings.Contains(name, "Topic") || strings.Contains(name, "TwoWayChannel"):
		return "arn:aws:sns:us-east-1" + pfx + "tenant-b-topic-" + h
	case strings.Contains(name, "DeliveryStream"):
		return "arn:aws:firehose:us-east-1" + pfx + "deliverystream/tenant-b-" + h
	case strings.Contains(name, "Stream"):
		return "arn:aws:kinesis:us-east-1" + pfx + "stream/tenant-b-" + h
	case strings.Contains(name, "LogGroup"):
		return "arn:aws:logs:us-east-1" + pfx + "log-group:tenant-b-" + h
	case strings.Contains(name, "ConnectCampaign"):
		return "arn:aws:connect:us-east-1" + pfx + "instance/tenant-b/campaign/" + h
	}
	return "arn:aws:sns:us-east-1" + pfx + "tenant-b-" + strings.ToLower(name) + "-" + h
}

// kebab turns "ConfigurationSet" into "configuration-set".
func kebab(s string) string {
	var b strings.Builder
	for i, r := range s {
		if 'A' <= r && r <= 'Z' {
			if i > 0 {
				b.WriteByte('-')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	if b.Len() == 0 {
		return "id"
	}
	return b.String()
}

// encode writes n as JSON, keeping member order and duplicates.
func encode(n *node) []byte {
	var b bytes.Buffer
	encodeTo(&b, n)
	return b.Bytes()
}

func encodeTo(b *bytes.Buffer, n *node) {
	switch n.kind {
	case 'o':
		b.WriteByte('{')
		for i, p := range n.pairs {
			if i > 0 {
				b.WriteByte(',')
			}
			k, _ := json.Marshal(p.key)
			b.Write(k)
			b.WriteByte(':')
			encodeTo(b, p.val)
		}
		b.WriteByte('}')
	case 'a':
		b.WriteByte('[')
		for i, e := range n.elems {
			if i > 0 {
				b.WriteByte(',')
			}
			encodeTo(b, e)
		}
		b.WriteByte(']')
	case 's':
		s, _ := json.Marshal(n.str)
		b.Write(s)
	case 'n':
		b.WriteString(n.str)
	case 'b':
		if n.str == "true" {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	default:
		b.WriteString("null")
	}
}

// gzipBytes compresses b.
func gzipBytes(b []byte) []byte {
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	zw.Write(b)
	zw.Close()
	return out.Bytes()
}
