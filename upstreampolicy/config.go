package upstreampolicy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/pinpointgw/gateway/apimap"
	"github.com/pinpointgw/gateway/authn"
)

// The names the gateway's JSON configuration uses (package module: the handler's module
// name and the fields of module.Gateway that the upstream permissions depend on);
// TestConfigNamesMatchModule checks them against the module.
const (
	handlerName       = "pinpoint_gateway"
	defaultRegion     = "us-east-1"
	resourceTagLookup = "lookup"
	originationOff    = "off"
)

// handlerConfig is the part of a pinpoint_gateway handler's JSON that the upstream
// permissions depend on (the other fields are ignored).
type handlerConfig struct {
	Account      string   `json:"account"`
	Region       string   `json:"region"`
	Store        string   `json:"store"`
	Regions      []string `json:"regions"`
	ResourceTags *struct {
		Source string `json:"source"`
	} `json:"resource_tags"`
	OriginationLookup string `json:"origination_lookup"`
}

// ConfigOptions says how FromConfig reads a handler's store.
type ConfigOptions struct {
	// Replace resolves placeholders such as {env.NAME} in the store's path (the module
	// resolves them with Caddy's replacer). Default: the path as written.
	Replace func(string) string
	// LookupEnv resolves the store's "{env.NAME}" secrets; the policy needs none, so a
	// caller may answer a placeholder. Default: os.LookupEnv (authn.StoreOptions).
	LookupEnv func(string) (string, bool)
}

// FromConfig finds every pinpoint_gateway handler in a Caddy JSON configuration (at any
// depth: routes, subroutes, several servers), loads its store and returns what its
// upstream permissions depend on, in the order found.
func FromConfig(cfg []byte, opts ConfigOptions) ([]Gateway, error) {
	var root any
	dec := json.NewDecoder(bytes.NewReader(cfg))
	dec.UseNumber()
	if err := dec.Decode(&root); err != nil {
		return nil, fmt.Errorf("decoding the configuration: %w", err)
	}
	var handlers []map[string]any
	findHandlers(root, &handlers)
	if len(handlers) == 0 {
		return nil, errors.New("the configuration has no " + handlerName + " handler")
	}
	out := make([]Gateway, 0, len(handlers))
	for i, h := range handlers {
		gw, err := gatewayOf(h, opts)
		if err != nil {
			return nil, fmt.Errorf("%s handler %d: %w", handlerName, i+1, err)
		}
		out = append(out, gw)
	}
	return out, nil
}

// findHandlers appends every object whose "handler" is pinpoint_gateway, depth first.
func findHandlers(v any, out *[]map[string]any) {
	switch t := v.(type) {
	case map[string]any:
		if t["handler"] == handlerName {
			*out = append(*out, t)
			return
		}
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			findHandlers(t[k], out)
		}
	case []any:
		for _, e := range t {
			findHandlers(e, out)
		}
	}
}

func gatewayOf(h map[string]any, opts ConfigOptions) (Gateway, error) {
	raw, err := json.Marshal(h)
	if err != nil {
		return Gateway{}, err
	}
	var hc handlerConfig
	if err := json.Unmarshal(raw, &hc); err != nil {
		return Gateway{}, fmt.Errorf("decoding: %w", err)
	}
	if hc.Region == "" {
		hc.Region = defaultRegion
	}
	partition, ok := apimap.Partition(hc.Region)
	if !ok {
		return Gateway{}, fmt.Errorf("region %q is in no known partition", hc.Region)
	}
	path := hc.Store
	if opts.Replace != nil {
		path = opts.Replace(path)
	}
	if path == "" {
		return Gateway{}, errors.New("store is required")
	}
	store, err := authn.LoadStore(path, authn.StoreOptions{
		Account: hc.Account, Partition: partition, LookupEnv: opts.LookupEnv, KnownAction: apimap.IsKnownAction,
	})
	if err != nil {
		return Gateway{}, err
	}
	return Gateway{
		Store:             store,
		Regions:           hc.Regions,
		TagLookup:         hc.ResourceTags != nil && hc.ResourceTags.Source == resourceTagLookup,
		OriginationLookup: hc.OriginationLookup != originationOff,
	}, nil
}
