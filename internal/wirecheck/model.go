// Package wirecheck is an independent reader of the requests the gateway
// forwards, for tests: given what an upstream received (method, raw path,
// raw query, headers, body) it names the operation and lists every resource
// identifier the request acts on, as AWS would read them. It is built from
// the botocore service models in ../shared/data alone and shares nothing
// with the gateway's own mapping (apimap), so that a test can hold the
// gateway's audit record against a second, separately written reading of
// the same bytes (Check).
//
// It also generates requests from the same models (Generate, Mutations):
// a minimal valid body with realistic identifiers for every operation, and
// adversarial variants of it.
//
// It uses nothing but the standard library.
package wirecheck

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/pinpointgw/gateway/internal/testenv"
)

// The three APIs behind the gateway, by the directory of their model.
var modelDirs = map[string]string{
	"pinpoint":     "pinpoint/2016-12-01",
	"sms-voice":    "pinpoint-sms-voice/2018-09-05",
	"sms-voice-v2": "pinpoint-sms-voice-v2/2022-03-31",
}

// Shape is a botocore shape, reduced to what the reader and the generator use.
type Shape struct {
	Name     string
	Type     string
	Members  map[string]*Member
	Order    []string // member names, sorted
	Required map[string]bool
	Payload  string
	Union    bool
	Member   *Member // list element
	Key      *Member // map key
	Value    *Member // map value
	Enum     []string
	Pattern  string
	Min, Max *float64
}

// Member is a structure member, a list element or a map key or value.
type Member struct {
	Name         string // the member's name in the model
	Shape        string
	Location     string // "", "uri", "querystring", "header", "headers"
	LocationName string
}

// wireName is the member's name on the wire: its JSON key or its label,
// query parameter or header name.
func (m *Member) wireName() string {
	if m.LocationName != "" {
		return m.LocationName
	}
	return m.Name
}

// Operation is one operation of an API.
type Operation struct {
	API    string
	Name   string
	Method string
	URI    string // request URI template (REST); "/" for JSON 1.0
	Input  string // input shape name; "" when none

	segs  []string          // path template segments
	query map[string]string // literal query of the template
}

// API is one service model.
type API struct {
	Name         string // pinpoint | sms-voice | sms-voice-v2
	Protocol     string // rest-json | json
	SigningName  string
	TargetPrefix string
	Shapes       map[string]*Shape
	Operations   map[string]*Operation

	// labelNames: member names bound to URI labels anywhere in the model.
	labelNames map[string]bool
	// parents: for a label member name, the label member names that precede
	// it in every URI template holding it (its enclosing resources).
	parents map[string]map[string]bool
	// stems: resource names S for which the model has an S+"IdOrArn" or
	// S+"NameOrArn" shape: members named S+"Id", S+"Name" (and plurals)
	// identify such a resource.
	stems map[string]bool
}

// Models are the three APIs.
type Models struct {
	APIs map[string]*API
}

// Load reads the three models from dir, the botocore directory of the
// reference data.
func Load(dir string) (*Models, error) {
	ms := &Models{APIs: map[string]*API{}}
	for name, rel := range modelDirs {
		a, err := loadAPI(name, filepath.Join(dir, rel, "service-2.json"))
		if err != nil {
			return nil, err
		}
		ms.APIs[name] = a
	}
	return ms, nil
}

// LoadForTest loads the models from the shared reference data (skipping
// the test where testenv says so).
func LoadForTest(t testing.TB) *Models {
	t.Helper()
	ms, err := Load(testenv.SharedData(t, "service-models", "botocore"))
	if err != nil {
		t.Fatalf("wirecheck: %v", err)
	}
	return ms
}

type rawModel struct {
	Metadata struct {
		Protocol     string `json:"protocol"`
		SigningName  string `json:"signingName"`
		TargetPrefix string `json:"targetPrefix"`
	} `json:"metadata"`
	Operations map[string]struct {
		HTTP struct {
			Method     string `json:"method"`
			RequestURI string `json:"requestUri"`
		} `json:"http"`
		Input *struct {
			Shape string `json:"shape"`
		} `json:"input"`
	} `json:"operations"`
	Shapes map[string]struct {
		Type     string `json:"type"`
		Members  map[string]rawMember
		Required []string `json:"required"`
		Payload  string   `json:"payload"`
		Union    bool     `json:"union"`
		Member   *rawMember
		Key      *rawMember
		Value    *rawMember
		Enum     []string `json:"enum"`
		Pattern  string   `json:"pattern"`
		Min      *float64 `json:"min"`
		Max      *float64 `json:"max"`
	} `json:"shapes"`
}

type rawMember struct {
	Shape        string `json:"shape"`
	Location     string `json:"location"`
	LocationName string `json:"locationName"`
}

var orArnShape = regexp.MustCompile(`^(.+?)(Id|Name)OrArn$`)

func loadAPI(name, path string) (*API, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("loading model of %s: %w", name, err)
	}
	var raw rawModel
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("loading model of %s: %w", name, err)
	}
	a := &API{
		Name: name, Protocol: raw.Metadata.Protocol, SigningName: raw.Metadata.SigningName,
		TargetPrefix: raw.Metadata.TargetPrefix,
		Shapes:       map[string]*Shape{}, Operations: map[string]*Operation{},
		labelNames: map[string]bool{}, parents: map[string]map[string]bool{}, stems: map[string]bool{},
	}
	conv := func(n string, m *rawMember) *Member {
		if m == nil {
			return nil
		}
		return &Member{Name: n, Shape: m.Shape, Location: m.Location, LocationName: m.LocationName}
	}
	for sn, s := range raw.Shapes {
		sh := &Shape{Name: sn, Type: s.Type, Payload: s.Payload, Enum: s.Enum, Pattern: s.Pattern,
			Min: s.Min, Max: s.Max, Union: s.Union, Members: map[string]*Member{}, Required: map[string]bool{}}
		for mn, m := range s.Members {
			sh.Members[mn] = conv(mn, &m)
			sh.Order = append(sh.Order, mn)
		}
		sort.Strings(sh.Order)
		for _, r := range s.Required {
			sh.Required[r] = true
		}
		sh.Member, sh.Key, sh.Value = conv("member", s.Member), conv("key", s.Key), conv("value", s.Value)
		a.Shapes[sn] = sh
		if m := orArnShape.FindStringSubmatch(sn); m != nil {
			a.stems[m[1]] = true
		}
	}
	for on, o := range raw.Operations {
		op := &Operation{API: name, Name: on, Method: o.HTTP.Method, URI: o.HTTP.RequestURI, query: map[string]string{}}
		if o.Input != nil {
			op.Input = o.Input.Shape
		}
		p, q, _ := strings.Cut(op.URI, "?")
		op.segs = strings.Split(strings.Trim(p, "/"), "/")
		if p == "/" {
			op.segs = nil
		}
		if q != "" {
			for _, kv := range strings.Split(q, "&") {
				k, v, _ := strings.Cut(kv, "=")
				op.query[k] = v
			}
		}
		a.Operations[on] = op
		if a.Protocol == "json" || op.Input == "" {
			continue
		}
		in := a.Shapes[op.Input]
		var seen []string // label member names in template order
		for _, seg := range op.segs {
			if !isLabel(seg) {
				continue
			}
			label := labelName(seg)
			for _, mn := range in.Order {
				m := in.Members[mn]
				if m.Location == "uri" && m.wireName() == label {
					a.labelNames[mn] = true
					prev := map[string]bool{}
					for _, s := range seen {
						prev[s] = true
					}
					if old, ok := a.parents[mn]; ok {
						for k := range old {
							if !prev[k] {
								delete(old, k)
							}
						}
					} else {
						a.parents[mn] = prev
					}
					seen = append(seen, mn)
				}
			}
		}
	}
	if len(a.Operations) == 0 {
		return nil, fmt.Errorf("loading model of %s: no operations", name)
	}
	return a, nil
}

func isLabel(seg string) bool { return strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") }

func labelName(seg string) string {
	return strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(seg, "{"), "}"), "+")
}

// OperationNames lists the operations of api, sorted.
func (a *API) OperationNames() []string {
	var out []string
	for n := range a.Operations {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// memberByWire finds the member of s whose wire name is key: exactly, or
// else ignoring case (a conservative reading: some JSON decoders match
// keys case-insensitively, so a gateway that did not would miss them).
func (s *Shape) memberByWire(key string, bodyOnly bool) *Member {
	var folded *Member
	for _, mn := range s.Order {
		m := s.Members[mn]
		if bodyOnly && m.Location != "" {
			continue
		}
		if m.wireName() == key {
			return m
		}
		if folded == nil && strings.EqualFold(m.wireName(), key) {
			folded = m
		}
	}
	return folded
}
