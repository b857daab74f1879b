package authz

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
)

// SimulateOptions configures Simulate.
type SimulateOptions struct {
	// Lint adds the policies' lint warnings to each answer.
	Lint bool
	// KnownAction reports whether an action exists (apimap.IsKnownAction); used by Lint.
	KnownAction func(string) bool
	// RetiredOnly reports whether every known action an action pattern matches is of an
	// operation AWS retired; used by Lint (LintRetired) when set.
	RetiredOnly func(pattern string) bool
	// PrincipalPolicies, when set (the --store flag), brings a principal ARN's attached policies:
	// its identity policies are added to the case's, its boundary applies unless the case has one.
	PrincipalPolicies func(principalARN string) (identity []*Policy, boundary *Policy, ok bool)
	// ResourcePolicy, when set, gives the resource-based policy of a resource ARN (nil if none);
	// it applies to cases without a resource_policy.
	ResourcePolicy func(resourceARN string) *Policy
	// Guardrails, when set, gives the guardrails that apply to cases without guardrails.
	Guardrails func() []*Policy
}

// simCase is one line of Simulate's input.
type simCase struct {
	Action              string                     `json:"action"`
	Resource            string                     `json:"resource"`
	Principal           string                     `json:"principal"`
	Context             map[string]json.RawMessage `json:"context"`
	IdentityPolicies    []json.RawMessage          `json:"identity_policies"`
	ResourcePolicy      json.RawMessage            `json:"resource_policy"`
	PermissionsBoundary json.RawMessage            `json:"permissions_boundary"`
	SessionPolicy       json.RawMessage            `json:"session_policy"`
	Guardrails          []json.RawMessage          `json:"guardrails"`
}

type simAnswer struct {
	Decision string   `json:"decision,omitempty"`
	Matched  *[]Match `json:"matched,omitempty"` // present (possibly empty) with every decision
	Warnings []string `json:"warnings,omitempty"`
	Error    string   `json:"error,omitempty"`
}

// maxSimLine bounds one input line.
const maxSimLine = 16 << 20

// Simulate is the engine of `gateway simulate`: it reads one JSON case a line from in and writes
// one JSON answer a line to out:
//
//	{"action":"mobiletargeting:GetApp","resource":"arn:...","principal":"arn:...",
//	 "context":{"aws:PrincipalTag/team":"blue","aws:TagKeys":["a","b"]},
//	 "identity_policies":[...],"resource_policy":{...},"permissions_boundary":{...},
//	 "session_policy":{...},"guardrails":[...]}
//
// answers {"decision":"Allow","matched":[{"type":"identity","policy":"name","sid":"",
// "index":0,"effect":"Allow"}]} or {"error":"..."}. Policies are bare documents or
// {"name":"N","policy":{...}}; session_policy may also be an array. The context is used exactly
// as given (arrays are multi-valued keys); the principal serves Principal matching and the
// same-account rules only. A bad case answers an error and the run goes on; the returned error
// is for I/O failures only.
func Simulate(in io.Reader, out io.Writer, opts SimulateOptions) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), maxSimLine)
	w := bufio.NewWriter(out)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	line := 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		ans := simulateOne(b, opts)
		if ans.Error != "" {
			ans.Error = fmt.Sprintf("line %d: %s", line, ans.Error)
		}
		if err := enc.Encode(ans); err != nil {
			return fmt.Errorf("writing answer: %w", err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading cases: %w", err)
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("writing answers: %w", err)
	}
	return nil
}

func simulateOne(b []byte, opts SimulateOptions) simAnswer {
	var c simCase
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return simAnswer{Error: fmt.Sprintf("decoding case: %v", err)}
	}
	if c.Action == "" {
		return simAnswer{Error: "missing action"}
	}
	if c.Resource == "" {
		c.Resource = "*"
	}
	in := &Input{
		Principal: PrincipalFromARN(c.Principal),
		Action:    c.Action,
		Resource:  c.Resource,
		Context:   NewContext(),
	}
	keys := make([]string, 0, len(c.Context))
	for k := range c.Context {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := setContextValue(in.Context, k, c.Context[k]); err != nil {
			return simAnswer{Error: err.Error()}
		}
	}
	var all []*Policy
	var err error
	parse := func(raw json.RawMessage, def string, kind PolicyType) (*Policy, error) {
		p, err := parseSimPolicy(raw, def, kind)
		if p != nil {
			all = append(all, p)
		}
		return p, err
	}
	for i, raw := range c.IdentityPolicies {
		p, err := parse(raw, fmt.Sprintf("identity_policies[%d]", i), IdentityBased)
		if err != nil {
			return simAnswer{Error: err.Error()}
		}
		in.IdentityPolicies = append(in.IdentityPolicies, p)
	}
	if isSet(c.ResourcePolicy) {
		if in.ResourcePolicy, err = parse(c.ResourcePolicy, "resource_policy", ResourceBased); err != nil {
			return simAnswer{Error: err.Error()}
		}
	}
	if isSet(c.PermissionsBoundary) {
		if in.Boundary, err = parse(c.PermissionsBoundary, "permissions_boundary", Boundary); err != nil {
			return simAnswer{Error: err.Error()}
		}
	}
	if isSet(c.SessionPolicy) {
		raws := []json.RawMessage{c.SessionPolicy}
		if t := bytes.TrimSpace(c.SessionPolicy); t[0] == '[' {
			raws = nil
			if err := json.Unmarshal(t, &raws); err != nil {
				return simAnswer{Error: fmt.Sprintf("session_policy: %v", err)}
			}
		}
		for i, raw := range raws {
			name := "session_policy"
			if len(raws) > 1 {
				name = fmt.Sprintf("session_policy[%d]", i)
			}
			p, err := parse(raw, name, Session)
			if err != nil {
				return simAnswer{Error: err.Error()}
			}
			in.SessionPolicies = append(in.SessionPolicies, p)
		}
	}
	for i, raw := range c.Guardrails {
		p, err := parse(raw, fmt.Sprintf("guardrails[%d]", i), Guardrail)
		if err != nil {
			return simAnswer{Error: err.Error()}
		}
		in.Guardrails = append(in.Guardrails, p)
	}
	if in.ResourcePolicy == nil && opts.ResourcePolicy != nil {
		if in.ResourcePolicy = opts.ResourcePolicy(c.Resource); in.ResourcePolicy != nil {
			all = append(all, in.ResourcePolicy)
		}
	}
	if len(in.Guardrails) == 0 && opts.Guardrails != nil {
		in.Guardrails = opts.Guardrails()
		all = append(all, in.Guardrails...)
	}
	if opts.PrincipalPolicies != nil && c.Principal != "" {
		ids, boundary, ok := opts.PrincipalPolicies(c.Principal)
		if !ok {
			return simAnswer{Error: fmt.Sprintf("principal %q is not in the store", c.Principal)}
		}
		in.IdentityPolicies = append(in.IdentityPolicies, ids...)
		all = append(all, ids...)
		if in.Boundary == nil && boundary != nil {
			in.Boundary = boundary
			all = append(all, boundary)
		}
	}
	r := Evaluate(in)
	matched := r.Matched
	if matched == nil {
		matched = []Match{}
	}
	ans := simAnswer{Decision: r.Decision.String(), Matched: &matched}
	if opts.Lint {
		for _, p := range all {
			ans.Warnings = append(ans.Warnings, p.Lint(opts.KnownAction)...)
			if opts.RetiredOnly != nil {
				ans.Warnings = append(ans.Warnings, p.LintRetired(opts.RetiredOnly)...)
			}
		}
	}
	return ans
}

func isSet(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) > 0 && !bytes.Equal(t, []byte("null"))
}

// parseSimPolicy accepts a bare policy document or {"name": ..., "policy": {...}}.
func parseSimPolicy(raw json.RawMessage, def string, kind PolicyType) (*Policy, error) {
	var named struct {
		Name   string          `json:"name"`
		Policy json.RawMessage `json:"policy"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&named); err == nil && isSet(named.Policy) {
		if named.Name == "" {
			named.Name = def
		}
		return Parse(named.Name, named.Policy, kind)
	}
	return Parse(def, raw, kind)
}

// setContextValue sets a context key from JSON: a string, number or boolean is single-valued,
// an array multi-valued.
func setContextValue(c *Context, key string, raw json.RawMessage) error {
	vals, array, err := decodeCondValues(raw)
	if err != nil {
		t := bytes.TrimSpace(raw)
		if bytes.Equal(t, []byte("[]")) {
			c.SetMulti(key, nil)
			return nil
		}
		return fmt.Errorf("context key %q: %w", key, err)
	}
	if array {
		c.SetMulti(key, vals)
	} else {
		c.Set(key, vals[0])
	}
	return nil
}
