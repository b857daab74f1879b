package apimap

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Which rule mapped an operation (Result.Rule).
const (
	// RuleModel: the operation is in the service models; its resources,
	// tags, references, destinations and input bounds come from them.
	RuleModel = "model"
	// RuleIAMReference: an SMS and Voice v2 operation that the models lack
	// but the IAM reference data lists, with no resource type, as an
	// sms-voice action: it maps to that action on "*" and is decided as
	// usual, but the gateway knows nothing of its input (IAMReferenceNote).
	RuleIAMReference = "iam-reference"
)

// IAMReferenceNote says what the gateway cannot check of an operation mapped
// by RuleIAMReference (`gateway map` prints it).
const IAMReferenceNote = "operation newer than the service models: mapped by the IAM reference data to its action on \"*\"; " +
	"its input is not validated against a model (no length or value bounds), and a body that sets tags or names an ARN is refused"

// UnmodeledRefusal is the part of the UnmodeledOperation message that the
// documentation quotes: the reference gives the action resource types, and
// the gateway cannot know where the request carries their IDs.
const UnmodeledRefusal = "the gateway cannot know where its request carries their IDs"

// unmodeledSpec is one sms-voice action of the IAM reference data that no
// operation of the v1 or v2 model has (zz_generated.go).
type unmodeledSpec struct {
	name   string   // action and X-Amz-Target operation name
	access string   // access level
	types  []string // resource types; nil when none
}

// unmodeledV2 indexes unmodeledV2Table by name: an *opSpec to map to, or
// the *Error that refuses the operation.
var unmodeledV2 = map[string]any{}

// compileUnmodeled fills unmodeledV2 from unmodeledV2Table.
func compileUnmodeled() error {
	for _, u := range unmodeledV2Table {
		if !IsKnownAction("sms-voice:" + u.name) {
			return fmt.Errorf("unmodeled %s: not a known action", u.name)
		}
	}
	return indexUnmodeled(unmodeledV2Table, unmodeledV2)
}

// indexUnmodeled adds table to idx. An action with resource types is
// refused; so is one whose name starts with "Send" (it may send messages,
// and the gateway cannot read their destinations for its sending guardrails).
func indexUnmodeled(table []unmodeledSpec, idx map[string]any) error {
	for _, u := range table {
		action := "sms-voice:" + u.name
		if v2Ops[u.name] != nil || idx[u.name] != nil {
			return fmt.Errorf("unmodeled %s: in the model or listed twice", u.name)
		}
		switch {
		case len(u.types) > 0:
			idx[u.name] = &Error{Kind: UnmodeledOperation, Msg: fmt.Sprintf(
				"operation %s is newer than the service models the gateway was built from, and the IAM reference gives its action resource types (%s): %s, so it refuses the request; the reference data needs a refresh (scripts/refresh-reference-data.sh)",
				u.name, strings.Join(u.types, ", "), UnmodeledRefusal)}
		case strings.HasPrefix(u.name, "Send"):
			idx[u.name] = &Error{Kind: UnmodeledOperation, Msg: fmt.Sprintf(
				"operation %s is newer than the service models the gateway was built from and may send messages: the gateway cannot read their destinations, so it refuses the request; the reference data needs a refresh (scripts/refresh-reference-data.sh)",
				u.name)}
		default:
			idx[u.name] = &opSpec{api: APISMSVoiceV2, name: u.name, action: action, method: "POST", uri: "/", target: v2TargetPrefix + u.name, unmodeled: true, lifecycle: Supported}
		}
	}
	return nil
}

// classifyUnmodeled returns the operation of v2 target name when the IAM
// reference maps it (idx is unmodeledV2), an *Error when it refuses it, and
// nil, nil when the reference does not know the name either.
func classifyUnmodeled(idx map[string]any, name string) (*opSpec, error) {
	switch v := idx[name].(type) {
	case *opSpec:
		return v, nil
	case *Error:
		e := *v // a copy: the caller may keep or change it
		return nil, &e
	}
	return nil, nil
}

// maxUnmodeledTokens bounds the walk of an unmodeled operation's body.
const maxUnmodeledTokens = 1 << 16

// checkUnmodeledBody checks the body of an operation mapped by
// RuleIAMReference: empty or one JSON object, in which no key is Tags or
// TagKeys (at any depth, in any case: the gateway could not set
// aws:RequestTag or aws:TagKeys) and no string starts with "arn:" (the
// gateway could not tell what the operation does with the resource, so
// could neither authorize it as a reference nor pass a role).
func checkUnmodeledBody(body []byte) error {
	if skipSpace(body, 0) == len(body) {
		return nil
	}
	if !validJSON(body) || body[skipSpace(body, 0)] != '{' {
		return badRequest("body must be a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	var stack []bool // per open container: is it an object
	expectKey := false
	for n := 0; ; n++ {
		if n > maxUnmodeledTokens {
			return badRequest("body too large for an operation the models lack")
		}
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return badRequest("body is not valid JSON")
		}
		_, isString := tok.(string)
		isKey := expectKey && isString // a delimiter (such as an empty object's '}') is never a key
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{':
				stack = append(stack, true)
			case '[':
				stack = append(stack, false)
			default:
				stack = stack[:len(stack)-1]
			}
		case string:
			if isKey && (strings.EqualFold(v, "Tags") || strings.EqualFold(v, "TagKeys")) {
				return &Error{Kind: UnmodeledOperation, Msg: fmt.Sprintf(
					"member %q of an operation newer than the service models: the gateway cannot evaluate its tags, so it refuses the request", v)}
			}
			if !isKey && len(v) >= 4 && strings.EqualFold(v[:4], "arn:") {
				return &Error{Kind: UnmodeledOperation, Msg: "an operation newer than the service models names an ARN: the gateway cannot know what the operation does with that resource, so it refuses the request"}
			}
		}
		// The next token is a key when the innermost container is an object
		// and the token just read completed a value (or opened the object).
		inObject := len(stack) > 0 && stack[len(stack)-1]
		switch {
		case !inObject:
			expectKey = false
		case isKey:
			expectKey = false
		default:
			expectKey = true
		}
	}
}
