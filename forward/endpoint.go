package forward

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"

	"github.com/pinpointgw/gateway/apimap"
)

// DefaultEndpoints are the upstream URL templates of each API. {region} is
// replaced by the requested region and {dns_suffix} by its partition's DNS
// suffix (amazonaws.com, amazonaws.com.cn, ...).
var DefaultEndpoints = map[string]string{
	apimap.APIPinpoint:   "https://pinpoint.{region}.{dns_suffix}",
	apimap.APISMSVoice:   "https://sms-voice.pinpoint.{region}.{dns_suffix}",
	apimap.APISMSVoiceV2: "https://sms-voice.{region}.{dns_suffix}",
}

// Endpoints are the upstream base URLs of the APIs in one partition: a
// template per API, expanded once per region.
type Endpoints struct {
	templates map[string]*endpointTemplate
	dnsSuffix string
}

// NewEndpoints parses the URL template of each API (keys of
// DefaultEndpoints) for the partition's DNS suffix.
func NewEndpoints(templates map[string]string, partition string) (*Endpoints, error) {
	e := &Endpoints{templates: make(map[string]*endpointTemplate, len(templates)), dnsSuffix: DNSSuffix(partition)}
	for api, raw := range templates {
		tmpl, err := parseEndpointTemplate(raw)
		if err != nil {
			return nil, fmt.Errorf("endpoint %s: %w", api, err)
		}
		e.templates[api] = tmpl
	}
	return e, nil
}

// URL returns the upstream base URL of api for region. region must have
// been validated (apimap.Partition) so that it is a plain DNS label
// sequence.
func (e *Endpoints) URL(api, region string) (*url.URL, error) {
	tmpl := e.templates[api]
	if tmpl == nil {
		return nil, errors.New("no upstream endpoint for API " + api)
	}
	return tmpl.target(region, e.dnsSuffix)
}

// endpointTemplate is an upstream base URL with the placeholders {region}
// and {dns_suffix}, expanded once per region and cached.
type endpointTemplate struct {
	raw   string
	cache sync.Map // region -> *url.URL
}

// CheckEndpointTemplate checks that raw is an absolute http(s) URL without
// query or fragment, as an endpoint template must be.
func CheckEndpointTemplate(raw string) error {
	_, err := parseEndpointTemplate(raw)
	return err
}

// parseEndpointTemplate checks that raw is an absolute http(s) URL without
// query or fragment.
func parseEndpointTemplate(raw string) (*endpointTemplate, error) {
	probe := strings.NewReplacer("{region}", "us-east-1", "{dns_suffix}", "amazonaws.com").Replace(raw)
	u, err := url.Parse(probe)
	if err != nil {
		return nil, fmt.Errorf("parsing %q: %w", raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("%q: scheme must be http or https", raw)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("%q: no host", raw)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("%q: must not have user info, query or fragment", raw)
	}
	return &endpointTemplate{raw: raw}, nil
}

// target returns the upstream base URL for region. region must have been
// validated (apimap.Partition) so that it is a plain DNS label sequence.
func (t *endpointTemplate) target(region, dnsSuffix string) (*url.URL, error) {
	if u, ok := t.cache.Load(region); ok {
		return u.(*url.URL), nil
	}
	s := strings.NewReplacer("{region}", region, "{dns_suffix}", dnsSuffix).Replace(t.raw)
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("endpoint for region %s: %w", region, err)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = ""
	t.cache.Store(region, u)
	return u, nil
}

// DNSSuffix returns the DNS suffix of a partition's service endpoints.
func DNSSuffix(partition string) string {
	switch partition {
	case "aws-cn":
		return "amazonaws.com.cn"
	case "aws-eusc":
		return "amazonaws.eu"
	case "aws-iso":
		return "c2s.ic.gov"
	case "aws-iso-b":
		return "sc2s.sgov.gov"
	case "aws-iso-e":
		return "cloud.adc-e.uk"
	case "aws-iso-f":
		return "csp.hci.ic.gov"
	default: // aws, aws-us-gov
		return "amazonaws.com"
	}
}
