package apimap

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

var (
	v2Ops     = map[string]*opSpec{}
	actionSet = map[string]struct{}{}
)

func init() {
	if err := compileTables(); err != nil {
		panic("apimap: compiling the generated table: " + err.Error())
	}
}

// compileTables turns the generated tables into the lookup structures: the
// partition index, the ARN templates, the REST trie and the target index.
func compileTables() error {
	if err := compilePartitions(); err != nil {
		return err
	}
	byType, err := compileResourceTypes()
	if err != nil {
		return err
	}
	for _, a := range knownActions {
		actionSet[a] = struct{}{}
	}
	for i := range operationTable {
		if err := compileOperation(&operationTable[i], byType); err != nil {
			return err
		}
	}
	return compileUnmodeled()
}

// compilePartitions compiles each partition's region pattern and indexes
// its listed regions.
func compilePartitions() error {
	for _, p := range partitionTable {
		re, err := regexp.Compile(p.regionRegex)
		if err != nil {
			return fmt.Errorf("partition %s: %w", p.id, err)
		}
		partitionRegexes = append(partitionRegexes, compiledPartition{id: p.id, re: re})
		for _, r := range p.regions {
			regionPartition[r] = p.id
		}
	}
	return nil
}

// compileResourceTypes compiles the ARN template of every resource type into
// resourceTemplates and typeTemplates, sets the origination templates, and
// returns the templates by "prefix/type".
func compileResourceTypes() (map[string]*arnTemplate, error) {
	byType := map[string]*arnTemplate{}
	for _, rt := range resourceTypeTable {
		t, err := compileTemplate(rt.name, rt.arn)
		if err != nil {
			return nil, err
		}
		if t.service != rt.service {
			return nil, fmt.Errorf("resource type %s: ARN service %q, want %q", rt.name, t.service, rt.service)
		}
		resourceTemplates[rt.service] = append(resourceTemplates[rt.service], t)
		byType[rt.service+"/"+rt.name] = t
		typeTemplates[rt.service+"/"+rt.name] = t
	}
	poolTemplate, phoneTemplate, rcsTemplate = byType["sms-voice/Pool"], byType["sms-voice/PhoneNumber"], byType["sms-voice/RcsAgent"]
	if poolTemplate == nil || phoneTemplate == nil || rcsTemplate == nil {
		return nil, fmt.Errorf("missing sms-voice Pool, PhoneNumber or RcsAgent resource type")
	}
	return byType, nil
}

// compileOperation checks op against the known actions and resource types
// (byType), compiles its ARN templates, reference and destination paths, and makes it
// findable by target or route.
func compileOperation(op *opSpec, byType map[string]*arnTemplate) error {
	if op.action == "" || !IsKnownAction(op.action) {
		return fmt.Errorf("%s: action %q is not known", op.name, op.action)
	}
	svc := SigningName(op.api)
	if svc == "" {
		return fmt.Errorf("%s: unknown api %q", op.name, op.api)
	}
	if len(op.members) > 64 {
		return fmt.Errorf("%s: more than 64 members", op.name)
	}
	if err := compileResources(op, svc, byType); err != nil {
		return err
	}
	if err := compileDependents(op); err != nil {
		return err
	}
	if err := compileReferences(op); err != nil {
		return err
	}
	if err := compileDestinations(op); err != nil {
		return err
	}
	if err := bindOperation(op); err != nil {
		return err
	}
	if op.name == "TagResource" {
		noteTaggable(op, svc)
	}
	return nil
}

// compileResources checks that op's resource types exist under svc and
// compiles the ARN template of each resource built from the request, whose
// variables must be the ones bound.
func compileResources(op *opSpec, svc string, byType map[string]*arnTemplate) error {
	for j := range op.resources {
		rs := &op.resources[j]
		for _, typ := range rs.types {
			if byType[svc+"/"+typ] == nil {
				return fmt.Errorf("%s: unknown resource type %s", op.name, typ)
			}
		}
		if rs.arn == "" {
			continue
		}
		t, err := compileTemplate(rs.types[0], rs.arn)
		if err != nil {
			return fmt.Errorf("%s: %w", op.name, err)
		}
		if len(t.vars) != len(rs.vars) {
			return fmt.Errorf("%s: %d variables bound, template has %d", op.name, len(rs.vars), len(t.vars))
		}
		for k, v := range rs.vars {
			if t.vars[k] != v.name {
				return fmt.Errorf("%s: variable %d is %s, template has %s", op.name, k, v.name, t.vars[k])
			}
		}
		rs.tmpl = t
	}
	return nil
}

// compileDependents compiles the ARN template of each dependent action of
// op that has one.
func compileDependents(op *opSpec) error {
	for j := range op.deps {
		d := &op.deps[j]
		if d.arn == "" {
			continue
		}
		t, err := compileTemplate(d.typ, d.arn)
		if err != nil {
			return fmt.Errorf("%s: %w", op.name, err)
		}
		d.tmpl = t
	}
	return nil
}

// compileReferences checks op's reference specs and fixes the member path of
// those whose path crosses no list or map.
func compileReferences(op *opSpec) error {
	for j := range op.refs {
		r := &op.refs[j]
		if len(r.path) == 0 || r.derive == 0 || r.kind == "" || slices.Contains(r.path, "{key}") { // map keys are destinations only (walkPath)
			return fmt.Errorf("%s: bad reference %+v", op.name, r)
		}
		if !slices.Contains(r.path, "[]") && !slices.Contains(r.path, "{}") {
			r.member = strings.Join(r.path, ".")
		}
	}
	return nil
}

// bindOperation indexes op by its X-Amz-Target (SMS and Voice v2) or adds
// its route to the REST trie.
func bindOperation(op *opSpec) error {
	if op.target == "" {
		return addRoute(op)
	}
	name := strings.TrimPrefix(op.target, v2TargetPrefix)
	if name == op.target || v2Ops[name] != nil || op.uri != "/" || op.method != "POST" {
		return fmt.Errorf("%s: bad target binding %q", op.name, op.target)
	}
	v2Ops[name] = op
	return nil
}

// noteTaggable records the resource types that op, a TagResource operation
// of service svc, accepts by ARN as taggable (see TaggableOwner).
func noteTaggable(op *opSpec, svc string) {
	for _, rs := range op.resources {
		if rs.src != srcARN {
			continue
		}
		if taggableTypes[svc] == nil {
			taggableTypes[svc] = map[string]bool{}
		}
		for _, typ := range rs.types {
			taggableTypes[svc][typ] = true
		}
	}
}
