package codegen

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

type genVar struct {
	name    string
	label   string
	literal string
	member  string
	upper   bool
}

type genRes struct {
	kind     string // srcPath, srcMembers, srcList, srcARN, srcOrigination
	types    []string
	required bool
	arn      string
	vars     []genVar
	member   string // list member, ARN member/label, origination member
	elemObj  bool   // list elements are structures holding the vars
}

type genDep struct {
	kind   string // depTags, depMember, depChannel
	action string
	member string
	value  string
	typ    string
	arn    string
	vars   []genVar
}

type genMember struct {
	name string
	kind byte
}

type genOp struct {
	api, name, action, method, uri, target  string
	access                                  string // the action's access level (IAM reference)
	needBody                                bool
	tagsMember, tagKeysMember, tagKeysQuery string
	tagsList                                bool
	members                                 []genMember
	res                                     []genRes
	deps                                    []genDep
	refs                                    []genRef
	dests                                   []genDest
}

// pinpointLabel gives the URI label that carries an ARN variable of the
// mobiletargeting resource types; the default is the kebab-case variable name.
var pinpointLabel = map[string]string{"AppId": "application-id"}

// originationTypes are the sms-voice resource types that an
// OriginationIdentity (or a ResourceId) can name.
var originationTypes = map[string]bool{"PhoneNumber": true, "Pool": true, "SenderId": true, "RcsAgent": true}

// createdBy names, for create operations whose request names the new
// resource, the resource type it creates (used as the resource of the
// dependent sms-voice:TagResource).
var createdBy = map[string]string{
	"CreateConfigurationSet": "ConfigurationSet",
	"CreateOptOutList":       "OptOutList",
	"RequestSenderId":        "SenderId",
}

var varRe = regexp.MustCompile(`\$\{([A-Za-z]+)\}`)

func kebab(s string) string {
	var b strings.Builder
	for i, r := range s {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r + 'a' - 'A')
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func templateVars(arn string) []string {
	var vars []string
	for _, m := range varRe.FindAllStringSubmatch(arn, -1) {
		switch m[1] {
		case "Partition", "Region", "Account":
		default:
			vars = append(vars, m[1])
		}
	}
	return vars
}

// operation builds the table entry of operation e of api: its HTTP binding,
// body members, resources, dependent actions and references.
func (g *gen) operation(api string, e opEntry) (*genOp, error) {
	if e.AccessLevel == "" {
		return nil, fmt.Errorf("no access level")
	}
	op := &genOp{api: api, name: e.Op, action: e.Action, access: e.AccessLevel}
	in, m := g.inputShape(api, e.Op)
	if err := op.bind(e); err != nil {
		return nil, err
	}
	body := in
	if in.Payload != "" {
		s := m.Shapes[in.Members[in.Payload].Shape]
		body = &s
	}
	if err := op.bodyMembers(m, body, in.Payload != ""); err != nil {
		return nil, err
	}
	for q, mem := range e.QueryParams {
		if mem == "TagKeys" {
			op.tagKeysQuery = q
		}
	}
	if err := g.resources(op, e, body, m); err != nil {
		return nil, err
	}
	passRoleListed, err := g.dependents(op, e, body)
	if err != nil {
		return nil, err
	}
	// References (roles included), from every member at any depth.
	refs, err := g.references(api, m, bodyShapeName(e, m, in), body, in.Payload == "", op.ownPaths())
	if err != nil {
		return nil, err
	}
	op.refs = refs
	roles := 0
	for _, r := range refs {
		if r.derive == "refRole" {
			roles++
		}
	}
	if len(refs) > 0 {
		op.needBody = true
	}
	// Destinations: who the message goes to.
	if op.dests, err = g.destinations(api, m, bodyShapeName(e, m, in), body, in.Payload == ""); err != nil {
		return nil, err
	}
	if len(op.dests) > 0 {
		op.needBody = true
	}

	if passRoleListed && roles == 0 {
		return nil, errors.New("iam:PassRole dependent but no role member")
	}
	return op, nil
}

// bind sets op's method and URI, and for SMS and Voice v2 its target (which
// must be POST / with PinpointSMSVoiceV2.<Operation>).
func (op *genOp) bind(e opEntry) error {
	if op.api == apiSMSVoiceV2 {
		if e.HTTP.Method != "POST" || e.HTTP.RequestURI != "/" || e.HTTP.Target != "PinpointSMSVoiceV2."+e.Op {
			return fmt.Errorf("unexpected v2 binding %s %s %s", e.HTTP.Method, e.HTTP.RequestURI, e.HTTP.Target)
		}
		op.method, op.uri, op.target = "POST", "/", e.HTTP.Target
		op.needBody = true
		return nil
	}
	op.method = e.HTTP.Method
	op.uri = e.HTTP.RequestURI
	if i := strings.IndexByte(op.uri, '?'); i >= 0 {
		return fmt.Errorf("request URI with a query part %q is not supported", op.uri)
	}
	return nil
}

// bodyMembers records the members of body (for v1 and v2 the top-level
// members not bound elsewhere, for Pinpoint the payload's members, payload
// set) with their JSON kinds (SMS and Voice only) and finds the tags and tag
// keys members.
func (op *genOp) bodyMembers(m *model, body *shape, payload bool) error {
	var names []string
	for k, v := range body.Members {
		if !payload && v.Location != "" {
			continue
		}
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		v := body.Members[k]
		jn := v.wireName(k)
		if op.api != apiPinpoint {
			kind := jsonKind(m, v.Shape)
			if kind == 0 {
				return fmt.Errorf("member %s: shape type %q has no JSON kind rule", k, m.Shapes[v.Shape].Type)
			}
			op.members = append(op.members, genMember{name: jn, kind: kind})
		}
		sh := m.Shapes[v.Shape]
		switch {
		case op.api == apiPinpoint && jn == "tags" && sh.Type == "map":
			op.tagsMember = jn
			op.needBody = true
		case op.api == apiSMSVoiceV2 && jn == "Tags" && sh.Type == "list":
			op.tagsMember, op.tagsList = jn, true
		case op.api == apiSMSVoiceV2 && jn == "TagKeys" && sh.Type == "list":
			op.tagKeysMember = jn
		}
	}
	return nil
}

// resources binds the resource types of e to the request, by API.
func (g *gen) resources(op *genOp, e opEntry, body *shape, m *model) error {
	switch op.api {
	case apiPinpoint:
		return g.pinpointResources(op, e)
	case apiSMSVoice:
		if len(e.ResourceTypes) != 0 {
			return errors.New("v1 SMS and Voice operation with resource types")
		}
	case apiSMSVoiceV2:
		return g.v2Resources(op, e, body, m)
	}
	return nil
}

// dependents adds the dependent actions of e that the runtime evaluates and
// fails on any other. It reports whether e lists iam:PassRole, which is
// derived from the role members instead, for every operation that passes a
// role, whether or not the reference lists it.
func (g *gen) dependents(op *genOp, e opEntry, body *shape) (passRoleListed bool, err error) {
	for _, d := range e.Dependent {
		switch {
		case d == "iam:PassRole":
			passRoleListed = true
		case d == "sms-voice:TagResource":
			if op.tagsMember == "" {
				return false, errors.New("sms-voice:TagResource dependent but no Tags member")
			}
			op.deps = append(op.deps, g.tagDependent(d, e))
		case d == "sms-voice:AssociateOriginationIdentity":
			if _, ok := body.Members["PoolId"]; !ok {
				return false, errors.New("AssociateOriginationIdentity dependent without PoolId")
			}
			op.deps = append(op.deps, genDep{kind: "depMember", action: d, member: "PoolId", typ: "Pool", arn: g.typeARN("Pool"),
				vars: []genVar{{name: "PoolId", member: "PoolId"}}})
		case (d == "sms-voice:SendTextMessage" || d == "sms-voice:SendVoiceMessage") && body.Members["VerificationChannel"].Shape != "":
			val := "TEXT"
			if d == "sms-voice:SendVoiceMessage" {
				val = "VOICE"
			}
			op.deps = append(op.deps, genDep{kind: "depChannel", action: d, member: "VerificationChannel", value: val})
		default:
			return false, fmt.Errorf("dependent action %s: no rule to evaluate it", d)
		}
	}
	return passRoleListed, nil
}

// tagDependent is the dependent action (sms-voice:TagResource) of an
// operation that passes tags: on the resource it creates when the request
// names it (createdBy), else on "*".
func (g *gen) tagDependent(action string, e opEntry) genDep {
	dep := genDep{kind: "depTags", action: action}
	if t, ok := createdBy[e.Op]; ok {
		rt := findType(e, t)
		if rt == "" {
			rt = g.typeARN(t)
		}
		dep.typ, dep.arn = t, rt
		for _, v := range templateVars(rt) {
			dep.vars = append(dep.vars, genVar{name: v, member: v})
		}
	}
	return dep
}

// ownPaths returns the JSON paths of the members that bind the operation's
// own resources and dependent actions (SMS and Voice v2 only): they are not
// references.
func (op *genOp) ownPaths() map[string]bool {
	own := map[string]bool{}
	if op.api != apiSMSVoiceV2 {
		return own
	}
	for _, r := range op.res {
		switch {
		case r.kind == "srcList" && r.elemObj:
			for _, v := range r.vars {
				own[r.member+".[]."+v.member] = true
			}
		case r.kind == "srcList":
			own[r.member+".[]"] = true
		case r.kind == "srcMembers":
			for _, v := range r.vars {
				own[v.member] = true
			}
		default:
			own[r.member] = true
		}
	}
	for _, d := range op.deps {
		own[d.member] = true
		for _, v := range d.vars {
			own[v.member] = true
		}
	}
	return own
}

func (g *gen) typeARN(t string) string { return g.smsTypes[t] }

func findType(e opEntry, t string) string {
	for _, r := range e.ResourceTypes {
		if r.Name == t {
			return r.ARN
		}
	}
	return ""
}

// bodyShapeName returns the name of the shape of the request body of e: the payload
// member's shape, or the input shape.
func bodyShapeName(e opEntry, m *model, in *shape) string {
	if in.Payload != "" {
		return in.Members[in.Payload].Shape
	}
	if i := m.Operations[e.Op].Input; i != nil {
		return i.Shape
	}
	return ""
}

func (g *gen) pinpointResources(op *genOp, e opEntry) error {
	labels := map[string]bool{}
	for l := range e.URILabels {
		labels[l] = true
	}
	if e.URILabels["resource-arn"] != "" {
		r := genRes{kind: "srcARN", member: "resource-arn", required: true}
		for _, t := range e.ResourceTypes {
			r.types = append(r.types, t.Name)
		}
		op.res = append(op.res, r)
		return nil
	}
	segs := strings.Split(strings.TrimPrefix(op.uri, "/"), "/")
	for _, t := range e.ResourceTypes {
		if !t.Required {
			return fmt.Errorf("optional pinpoint resource type %s has no binding rule", t.Name)
		}
		r := genRes{kind: "srcPath", types: []string{t.Name}, required: true, arn: t.ARN}
		for _, v := range templateVars(t.ARN) {
			gv := genVar{name: v}
			label := pinpointLabel[v]
			if label == "" {
				label = kebab(v)
			}
			switch {
			case labels[label]:
				gv.label = label
				gv.upper = v == "TemplateType"
			case v == "ChannelType":
				for i, s := range segs {
					if s == "channels" && i+1 < len(segs) && !strings.HasPrefix(segs[i+1], "{") {
						gv.literal = segs[i+1]
					}
				}
			case v == "TemplateType":
				for i, s := range segs {
					if s == "{template-name}" && i+1 < len(segs) && !strings.HasPrefix(segs[i+1], "{") {
						gv.literal = strings.ToUpper(segs[i+1])
					}
				}
			}
			if gv.label == "" && gv.literal == "" {
				return fmt.Errorf("resource type %s: ARN variable %s has no URI binding", t.Name, v)
			}
			r.vars = append(r.vars, gv)
		}
		op.res = append(op.res, r)
	}
	return nil
}

func (g *gen) v2Resources(op *genOp, e opEntry, body *shape, m *model) error {
	if len(e.ResourceTypes) == 0 {
		return nil
	}
	if _, ok := body.Members["ResourceArn"]; ok {
		r := genRes{kind: "srcARN", member: "ResourceArn"}
		for _, t := range e.ResourceTypes {
			r.types = append(r.types, t.Name)
			r.required = r.required || t.Required
		}
		op.res = append(op.res, r)
		return nil
	}
	poly := -1 // index in op.res of the origination slot
	for _, t := range e.ResourceTypes {
		vars := templateVars(t.ARN)
		if len(vars) == 0 {
			return fmt.Errorf("resource type %s: ARN without variables", t.Name)
		}
		all := true
		for _, v := range vars {
			if _, ok := body.Members[v]; !ok {
				all = false
			}
		}
		if all {
			r := genRes{kind: "srcMembers", types: []string{t.Name}, required: t.Required, arn: t.ARN, member: vars[0]}
			for _, v := range vars {
				r.vars = append(r.vars, genVar{name: v, member: v})
			}
			op.res = append(op.res, r)
			continue
		}
		if lm, ok := body.Members[vars[0]+"s"]; ok && m.Shapes[lm.Shape].Type == "list" {
			el := m.Shapes[m.Shapes[lm.Shape].Member.Shape]
			r := genRes{kind: "srcList", types: []string{t.Name}, required: t.Required, arn: t.ARN, member: vars[0] + "s", elemObj: el.Type == "structure"}
			for _, v := range vars {
				if r.elemObj {
					if _, ok := el.Members[v]; !ok {
						return fmt.Errorf("resource type %s: list element lacks %s", t.Name, v)
					}
				} else if len(vars) > 1 {
					return fmt.Errorf("resource type %s: string list for a multi-variable ARN", t.Name)
				}
				r.vars = append(r.vars, genVar{name: v, member: v})
			}
			op.res = append(op.res, r)
			continue
		}
		polyMember := ""
		for _, cand := range []string{"OriginationIdentity", "ResourceId"} {
			if _, ok := body.Members[cand]; ok && originationTypes[t.Name] {
				polyMember = cand
				break
			}
		}
		if polyMember == "" {
			return fmt.Errorf("resource type %s (%s) has no request member", t.Name, t.ARN)
		}
		if poly < 0 {
			op.res = append(op.res, genRes{kind: "srcOrigination", member: polyMember})
			poly = len(op.res) - 1
		} else if op.res[poly].member != polyMember {
			return fmt.Errorf("two polymorphic members %s and %s", op.res[poly].member, polyMember)
		}
		op.res[poly].types = append(op.res[poly].types, t.Name)
		op.res[poly].required = op.res[poly].required || t.Required
	}
	return nil
}
