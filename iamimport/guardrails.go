package iamimport

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pinpointgw/gateway/authz"
)

// DefaultLevel is the level of an SCP or RCP given without one.
const DefaultLevel = "account"

// How AWS applies organization policies, and how the store can hold them.
//
// SCPs are applied level by level: at the root, each OU on the way and the
// account, at least one SCP attached there must allow, and a Deny in any
// denies (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html).
// The store's guardrails are one level: one of them must allow, any Deny
// denies (README "The store"). The import carries:
//
//   - every Deny statement, exactly, from any level;
//   - a level whose Allow includes full access (FullAWSAccess: "*" on "*",
//     no condition) adds nothing else;
//   - a level whose Allow statements all name actions on "*" without
//     conditions becomes one Deny with NotAction (their actions) on "*":
//     exactly "denied unless this level allows it";
//   - a level with Allow statements that have conditions, NotAction or
//     resources cannot be rewritten so: one such level is carried as the
//     guardrails' Allow statements; with several, GuardrailLevel picks one
//     and the others are dropped and reported, else the import is refused;
//   - when no level is of the last kind, a guardrail allowing "*" on "*"
//     stands for the levels' allows.
//
// RCPs allow only through RCPFullAWSAccess, which every level has
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html),
// so their Deny statements carry exactly. RCPs apply to the resources of a
// few services only, STS among them and neither Amazon Pinpoint, End User
// Messaging SMS and Voice nor IAM
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html):
// of what the gateway decides they reach sts:AssumeRole, sts:TagSession and
// sts:SetSourceIdentity on its roles, so each Deny is narrowed to those
// actions, its Principal "*" removed (every caller of the gateway is an IAM
// principal), and one that reaches none of them is reported.

// scpLevel gathers the Allow statements of one SCP level.
type scpLevel struct {
	name     string
	full     bool                         // a FullAWSAccess-like statement
	simple   []string                     // Action patterns of Allow statements on "*" without conditions
	complex  bool                         // an Allow with conditions, NotAction or resources
	anyAllow bool                         // an Allow statement, reaching the gateway's actions or not
	allows   []map[string]json.RawMessage // every Allow statement that can apply
	sources  []string
}

// orgPolicyDoc returns an organization policy's name and document.
func orgPolicyDoc(op OrgPolicy, wantType string) (name string, doc []byte, err error) {
	var dp describePolicy
	if err := json.Unmarshal(op.Data, &dp); err != nil {
		return "", nil, fmt.Errorf("%s: %w", op.Source, err)
	}
	if dp.Policy == nil {
		name = strings.TrimSuffix(filepath.Base(op.Source), filepath.Ext(op.Source))
		return name, op.Data, nil
	}
	if t := dp.Policy.PolicySummary.Type; t != "" && t != wantType {
		return "", nil, fmt.Errorf("%s: policy type %s, want %s", op.Source, t, wantType)
	}
	if dp.Policy.Content == "" {
		return "", nil, fmt.Errorf("%s: Policy.Content is empty", op.Source)
	}
	name = dp.Policy.PolicySummary.Name
	if name == "" {
		name = strings.TrimSuffix(filepath.Base(op.Source), filepath.Ext(op.Source))
	}
	return name, []byte(dp.Policy.Content), nil
}

// isStar reports whether an element is "*" or ["*"].
func isStar(st map[string]json.RawMessage, field string) bool {
	v, ok, err := strs(st, field)
	return ok && err == nil && len(v) == 1 && v[0] == "*"
}

// addGuardrails carries the SCPs and RCPs.
func (im *importer) addGuardrails() error {
	im.out.Guardrails = map[string]json.RawMessage{}
	var levels []*scpLevel
	level := func(n string) *scpLevel {
		for _, l := range levels {
			if l.name == n {
				return l
			}
		}
		l := &scpLevel{name: n}
		levels = append(levels, l)
		return l
	}
	for _, op := range im.opts.SCPs {
		if err := im.addSCP(op, level); err != nil {
			return err
		}
	}
	var complexLevels []*scpLevel
	for _, l := range levels {
		subject := "scp level " + l.name
		switch {
		case l.full:
			im.rep.add(Transformed, subject, "full access (FullAWSAccess) allows everything: only its Deny statements are carried")
		case len(l.allows) == 0 && !l.anyAllow:
			im.rep.add(Transformed, subject, "no SCP given for this level has an Allow statement, so AWS denies everything there: carried as a Deny of everything (FullAWSAccess is attached to every level unless removed: give it with --scp %s=FILE)", l.name)
			im.out.Guardrails["scp/"+l.name+"/allows-nothing"] = json.RawMessage(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`)
		case len(l.allows) == 0:
			im.rep.add(Transformed, subject, "no Allow statement reaches an action the gateway evaluates: carried as a Deny of everything")
			im.out.Guardrails["scp/"+l.name+"/allows-nothing"] = json.RawMessage(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`)
		case !l.complex:
			slices.Sort(l.simple)
			l.simple = slices.Compact(l.simple)
			doc, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": []any{
				map[string]any{"Sid": "OnlyWhatThisLevelAllows", "Effect": "Deny", "NotAction": l.simple, "Resource": "*"}}})
			im.out.Guardrails["scp/"+l.name+"/allowed-actions"] = doc
			im.rep.add(Transformed, subject, "its Allow statements (%s) carried as one Deny with NotAction on \"*\" (each level must allow)", short(l.simple))
		default:
			complexLevels = append(complexLevels, l)
		}
	}
	var kept *scpLevel
	if l := im.opts.GuardrailLevel; l != "" && !slices.ContainsFunc(complexLevels, func(c *scpLevel) bool { return c.name == l }) {
		return fmt.Errorf("--guardrail-level %s: no SCP level of that name has Allow statements with conditions, NotAction or resources", l)
	}
	switch {
	case len(complexLevels) == 1:
		kept = complexLevels[0]
	case len(complexLevels) > 1:
		var names []string
		for _, l := range complexLevels {
			names = append(names, l.name)
			if l.name == im.opts.GuardrailLevel {
				kept = l
			}
		}
		if kept == nil {
			return fmt.Errorf("SCP levels %s each have Allow statements with conditions, NotAction or resources: the store's guardrails have one level of SCP semantics, so only one can be carried; pick it with --guardrail-level (the others are then reported as dropped)", strings.Join(names, ", "))
		}
		for _, l := range complexLevels {
			if l != kept {
				im.rep.add(NotExact, "scp level "+l.name, "its Allow statements are dropped (--guardrail-level %s): the gateway does not require this level to allow", kept.name)
			}
		}
	}
	if kept != nil {
		doc, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": kept.allows})
		if _, err := authz.Parse("scp/"+kept.name+"/allows", doc, authz.Guardrail); err != nil {
			return fmt.Errorf("SCP level %s: its Allow statements: %w", kept.name, err)
		}
		im.out.Guardrails["scp/"+kept.name+"/allows"] = doc
		im.rep.add(Transformed, "scp level "+kept.name, "its Allow statements are the guardrails' allows (one of them must allow)")
	}
	for _, op := range im.opts.RCPs {
		if err := im.addRCP(op); err != nil {
			return err
		}
	}
	if kept == nil && len(im.out.Guardrails) > 0 {
		im.out.Guardrails["allow-all"] = json.RawMessage(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	}
	if len(im.out.Guardrails) == 0 {
		im.out.Guardrails = nil
	}
	return nil
}

// addSCP carries one SCP's Deny statements and gathers its Allow
// statements into its level.
func (im *importer) addSCP(op OrgPolicy, level func(string) *scpLevel) error {
	name, doc, err := orgPolicyDoc(op, "SERVICE_CONTROL_POLICY")
	if err != nil {
		return fmt.Errorf("reading SCP %w", err)
	}
	lv := op.Level
	if lv == "" {
		lv = DefaultLevel
	}
	l := level(lv)
	l.sources = append(l.sources, name)
	subject := "scp " + lv + "/" + name
	d, err := splitDoc(doc)
	if err != nil {
		return fmt.Errorf("SCP %s: %w", subject, err)
	}
	var denies []map[string]json.RawMessage
	var removed []string
	dropped := 0
	for i, st := range d.stmts {
		if str(st, "Effect") == "Allow" {
			l.anyAllow = true
		}
		keep, rm := pruneStatement(st, gatewayActions, true)
		removed = append(removed, rm...)
		if !keep {
			dropped++
			continue
		}
		im.checkKeys(subject, where(i, st), st)
		if str(st, "Effect") != "Allow" {
			denies = append(denies, st)
			continue
		}
		l.allows = append(l.allows, st)
		_, hasCond := st["Condition"]
		acts, hasAction, _ := strs(st, "Action")
		simple := hasAction && !hasCond && isStar(st, "Resource")
		switch {
		case simple && slices.Contains(acts, "*"):
			l.full = true
		case simple:
			l.simple = append(l.simple, acts...)
		default:
			l.complex = true
		}
	}
	if len(removed) > 0 || dropped > 0 {
		im.notePruned(subject, removed, dropped)
	}
	if len(denies) > 0 {
		d.stmts = denies
		gname := "scp/" + lv + "/" + name
		out, err := d.encode()
		if err == nil {
			_, err = authz.Parse(gname, out, authz.Guardrail)
		}
		if err != nil {
			return fmt.Errorf("SCP %s: %w", subject, err)
		}
		im.out.Guardrails[gname] = out
	}
	return nil
}

// addRCP carries one RCP's Deny statements that can reach the gateway's
// STS actions.
func (im *importer) addRCP(op OrgPolicy) error {
	name, doc, err := orgPolicyDoc(op, "RESOURCE_CONTROL_POLICY")
	if err != nil {
		return fmt.Errorf("reading RCP %w", err)
	}
	lv := op.Level
	if lv == "" {
		lv = DefaultLevel
	}
	subject := "rcp " + lv + "/" + name
	d, err := splitDoc(doc)
	if err != nil {
		return fmt.Errorf("RCP %s: %w", subject, err)
	}
	var denies []map[string]json.RawMessage
	for i, st := range d.stmts {
		at := where(i, st)
		if _, ok := st["NotPrincipal"]; ok {
			return fmt.Errorf("RCP %s %s: NotPrincipal is not supported in RCPs", subject, at)
		}
		if !principalStar(st["Principal"]) {
			return fmt.Errorf("RCP %s %s: Principal must be \"*\" in an RCP", subject, at)
		}
		if str(st, "Effect") == "Allow" {
			_, hasCond := st["Condition"]
			if !isStar(st, "Action") || !isStar(st, "Resource") || hasCond {
				return fmt.Errorf("RCP %s %s: an Allow other than RCPFullAWSAccess's (\"*\" on \"*\"), which RCPs do not support", subject, at)
			}
			continue // RCPFullAWSAccess: adds nothing
		}
		reach := stsReach(st)
		if len(reach) == 0 {
			im.rep.add(Inert, subject, "%s reaches no STS action the gateway evaluates; RCPs do not apply to Amazon Pinpoint, SMS and Voice or IAM", at)
			continue
		}
		delete(st, "Principal")
		delete(st, "NotAction")
		setStrs(st, "Action", reach)
		im.checkKeys(subject, at, st)
		im.rep.add(Transformed, subject, "%s narrowed to %s (RCPs apply to STS, not to Amazon Pinpoint, SMS and Voice or IAM) and its Principal \"*\" removed", at, strings.Join(reach, ", "))
		denies = append(denies, st)
	}
	if len(denies) == 0 {
		return nil
	}
	d.stmts = denies
	gname := "rcp/" + lv + "/" + name
	out, err := d.encode()
	if err == nil {
		_, err = authz.Parse(gname, out, authz.Guardrail)
	}
	if err != nil {
		return fmt.Errorf("RCP %s: %w", subject, err)
	}
	im.out.Guardrails[gname] = out
	return nil
}

// principalStar reports a Principal of "*" or {"AWS":"*"}.
func principalStar(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	if string(raw) == `"*"` {
		return true
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil || len(m) != 1 {
		return false
	}
	v, ok, err := strs(m, "AWS")
	return ok && err == nil && len(v) == 1 && v[0] == "*"
}

// stsReach returns the STS actions (of the gateway's) a statement's Action
// or NotAction element matches, as AWS spells them.
func stsReach(st map[string]json.RawMessage) []string {
	spelled := map[string]string{"sts:assumerole": "sts:AssumeRole", "sts:tagsession": "sts:TagSession", "sts:setsourceidentity": "sts:SetSourceIdentity"}
	acts, isAction, err := strs(st, "Action")
	not := false
	if !isAction {
		acts, _, err = strs(st, "NotAction")
		not = true
	}
	if err != nil {
		return nil
	}
	var pats []authz.ActionPattern
	for _, a := range acts {
		if p, err := authz.CompileActionPattern(a); err == nil {
			pats = append(pats, p)
		}
	}
	var out []string
	for _, a := range stsActions {
		if slices.ContainsFunc(pats, func(p authz.ActionPattern) bool { return p.Matches(a) }) != not {
			out = append(out, spelled[a])
		}
	}
	return out
}
