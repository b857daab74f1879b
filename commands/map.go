package commands

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"

	caddycmd "github.com/caddyserver/caddy/v2/cmd"

	"github.com/pinpointgw/gateway/apimap"
)

func init() {
	caddycmd.RegisterCommand(caddycmd.Command{
		Name:  "map",
		Usage: "[--region <region>] [--account <id>]",
		Short: "Maps requests (JSON lines on stdin) to IAM actions and resource ARNs",
		Long: `
Reads one request a line on stdin, as JSON:
  {"method":"GET","path":"/v1/apps/abc/segments","query":"","headers":{"X-Amz-Target":"..."},
   "body":"...","region":"us-east-1","account":"123456789012"}
and writes one line for each on stdout:
  {"api":"pinpoint","operation":"GetSegments","rule":"model","authorizations":[{"action":"mobiletargeting:GetSegments",
   "resources":["arn:aws:mobiletargeting:us-east-1:123456789012:apps/abc"]}],"request_tags":{},"tag_keys":[]}
or {"error":"..."}. "path" is the escaped path as sent (a "?query" suffix is
split off into "query"); "region" and "account" default to --region and
--account; an optional "service" is checked against the API's SigV4 service. Unresolved origination identities (a
phone number or bare sender ID) are listed under "unresolved"; an iam:PassRole
authorization has "passed_to_service"; the resources outside the operation's
own that AWS would use on the caller's behalf (roles, topics, streams, log
groups, S3 objects, SES identities, templates, ...) are listed, in request
order, under "references" ({"kind","member","value","arn"}). "rule" says what
mapped the operation: "model" (the service models) or "iam-reference" (an SMS
and Voice v2 operation newer than the models, mapped by the IAM reference data
to its action on "*"; "note" then says what the gateway cannot check).`,
		Flags: func() *flag.FlagSet {
			fs := flag.NewFlagSet("map", flag.ExitOnError)
			fs.String("region", "us-east-1", "default region")
			fs.String("account", "", "default account ID (12 digits)")
			return fs
		}(),
		Func: cmdMap,
	})
}

func cmdMap(fl caddycmd.Flags) (int, error) {
	opts := mapOptions{Region: fl.String("region"), Account: fl.String("account")}
	if err := runMap(os.Stdin, os.Stdout, opts); err != nil {
		return 1, err
	}
	return 0, nil
}

// mapOptions are the defaults of `gateway map`.
type mapOptions struct {
	Region  string
	Account string
}

// mapInput is one input line of `gateway map`.
type mapInput struct {
	Method  string            `json:"method"`
	Path    string            `json:"path"`
	Query   string            `json:"query"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
	Region  string            `json:"region"`
	Account string            `json:"account"`
	Service string            `json:"service"`
}

type mapPermission struct {
	Action          string   `json:"action"`
	Resources       []string `json:"resources"`
	PassedToService string   `json:"passed_to_service,omitempty"`
}

type mapReference struct {
	Kind   string `json:"kind"`
	Member string `json:"member"`
	Value  string `json:"value"`
	ARN    string `json:"arn"`
}

type mapUnresolved struct {
	Authorization int    `json:"authorization"`
	Resource      int    `json:"resource"`
	Kind          string `json:"kind"`
	Value         string `json:"value"`
}

// mapOutput is one output line of `gateway map`.
type mapOutput struct {
	API            string            `json:"api"`
	Operation      string            `json:"operation"`
	Rule           string            `json:"rule"`
	Note           string            `json:"note,omitempty"`
	Authorizations []mapPermission   `json:"authorizations"`
	RequestTags    map[string]string `json:"request_tags"`
	TagKeys        []string          `json:"tag_keys"`
	Unresolved     []mapUnresolved   `json:"unresolved,omitempty"`
	References     []mapReference    `json:"references,omitempty"`
}

type mapError struct {
	Error string `json:"error"`
}

// maxMapLine bounds one input line (bodies included).
const maxMapLine = 16 << 20

// runMap maps each JSON line of in and writes one JSON line to out. A line
// that cannot be parsed or mapped gives {"error": ...}; blank lines are
// skipped. It fails only on I/O errors.
func runMap(in io.Reader, out io.Writer, opts mapOptions) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), maxMapLine)
	w := bufio.NewWriter(out)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		if err := enc.Encode(mapLine([]byte(line), opts)); err != nil {
			return fmt.Errorf("writing output: %w", err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading input: %w", err)
	}
	return w.Flush()
}

// mapLine maps one input line; the result is a mapOutput or a mapError.
func mapLine(line []byte, opts mapOptions) any {
	var in mapInput
	dec := json.NewDecoder(strings.NewReader(string(line)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return mapError{Error: "parsing input line: " + err.Error()}
	}
	if dec.More() {
		return mapError{Error: "parsing input line: trailing data after the JSON object"}
	}
	req := &apimap.Request{
		Method:   in.Method,
		RawPath:  in.Path,
		RawQuery: in.Query,
		Header:   http.Header{},
		Body:     []byte(in.Body),
		Region:   in.Region,
		Account:  in.Account,
		Service:  in.Service,
	}
	if p, q, ok := strings.Cut(req.RawPath, "?"); ok {
		if req.RawQuery != "" {
			return mapError{Error: "path has a query and \"query\" is set too"}
		}
		req.RawPath, req.RawQuery = p, q
	}
	keys := make([]string, 0, len(in.Headers))
	for k := range in.Headers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		req.Header.Add(k, in.Headers[k])
	}
	if req.Region == "" {
		req.Region = opts.Region
	}
	if req.Account == "" {
		req.Account = opts.Account
	}
	res, err := apimap.Map(req)
	if err != nil {
		var me *apimap.Error
		if errors.As(err, &me) {
			return mapError{Error: me.Error()}
		}
		return mapError{Error: err.Error()}
	}
	o := mapOutput{
		API:         res.API,
		Operation:   res.Operation,
		Rule:        res.Rule,
		RequestTags: res.RequestTags,
		TagKeys:     res.TagKeys,
	}
	if res.Rule == apimap.RuleIAMReference {
		o.Note = apimap.IAMReferenceNote
	}
	if o.RequestTags == nil {
		o.RequestTags = map[string]string{}
	}
	if o.TagKeys == nil {
		o.TagKeys = []string{}
	}
	for _, a := range res.Permissions {
		o.Authorizations = append(o.Authorizations, mapPermission{Action: a.Action, Resources: a.Resources, PassedToService: a.PassedToService})
	}
	for _, r := range res.References {
		o.References = append(o.References, mapReference{Kind: r.ResourceType, Member: r.Member, Value: r.Value, ARN: r.ARN})
	}
	for _, u := range res.Unresolved {
		o.Unresolved = append(o.Unresolved, mapUnresolved{Authorization: u.Permission, Resource: u.Resource, Kind: u.Form, Value: u.Value})
	}
	return o
}
