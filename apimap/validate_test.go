package apimap

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/pinpointgw/gateway/apimap/internal/codegen"
	"github.com/pinpointgw/gateway/internal/testenv"
)

// TestDescribePoolsTooManyIDs is the regression test of the unbounded
// request: 60 pool IDs in one DescribePools (the model allows at most 5)
// used to map to 60 resources, each an upstream tag lookup. It must be
// rejected before mapping, naming the member and the limit.
func TestDescribePoolsTooManyIDs(t *testing.T) {
	t.Parallel()
	ids := make([]string, 60)
	for i := range ids {
		ids[i] = fmt.Sprintf(`"pool-%032x"`, i)
	}
	res, err := Map(v2("DescribePools", `{"PoolIds":[`+strings.Join(ids, ",")+`]}`))
	var e *Error
	if !errors.As(err, &e) || e.Kind != BadRequest {
		n := 0
		if res != nil {
			n = len(res.Permissions[0].Resources)
		}
		t.Fatalf("Map(DescribePools with 60 PoolIds) = %d resources, error %v; want a BadRequest error", n, err)
	}
	for _, want := range []string{"'PoolIds'", "less than or equal to 5"} {
		if !strings.Contains(e.Msg, want) {
			t.Errorf("error %q does not contain %q", e.Msg, want)
		}
	}
	// At the limit it still maps, to 5 resources.
	res, err = Map(v2("DescribePools", `{"PoolIds":[`+strings.Join(ids[:5], ",")+`]}`))
	if err != nil || len(res.Permissions[0].Resources) != 5 {
		t.Fatalf("Map(DescribePools with 5 PoolIds) = %+v, %v; want 5 resources", res, err)
	}
}

// gSample builds the smallest value of shape name that satisfies the model's
// bounds (for the golden test's required members): "sample" or a run of
// "a" for strings, the minimum for numbers, min elements for lists and maps,
// the required members for structures.
func gSample(shapes map[string]gShape, name string, depth int) any {
	s := shapes[name]
	count := func() int {
		if s.Min != nil {
			return int(*s.Min)
		}
		return 0
	}
	switch s.Type {
	case "string", "blob", "timestamp":
		v := "sample"
		if s.Min != nil && int64(len(v)) < *s.Min || s.Max != nil && int64(len(v)) > *s.Max {
			v = strings.Repeat("a", count())
		}
		if s.Type == "blob" {
			return []byte(v)
		}
		return v
	case "integer", "long", "double", "float":
		if s.Min != nil {
			return *s.Min
		}
		return 1
	case "boolean":
		return true
	case "list":
		l := []any{}
		for range count() {
			l = append(l, gSample(shapes, s.Member.Shape, depth+1))
		}
		return l
	case "map":
		m := map[string]any{}
		for i := range count() {
			m[fmt.Sprint("k", i)] = gSample(shapes, s.Value.Shape, depth+1)
		}
		return m
	}
	m := map[string]any{}
	if depth < 8 {
		for _, r := range s.Required {
			m[r] = gSample(shapes, s.Members[r].Shape, depth+1)
		}
	}
	return m
}

// validateV2 runs the validator alone on a v2 operation's body.
func validateV2(t testing.TB, op, body string) error {
	t.Helper()
	spec := v2Ops[op]
	if spec == nil {
		t.Fatalf("no v2 operation %s", op)
	}
	return validateRequest(spec, &Request{Method: "POST", RawPath: "/", Body: []byte(body)}, nil)
}

// jsonList returns a JSON array of n copies of the JSON value elem.
func jsonList(n int, elem string) string {
	return "[" + strings.TrimSuffix(strings.Repeat(elem+",", n), ",") + "]"
}

// jsonMap returns a JSON object of n members k0, k1, ... with the JSON value val.
func jsonMap(n int, val string) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fmt.Sprintf(`"k%d":%s`, i, val)
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func quoted(s string) string { return `"` + s + `"` }

// TestValidateBody checks each kind of constraint of the real models at the
// limit (accepted) and one past it (rejected, naming the path and limit).
func TestValidateBody(t *testing.T) {
	t.Parallel()
	nest := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	filter := func(values int) string { return `{"Name":"status","Values":` + jsonList(values, `"v"`) + `}` }
	rcs := func(lat string) string {
		return `{"RcsMessageContent":{"Content":{"RichCard":{"CardContent":{"Suggestions":[{"ShowLocation":{"Latitude":` + lat + `}}]}}}}}`
	}
	tests := map[string]struct {
		op, body string
		want     []string // substrings of the error; nil: accepted
	}{
		"list at max":                {"DescribePools", `{"PoolIds":` + jsonList(5, `"pool-1"`) + `}`, nil},
		"list past max":              {"DescribePools", `{"PoolIds":` + jsonList(6, `"pool-1"`) + `}`, []string{"'PoolIds'", "less than or equal to 5"}},
		"list at min":                {"CreateEventDestination", `{"MatchingEventTypes":["ALL"]}`, nil},
		"list below min":             {"CreateEventDestination", `{"MatchingEventTypes":[]}`, []string{"'MatchingEventTypes'", "greater than or equal to 1"}},
		"list null is absent":        {"DescribePools", `{"PoolIds":null}`, nil},
		"string at max":              {"RequestSenderId", `{"IsoCountryCode":"GB","SenderId":"X"}`, nil},
		"string past max":            {"RequestSenderId", `{"IsoCountryCode":"GBR"}`, []string{"'IsoCountryCode'", "less than or equal to 2"}},
		"string below min":           {"RequestSenderId", `{"IsoCountryCode":"G"}`, []string{"'IsoCountryCode'", "greater than or equal to 2"}},
		"string counts characters":   {"RequestSenderId", `{"IsoCountryCode":"éé"}`, nil},
		"escape is one character":    {"RequestSenderId", `{"IsoCountryCode":"\u00e9\n"}`, nil},
		"surrogate pair is one":      {"RequestSenderId", `{"IsoCountryCode":"\ud83d\ude00\ud83d\ude00"}`, nil},
		"surrogate pairs past max":   {"RequestSenderId", `{"IsoCountryCode":"\ud83d\ude00\ud83d\ude00😀"}`, []string{"less than or equal to 2"}},
		"invalid UTF-8":              {"RequestSenderId", "{\"IsoCountryCode\":\"\xff\xfe\"}", []string{"'IsoCountryCode'", "UTF-8"}},
		"map at max":                 {"SendTextMessage", `{"Context":` + jsonMap(5, `"v"`) + `}`, nil},
		"map past max":               {"SendTextMessage", `{"Context":` + jsonMap(6, `"v"`) + `}`, []string{"'Context'", "less than or equal to 5"}},
		"map at min":                 {"UpdateProtectConfigurationCountryRuleSet", `{"CountryRuleSetUpdates":{"US":{"ProtectStatus":"ALLOW"}}}`, nil},
		"map below min":              {"UpdateProtectConfigurationCountryRuleSet", `{"CountryRuleSetUpdates":{}}`, []string{"'CountryRuleSetUpdates'", "greater than or equal to 1"}},
		"map key past max":           {"UpdateProtectConfigurationCountryRuleSet", `{"CountryRuleSetUpdates":{"USA":{}}}`, []string{`CountryRuleSetUpdates["USA"] (key)`, "less than or equal to 2"}},
		"map key at max":             {"SendTextMessage", `{"Context":{"` + strings.Repeat("k", 100) + `":"v"}}`, nil},
		"map key past max 100":       {"SendTextMessage", `{"Context":{"` + strings.Repeat("k", 101) + `":"v"}}`, []string{"less than or equal to 100"}},
		"map value past max":         {"SendTextMessage", `{"Context":{"k":"` + strings.Repeat("v", 801) + `"}}`, []string{`Context["k"]`, "less than or equal to 800"}},
		"map value at max":           {"SendTextMessage", `{"Context":{"k":"` + strings.Repeat("v", 800) + `"}}`, nil},
		"nested list at max":         {"DescribePools", `{"Filters":[` + filter(20) + `]}`, nil},
		"nested list past max":       {"DescribePools", `{"Filters":[` + filter(1) + `,` + filter(21) + `]}`, []string{"'Filters[1].Values'", "less than or equal to 20"}},
		"nested list below min":      {"DescribePools", `{"Filters":[` + filter(0) + `]}`, []string{"'Filters[0].Values'", "greater than or equal to 1"}},
		"nested string past max":     {"DescribePools", `{"Filters":[{"Values":["` + strings.Repeat("x", 129) + `"]}]}`, []string{"'Filters[0].Values[0]'", "less than or equal to 128"}},
		"outer list past max":        {"DescribePools", `{"Filters":` + jsonList(21, filter(1)) + `}`, []string{"'Filters'", "less than or equal to 20"}},
		"integer at min":             {"DescribePools", `{"MaxResults":1}`, nil},
		"integer below min":          {"DescribePools", `{"MaxResults":0}`, []string{"'MaxResults'", "value greater than or equal to 1"}},
		"integer at max":             {"DescribePools", `{"MaxResults":100}`, nil},
		"integer past max":           {"DescribePools", `{"MaxResults":101}`, []string{"value less than or equal to 100"}},
		"integer huge":               {"DescribePools", `{"MaxResults":123456789012345678901234567890}`, []string{"value less than or equal to 100"}},
		"integer huge negative":      {"DescribePools", `{"MaxResults":-123456789012345678901234567890}`, []string{"value greater than or equal to 1"}},
		"integer with a fraction":    {"DescribePools", `{"MaxResults":1.5}`, []string{"must be a JSON integer"}},
		"long at max":                {"SetTextMessageSpendLimitOverride", `{"MonthlyLimit":1000000000}`, nil},
		"long past max":              {"SetTextMessageSpendLimitOverride", `{"MonthlyLimit":1000000001}`, []string{"value less than or equal to 1000000000"}},
		"double at min":              {"SendRcsMessage", rcs("-90"), nil},
		"double below min":           {"SendRcsMessage", rcs("-90.0001"), []string{"'RcsMessageContent.Content.RichCard.CardContent.Suggestions[0].ShowLocation.Latitude'", "greater than or equal to -90"}},
		"double past max":            {"SendRcsMessage", rcs("9e1000"), []string{"less than or equal to 90"}},
		"double as string":           {"SendRcsMessage", rcs(`"NaN"`), []string{"must be a JSON number"}},
		"blob at min":                {"CreateRegistrationAttachment", `{"AttachmentBody":"AA=="}`, nil},
		"blob below min":             {"CreateRegistrationAttachment", `{"AttachmentBody":""}`, []string{"'AttachmentBody'", "greater than or equal to 1"}},
		"blob not base64":            {"CreateRegistrationAttachment", `{"AttachmentBody":"A"}`, []string{"base64"}},
		"wrong type: list":           {"DescribePools", `{"PoolIds":"pool-1"}`, []string{"'PoolIds'", "must be a JSON array"}},
		"wrong type: nested":         {"DescribePools", `{"Filters":[{"Values":{"a":"b"}}]}`, []string{"'Filters[0].Values'", "must be a JSON array"}},
		"wrong type: string":         {"DescribePools", `{"NextToken":5}`, []string{"'NextToken'", "must be a JSON string"}},
		"case variant nested":        {"DescribePools", `{"Filters":[{"values":["a"]}]}`, []string{`"values" differs from "Values" only in case`}},
		"unknown member is bounded":  {"DescribePools", `{"Extra":` + nest(31) + `}`, nil},
		"too deep":                   {"DescribePools", `{"Extra":` + nest(32) + `}`, []string{"nested more than 32 levels"}},
		"too deep in a known member": {"DescribePools", `{"PoolIds":` + nest(40) + `}`, []string{"must be a JSON string"}},
		"values at the limit":        {"DescribePools", `{"Extra":` + jsonList(maxBodyValues-2, "0") + `}`, nil},
		"too many values":            {"DescribePools", `{"Extra":` + jsonList(maxBodyValues-1, "0") + `}`, []string{"more than 100000 JSON values"}},
		"not JSON":                   {"DescribePools", `{"PoolIds":["a",]}`, []string{"not valid JSON"}},
		"trailing data":              {"DescribePools", `{} {}`, []string{"not valid JSON"}},
		"not an object":              {"DescribePools", `[]`, []string{"not a JSON object"}},
		"empty body":                 {"DescribePools", ``, nil},
		"send text message":          {"SendTextMessage", `{"DestinationPhoneNumber":"+12065550100","OriginationIdentity":"pool-1","MessageBody":"hi"}`, nil},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			err := validateV2(t, tc.op, tc.body)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("validate(%s %.80s) = %v, want accepted", tc.op, tc.body, err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Kind != BadRequest {
				t.Fatalf("validate(%s %.80s) = %v, want a BadRequest error", tc.op, tc.body, err)
			}
			for _, w := range tc.want {
				if !strings.Contains(e.Msg, w) {
					t.Errorf("validate(%s %.80s) = %q, want it to contain %q", tc.op, tc.body, e.Msg, w)
				}
			}
		})
	}
}

// TestValidateParams checks URI label and query-string constraints on a
// synthetic table (the three models bound none of their labels and query
// members today, so the generator emits none; the validator must still
// enforce them when a model does).
func TestValidateParams(t *testing.T) {
	t.Parallel()
	shapes := []cshape{
		0: {kind: ckString, hasMin: true, min: 2, hasMax: true, max: 4},
		1: {kind: ckList, hasMin: true, min: 1, hasMax: true, max: 2, elem: 0},
		2: {kind: ckInt, hasMin: true, min: 1, hasMax: true, max: 10},
		3: {kind: ckStruct, members: []cmember{{"Name", 0}}},
	}
	c := &cop{body: 3, params: []cparam{
		{wire: "id", member: "Id", shape: 0},
		{query: true, wire: "tags", member: "Tags", shape: 1},
		{query: true, wire: "page-size", member: "PageSize", shape: 2},
	}}
	tests := map[string]struct {
		label, query string
		want         []string
	}{
		"label at min":         {"ab", "", nil},
		"label at max":         {"abcd", "", nil},
		"label below min":      {"a", "", []string{"'Id'", "greater than or equal to 2"}},
		"label past max":       {"abcde", "", []string{"'Id'", "less than or equal to 4"}},
		"label decoded chars":  {"%C3%A9%C3%A9%C3%A9%C3%A9", "", nil},
		"label decoded past":   {"%C3%A9%C3%A9%C3%A9%C3%A9x", "", []string{"less than or equal to 4"}},
		"query list at max":    {"ab", "tags=ab&tags=cd", nil},
		"query list past max":  {"ab", "tags=ab&x=1&tags=cd&tags=ef", []string{"'Tags'", "less than or equal to 2"}},
		"query element":        {"ab", "tags=abcde", []string{"'Tags[0]'", "less than or equal to 4"}},
		"query encoded key":    {"ab", "t%61gs=a", []string{"'Tags[0]'", "greater than or equal to 2"}},
		"query integer at max": {"ab", "page-size=10", nil},
		"query integer past":   {"ab", "page-size=11", []string{"'PageSize'", "value less than or equal to 10"}},
		"query integer below":  {"ab", "page-size=0", []string{"value greater than or equal to 1"}},
		"query not an integer": {"ab", "page-size=1e1", []string{"must be a JSON integer"}},
		"query absent is fine": {"ab", "other=1", nil},
		"query bad encoding":   {"ab", "tags=%zz", []string{"percent-encoding"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			req := &Request{Method: "GET", RawQuery: tc.query}
			err := validateOp(shapes, c, []string{"id"}, req, []string{tc.label})
			if tc.want == nil {
				if err != nil {
					t.Fatalf("validate(label %q, query %q) = %v, want accepted", tc.label, tc.query, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("validate(label %q, query %q) accepted, want %q", tc.label, tc.query, tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("validate(label %q, query %q) = %q, want it to contain %q", tc.label, tc.query, err, w)
				}
			}
		})
	}
	// The synthetic body shape is enforced too.
	if err := validateOp(shapes, c, []string{"id"}, &Request{Body: []byte(`{"Name":"abcde"}`)}, []string{"ab"}); err == nil || !strings.Contains(err.Error(), "'Name'") {
		t.Errorf("validate(body Name of 5 characters) = %v, want a violation at 'Name'", err)
	}
}

// TestConstraintsUpToDate regenerates zz_constraints.go in memory and fails
// on any difference, so the checked-in table cannot drift from the models.
func TestConstraintsUpToDate(t *testing.T) {
	t.Parallel()
	checkUpToDate(t, "zz_constraints.go", "GenerateConstraints", codegen.GenerateConstraints)
	if _, err := codegen.GenerateConstraints(t.TempDir()); err == nil {
		t.Error("GenerateConstraints(empty dir) succeeded, want an error")
	}
}

// refModel is a model read for the tests with encoding/json, independently
// of the generator.
type refModel struct {
	Operations map[string]struct {
		Input *struct{ Shape string } `json:"input"`
	} `json:"operations"`
	Shapes map[string]refShape `json:"shapes"`
}

type refShape struct {
	Type    string
	Members map[string]struct {
		Shape, Location, LocationName string
	}
	Member, Key, Value *struct{ Shape string }
	Payload            string
	Min, Max           *json.Number
}

var refModels = struct {
	once sync.Once
	m    map[string]*refModel
	err  error
}{}

// loadRefModels reads the three models (keyed by apimap's API names).
func loadRefModels(t testing.TB) map[string]*refModel {
	t.Helper()
	data := testenv.SharedData(t)
	refModels.once.Do(func() {
		refModels.m = map[string]*refModel{}
		for api, rel := range map[string]string{
			APIPinpoint:   "service-models/botocore/pinpoint/2016-12-01/service-2.json",
			APISMSVoice:   "service-models/botocore/pinpoint-sms-voice/2018-09-05/service-2.json",
			APISMSVoiceV2: "service-models/botocore/pinpoint-sms-voice-v2/2022-03-31/service-2.json",
		} {
			b, err := os.ReadFile(data + "/" + rel)
			if err != nil {
				refModels.err = err
				return
			}
			m := &refModel{}
			if err := json.Unmarshal(b, m); err != nil {
				refModels.err = err
				return
			}
			refModels.m[api] = m
		}
	})
	if refModels.err != nil {
		t.Fatal(refModels.err)
	}
	return refModels.m
}

// refBody returns the JSON members of op's body as (JSON name -> shape);
// ok is false when the operation has no JSON body: a REST operation without
// body members (AWS reads no body). A v2 operation always has one.
func refBody(m *refModel, api, op string) (map[string]string, bool) {
	in := m.Operations[op].Input
	if in == nil {
		return nil, false
	}
	s := m.Shapes[in.Shape]
	if s.Payload != "" {
		ps := m.Shapes[s.Members[s.Payload].Shape]
		if ps.Type != "structure" {
			return nil, false
		}
		s = ps
	}
	out := map[string]string{}
	for name, mem := range s.Members {
		if s.Payload == "" && mem.Location != "" {
			continue
		}
		if mem.LocationName != "" {
			name = mem.LocationName
		}
		out[name] = mem.Shape
	}
	if api != APISMSVoiceV2 && len(out) == 0 && m.Shapes[in.Shape].Payload == "" {
		return nil, false
	}
	return out, true
}

// refBounds lists "path kind min max" for every shape under members, from
// the model.
func refBounds(m *refModel, members map[string]string, prefix string, depth int, out *[]string) {
	if depth > 20 {
		return
	}
	for name, sn := range members {
		refShapeBounds(m, sn, prefix+"."+name, depth, out)
	}
}

func refShapeBounds(m *refModel, sn, path string, depth int, out *[]string) {
	s := m.Shapes[sn]
	b := func(n *json.Number) string {
		if n == nil {
			return "-"
		}
		return n.String()
	}
	if s.Type == "structure" {
		*out = append(*out, path+" structure")
	} else {
		*out = append(*out, fmt.Sprintf("%s %s %s %s", path, map[string]string{"long": "integer", "float": "double"}[s.Type]+s.Type, b(s.Min), b(s.Max)))
	}
	switch s.Type {
	case "structure":
		mem := map[string]string{}
		for name, mm := range s.Members {
			if mm.LocationName != "" {
				name = mm.LocationName
			}
			mem[name] = mm.Shape
		}
		refBounds(m, mem, path, depth+1, out)
	case "list":
		refShapeBounds(m, s.Member.Shape, path+"[]", depth+1, out)
	case "map":
		refShapeBounds(m, s.Key.Shape, path+"(key)", depth+1, out)
		refShapeBounds(m, s.Value.Shape, path+"{}", depth+1, out)
	}
}

// tableBounds lists the same from the compiled table.
func tableBounds(idx int32, path string, depth int, out *[]string) {
	s := &constraintShapes[idx]
	b := func(has bool, v int64) string {
		if !has {
			return "-"
		}
		return fmt.Sprint(v)
	}
	kind := map[ckind]string{ckStruct: "structure", ckList: "list", ckMap: "map", ckString: "string", ckBlob: "blob",
		ckBool: "boolean", ckInt: "integer", ckFloat: "double", ckTime: "timestamp"}[s.kind]
	if s.kind == ckStruct {
		*out = append(*out, path+" structure")
	} else {
		*out = append(*out, fmt.Sprintf("%s %s %s %s", path, kind, b(s.hasMin, s.min), b(s.hasMax, s.max)))
	}
	if depth > 20 {
		return
	}
	switch s.kind {
	case ckStruct:
		for _, m := range s.members {
			tableBounds(m.shape, path+"."+m.name, depth+1, out)
		}
	case ckList:
		tableBounds(s.elem, path+"[]", depth+1, out)
	case ckMap:
		tableBounds(s.key, path+"(key)", depth+1, out)
		tableBounds(s.elem, path+"{}", depth+1, out)
	}
}

// TestConstraintsMatchModel checks, for every operation of the three models,
// that the compiled table has exactly the model's shapes, kinds and bounds
// at every path of the body, and every bounded label and query member.
func TestConstraintsMatchModel(t *testing.T) {
	t.Parallel()
	models := loadRefModels(t)
	seen := 0
	for _, c := range constraintOps {
		m := models[c.api]
		if m == nil {
			t.Fatalf("%s %s: unknown API", c.api, c.name)
		}
		members, ok := refBody(m, c.api, c.name)
		if ok != (c.body >= 0) {
			t.Errorf("%s %s: table has body %d, model has a JSON body: %v", c.api, c.name, c.body, ok)
			continue
		}
		if ok {
			var want, got []string
			want = append(want, " structure")
			refBounds(m, members, "", 1, &want)
			tableBounds(c.body, "", 0, &got)
			for i := range want {
				want[i] = strings.Replace(want[i], "integerinteger", "integer", 1)
				want[i] = strings.Replace(want[i], "doubledouble", "double", 1)
				want[i] = strings.Replace(want[i], "integerlong", "integer", 1)
				want[i] = strings.Replace(want[i], "doublefloat", "double", 1)
			}
			sort.Strings(want)
			sort.Strings(got)
			if strings.Join(want, "\n") != strings.Join(got, "\n") {
				t.Errorf("%s %s: body constraints differ from the model\n got %q\nwant %q", c.api, c.name, got, want)
			}
		}
		// Bounded labels and query members.
		in := m.Shapes[m.Operations[c.name].Input.Shape]
		var want, got []string
		for name, mem := range in.Members {
			if mem.Location != "uri" && mem.Location != "querystring" {
				continue
			}
			var lines []string
			refShapeBounds(m, mem.Shape, "", 0, &lines)
			for _, l := range lines {
				if f := strings.Fields(l); len(f) >= 3 && (f[len(f)-2] != "-" || f[len(f)-1] != "-") {
					want = append(want, mem.Location+" "+name)
					break
				}
			}
		}
		for _, p := range c.params {
			got = append(got, map[bool]string{true: "querystring", false: "uri"}[p.query]+" "+p.member)
		}
		sort.Strings(want)
		sort.Strings(got)
		if strings.Join(want, ",") != strings.Join(got, ",") {
			t.Errorf("%s %s: bounded parameters %q, model has %q", c.api, c.name, got, want)
		}
		seen++
	}
	if seen != 239 {
		t.Errorf("checked %d operations, want 239", seen)
	}
}

// refCheck is a slow reference checker written independently of the
// validator: it decodes the body with encoding/json and walks the model.
// It returns "" when the body satisfies every bound, or the violated path.
func refCheck(m *refModel, api, op string, body []byte) string {
	members, ok := refBody(m, api, op)
	if !ok || len(bytes.TrimSpace(body)) == 0 {
		return ""
	}
	if !json.Valid(body) {
		return "invalid JSON"
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return "decode: " + err.Error()
	}
	obj, isObj := v.(map[string]any)
	if !isObj {
		return "not an object"
	}
	r := &refWalker{m: m}
	r.object(members, obj, "", 1)
	if r.values+1 > maxBodyValues {
		return "too many values"
	}
	return r.bad
}

type refWalker struct {
	m      *refModel
	values int
	bad    string
}

func (r *refWalker) fail(path, why string) {
	if r.bad == "" {
		r.bad = path + ": " + why
	}
}

func (r *refWalker) object(members map[string]string, obj map[string]any, path string, depth int) {
	for k, v := range obj {
		r.values++
		sn, ok := members[k]
		if !ok {
			for name := range members {
				if strings.EqualFold(name, k) {
					r.fail(path+"."+k, "case variant")
				}
			}
			r.untyped(v, path+"."+k, depth)
			continue
		}
		r.value(sn, v, path+"."+k, depth)
	}
}

func (r *refWalker) untyped(v any, path string, depth int) {
	switch v := v.(type) {
	case map[string]any:
		if depth+1 > maxBodyDepth {
			r.fail(path, "too deep")
		}
		for k, e := range v {
			r.values++
			r.untyped(e, path+"."+k, depth+1)
		}
	case []any:
		if depth+1 > maxBodyDepth {
			r.fail(path, "too deep")
		}
		for _, e := range v {
			r.values++
			r.untyped(e, path+"[]", depth+1)
		}
	}
}

func (r *refWalker) length(s refShape, n int, path string) {
	if s.Min != nil {
		if min, _ := s.Min.Int64(); int64(n) < min {
			r.fail(path, "below min")
		}
	}
	if s.Max != nil {
		if max, _ := s.Max.Int64(); int64(n) > max {
			r.fail(path, "past max")
		}
	}
}

func (r *refWalker) value(sn string, v any, path string, depth int) {
	if v == nil {
		return
	}
	s := r.m.Shapes[sn]
	switch s.Type {
	case "structure", "map", "list":
		if depth+1 > maxBodyDepth {
			r.fail(path, "too deep")
			return
		}
	}
	switch s.Type {
	case "structure":
		obj, ok := v.(map[string]any)
		if !ok {
			r.fail(path, "not an object")
			return
		}
		mem := map[string]string{}
		for name, mm := range s.Members {
			if mm.LocationName != "" {
				name = mm.LocationName
			}
			mem[name] = mm.Shape
		}
		r.object(mem, obj, path, depth+1)
	case "map":
		obj, ok := v.(map[string]any)
		if !ok {
			r.fail(path, "not an object")
			return
		}
		r.length(s, len(obj), path)
		for k, e := range obj {
			r.values++
			r.length(r.m.Shapes[s.Key.Shape], utf8.RuneCountInString(k), path+"(key)")
			r.value(s.Value.Shape, e, path+"{}", depth+1)
		}
	case "list":
		l, ok := v.([]any)
		if !ok {
			r.fail(path, "not an array")
			return
		}
		r.length(s, len(l), path)
		for _, e := range l {
			r.values++
			r.value(s.Member.Shape, e, path+"[]", depth+1)
		}
	case "string":
		str, ok := v.(string)
		if !ok {
			r.fail(path, "not a string")
			return
		}
		r.length(s, utf8.RuneCountInString(str), path)
	case "blob":
		str, ok := v.(string)
		if !ok {
			r.fail(path, "not a string")
			return
		}
		if s.Min != nil || s.Max != nil {
			raw, err := base64.StdEncoding.DecodeString(str)
			if err != nil {
				r.fail(path, "not base64")
				return
			}
			r.length(s, len(raw), path)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			r.fail(path, "not a boolean")
		}
	case "integer", "long":
		n, ok := v.(json.Number)
		if !ok {
			r.fail(path, "not a number")
			return
		}
		if strings.ContainsAny(n.String(), ".eE") {
			r.fail(path, "not an integer")
			return
		}
		if s.Min != nil || s.Max != nil {
			i, err := n.Int64()
			if err != nil {
				r.fail(path, "out of range")
				return
			}
			if s.Min != nil {
				if min, _ := s.Min.Int64(); i < min {
					r.fail(path, "below min")
				}
			}
			if s.Max != nil {
				if max, _ := s.Max.Int64(); i > max {
					r.fail(path, "past max")
				}
			}
		}
	case "double", "float":
		n, isNum := v.(json.Number)
		_, isStr := v.(string)
		if !isNum && !isStr {
			r.fail(path, "not a number")
			return
		}
		if s.Min != nil || s.Max != nil {
			if !isNum {
				r.fail(path, "bounded double as a string")
				return
			}
			f, err := n.Float64()
			if err != nil {
				r.fail(path, "out of range")
				return
			}
			if s.Min != nil {
				if min, _ := s.Min.Float64(); f < min {
					r.fail(path, "below min")
				}
			}
			if s.Max != nil {
				if max, _ := s.Max.Float64(); f > max {
					r.fail(path, "past max")
				}
			}
		}
	case "timestamp":
		switch v.(type) {
		case json.Number, string:
		default:
			r.fail(path, "not a timestamp")
		}
	}
}

// FuzzValidate feeds arbitrary bodies to every operation's validator.
// Invariants: no panic; bounded time; an error is a BadRequest *Error; and an
// accepted body satisfies every bound of the model as the independent
// reference checker (refCheck) reads it.
func FuzzValidate(f *testing.F) {
	models := loadRefModels(f)
	seeds := []struct{ op, body string }{
		{"DescribePools", `{"PoolIds":["pool-1","pool-2"],"Filters":[{"Name":"status","Values":["ACTIVE"]}],"MaxResults":5}`},
		{"SendTextMessage", `{"DestinationPhoneNumber":"+12065550100","Context":{"a":"b"},"DestinationCountryParameters":{"IN_TEMPLATE_ID":"x"}}`},
		{"UpdateProtectConfigurationCountryRuleSet", `{"CountryRuleSetUpdates":{"US":{"ProtectStatus":"ALLOW"}}}`},
		{"CreateRegistrationAttachment", `{"AttachmentBody":"AAEC"}`},
		{"SendRcsMessage", `{"RcsMessageContent":{"Content":{"RichCard":{"CardContent":{"Suggestions":[{"ShowLocation":{"Latitude":1.5}}]}}}}}`},
		{"RequestSenderId", `{"IsoCountryCode":"\u00e9\ud83d\ude00","SenderId":"X"}`},
		{"CreateApp", `{"Name":"a","tags":{"k":"v"}}`},
		{"DescribePools", `{"Extra":[[[{"a":[1,2,{"b":null}]}]]]}`},
		{"SendTextMessage", `{"MessageBody":"aé😀bcdefghé\u00e9\ud83d\ude00 long enough to cross words","Context":{"kéy":"v"}}`},
	}
	index := map[string]int{}
	for i, c := range constraintOps {
		index[c.name] = i
	}
	for _, s := range seeds {
		f.Add(uint16(index[s.op]), []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, opIdx uint16, body []byte) {
		c := &constraintOps[int(opIdx)%len(constraintOps)]
		start := time.Now()
		err := validateOp(constraintShapes[:], c, nil, &Request{Body: body}, nil)
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("validate(%s, %d bytes) took %v", c.name, len(body), d)
		}
		// The string scanner agrees with encoding/json on validity and on
		// the character count.
		lit := append([]byte{'"'}, body...)
		if end, chars, _, _ := scanString(lit, 0); end > 0 {
			var str string
			if err := json.Unmarshal(lit[:end], &str); err != nil {
				t.Fatalf("scanString accepted %q, which encoding/json rejects: %v", lit[:end], err)
			}
			if utf8.Valid(lit[:end]) && chars != utf8.RuneCountInString(str) {
				t.Fatalf("scanString(%q) counted %d characters, want %d", lit[:end], chars, utf8.RuneCountInString(str))
			}
		}
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Kind != BadRequest {
				t.Fatalf("validate(%s) error %v is not a BadRequest *Error", c.name, err)
			}
			if err == errBodyInvalid && json.Valid(body) {
				t.Fatalf("validate(%s, %q) says invalid JSON, encoding/json says valid", c.name, body)
			}
			return
		}
		if bad := refCheck(models[c.api], c.api, c.name, body); bad != "" {
			t.Fatalf("validate(%s, %q) accepted a body the reference rejects: %s", c.name, body, bad)
		}
	})
}

// BenchmarkValidateV2 measures the validator alone on BenchmarkClassifyV2's
// SendTextMessage body.
func BenchmarkValidateV2(b *testing.B) {
	req := &Request{Method: "POST", RawPath: "/", Header: http.Header{},
		Body: []byte(`{"DestinationPhoneNumber":"+12065550100","OriginationIdentity":"pool-1f2e3d4c5b6a79880123456789abcdef","ConfigurationSetName":"main-config","MessageBody":"Your code is 123456"}`)}
	op := v2Ops["SendTextMessage"]
	benchCPU(b, func() error { return validateRequest(op, req, nil) })
}

// TestValidateDocument checks that a document-typed member (none in the
// models today) takes any JSON value but stays within the body's bounds.
func TestValidateDocument(t *testing.T) {
	t.Parallel()
	shapes := []cshape{
		0: {kind: ckStruct, members: []cmember{{"Doc", 1}}},
		1: {kind: ckDoc},
	}
	c := &cop{body: 0}
	for body, wantErr := range map[string]string{
		`{"Doc":[1,"a",{"b":true}]}`: "",
		`{"Doc":"text"}`:             "",
		`{"Doc":` + strings.Repeat("[", 31) + strings.Repeat("]", 31) + `}`: "",
		`{"Doc":` + strings.Repeat("[", 32) + strings.Repeat("]", 32) + `}`: "nested more than 32 levels",
		`{"Doc":` + jsonList(maxBodyValues, "1") + `}`:                      "more than 100000 JSON values",
	} {
		err := validateOp(shapes, c, nil, &Request{Body: []byte(body)}, nil)
		if wantErr == "" && err != nil || wantErr != "" && (err == nil || !strings.Contains(err.Error(), wantErr)) {
			t.Errorf("validate(document %.60s) = %v, want %q", body, err, wantErr)
		}
	}
}

// pathologicalBodies are 10 MiB bodies built to cost validation the most:
// many tiny values stop at the value bound, deep nesting at the depth
// bound, and one huge string is a single linear scan.
var pathologicalBodies = func() map[string]struct{ op, body, want string } {
	const size = 10 << 20
	return map[string]struct{ op, body, want string }{ // want "" = accepted
		"tiny values":           {"DescribePools", `{"Extra":[` + strings.Repeat("0,", size/2) + `0]}`, "more than 100000 JSON values"},
		"tiny values in a list": {"DescribePools", `{"PoolIds":[` + strings.Repeat(`"",`, size/3) + `""]}`, "less than or equal to 5"},
		"deep nesting":          {"DescribePools", `{"Extra":` + strings.Repeat("[", size/2) + strings.Repeat("]", size/2) + `}`, "nested more than 32 levels"},
		"one huge string":       {"DescribePools", `{"Extra":"` + strings.Repeat("a", size) + `"}`, ""},
		"huge bounded string":   {"SendTextMessage", `{"MessageBody":"` + strings.Repeat("é", size/2) + `"}`, "less than or equal to 1600"},
		"many unknown members":  {"DescribePools", `{` + strings.Repeat(`"x":0,`, size/6) + `"y":0}`, "more than 100000 JSON values"},
		"escapes everywhere":    {"DescribePools", `{"Extra":"` + strings.Repeat(`\u00e9`, size/6) + `"}`, ""},
		"huge map":              {"SendTextMessage", `{"Context":{` + strings.Repeat(`"k":"v",`, size/8) + `"k":"v"}}`, "less than or equal to 5"},
	}
}()

// TestValidatePathologicalBodies checks that each pathological body stops
// at the bound meant for it (or is accepted). How long that takes is
// measured by BenchmarkValidatePathologicalBodies, not asserted here: a
// wall-clock limit fails on a loaded machine, not on slow code.
func TestValidatePathologicalBodies(t *testing.T) {
	t.Parallel()
	for name, tc := range pathologicalBodies {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			req := &Request{Method: "POST", RawPath: "/", Body: []byte(tc.body)}
			err := validateRequest(v2Ops[tc.op], req, nil)
			if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
				t.Errorf("validate(%s, %d bytes) = %v, want %q", tc.op, len(tc.body), err, tc.want)
			}
		})
	}
}

// BenchmarkValidatePathologicalBodies measures the time each pathological
// 10 MiB body costs (well under a second each on one core).
func BenchmarkValidatePathologicalBodies(b *testing.B) {
	for name, tc := range pathologicalBodies {
		b.Run(name, func(b *testing.B) {
			req := &Request{Method: "POST", RawPath: "/", Body: []byte(tc.body)}
			b.SetBytes(int64(len(tc.body)))
			for b.Loop() {
				_ = validateRequest(v2Ops[tc.op], req, nil)
			}
		})
	}
}

// TestScanStringCounts checks scanString's character count and end against
// encoding/json on strings of every length up to 64 mixing ASCII, two-,
// three- and four-byte characters, escapes and escaped surrogate pairs, so
// that every position of a special byte within an eight-byte word is met.
func TestScanStringCounts(t *testing.T) {
	t.Parallel()
	pieces := []string{"a", "é", "€", "😀", `\n`, `\u00e9`, `\ud83d\ude00`, `\"`, `\\`, "z"}
	decoded := []string{"a", "é", "€", "😀", "\n", "é", "😀", `"`, `\`, "z"}
	rng := uint32(1)
	next := func(n int) int { // xorshift: deterministic, no import
		rng ^= rng << 13
		rng ^= rng >> 17
		rng ^= rng << 5
		return int(rng % uint32(n))
	}
	for n := 0; n <= 64; n++ {
		for trial := 0; trial < 20; trial++ {
			var raw, want strings.Builder
			for range n {
				k := next(len(pieces))
				raw.WriteString(pieces[k])
				want.WriteString(decoded[k])
			}
			lit := `"` + raw.String() + `"`
			body := []byte(lit + `,"next":1}`)
			end, chars, nonASCII, _ := scanString(body, 0)
			if end != len(lit) {
				t.Fatalf("scanString(%s) end = %d, want %d", lit, end, len(lit))
			}
			if w := utf8.RuneCountInString(want.String()); chars != w {
				t.Fatalf("scanString(%s) = %d characters, want %d", lit, chars, w)
			}
			if hasHigh := strings.ContainsFunc(raw.String(), func(r rune) bool { return r >= utf8.RuneSelf }); nonASCII != hasHigh {
				t.Fatalf("scanString(%s) nonASCII = %v, want %v", lit, nonASCII, hasHigh)
			}
		}
	}
	for _, bad := range []string{"\"a\x01b\"", `"a\qb"`, `"abc`, `"\u12"`} {
		if end, _, _, _ := scanString([]byte(bad), 0); end >= 0 {
			t.Errorf("scanString(%q) = %d, want -1", bad, end)
		}
	}
}

// TestScanStringLoneSurrogateBeforeQuote: a high surrogate escape followed
// by the closing quote and "u" and four hex digits is a lone surrogate; the
// string ends at that quote (FuzzValidate found the quote taken for the
// backslash of a low surrogate, so that an invalid body was accepted).
func TestScanStringLoneSurrogateBeforeQuote(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ body, lit string }{
		{`"\ud800"udC00","x":1}`, `"\ud800"`},
		{`"a\uD83D"uDE00 rest`, `"a\uD83D"`},
		{`"\ud83d\ude00"`, `"\ud83d\ude00"`},
	} {
		end, _, _, _ := scanString([]byte(tc.body), 0)
		if end != len(tc.lit) {
			t.Errorf("scanString(%s) end = %d, want %d (after %s)", tc.body, end, len(tc.lit), tc.lit)
		}
	}
}
