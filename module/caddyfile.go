package module

import (
	"strconv"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"github.com/caddyserver/caddy/v2/caddyconfig/httpcaddyfile"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"github.com/dustin/go-humanize"

	"github.com/pinpointgw/gateway/forward"
)

func init() {
	httpcaddyfile.RegisterHandlerDirective("pinpoint_gateway", parseCaddyfile)
	httpcaddyfile.RegisterDirectiveOrder("pinpoint_gateway", httpcaddyfile.Before, "reverse_proxy")
}

// parseCaddyfile sets up the handler from Caddyfile tokens.
func parseCaddyfile(h httpcaddyfile.Helper) (caddyhttp.MiddlewareHandler, error) {
	g := new(Gateway)
	if err := g.UnmarshalCaddyfile(h.Dispenser); err != nil {
		return nil, err
	}
	return g, nil
}

// UnmarshalCaddyfile sets up the handler from Caddyfile tokens. Syntax:
//
//	pinpoint_gateway {
//	    account      <12-digit account ID>                # required
//	    store        <path of the store JSON>             # required
//	    store_watch  <duration> | off                     # check the store file for changes; default 1s
//	    strict_policies                                   # refuse a store with lint warnings; default off
//	    region       <home region>                        # default us-east-1
//	    session_keys <key> [<key>...] | ephemeral         # base64 32-byte keys as {env.NAME} or {file.PATH}; first seals, all open
//	    deployment_id <id>                                # sealed into session tokens; default: account and partition only
//	    mode         enforce | dry_run                    # default enforce
//	    retired_operations forward | deny                 # operations AWS retired (2026-10-30); default forward
//	    max_body     <size>                               # default 10MiB
//	    clock_skew   <duration>                           # default 5m
//	    allow_unsigned_payload                            # default off
//	    upstream_credentials default | static <id> <secret> [<token>] | profile <name>
//	    endpoint     pinpoint | sms-voice | sms-voice-v2 <url with {region}, {dns_suffix}>
//	    regions      <region> [<region>...]               # default: the home region's partition
//	    org_id       <o-…>                                # aws:PrincipalOrgID, aws:ResourceOrgID; default none
//	    resource_tags static | off | lookup [<ttl> [<size> [<timeout>]]]  # lookup defaults 5m 10000 2s
//	    origination_lookup on | off                       # resolve numbers, sender IDs, verified numbers upstream; default on
//	    upstream_timeout <duration>                       # default 30s
//	    body_timeout <duration>                           # default 30s
//	    quota <name> {                                    # repeatable; none by default
//	        actions <action> [<action>...]                # IAM actions, * and ? wildcards; repeatable
//	        per     <condition key>                       # default aws:PrincipalArn
//	        limit   <destinations> <window>               # e.g. 1000 1h; window 1s to 744h
//	    }
//	    shared_state memory | redis <url> {               # default memory
//	        timeout <duration>                            # redis only; default 250ms
//	    }
//	}
//
// endpoint may be repeated, once per API; session_keys and regions may be
// repeated to append. Values may be placeholders such as {env.NAME}, which
// are resolved when the config is loaded (and so stay out of the JSON).
func (g *Gateway) UnmarshalCaddyfile(d *caddyfile.Dispenser) error {
	d.Next() // the directive name
	if d.NextArg() {
		return d.ArgErr()
	}
	for d.NextBlock(0) {
		opt := d.Val()
		switch opt {
		case "account", "region", "store", "mode", "retired_operations":
			var v string
			if !d.AllArgs(&v) {
				return d.ArgErr()
			}
			switch opt {
			case "account":
				g.Account = v
			case "region":
				g.Region = v
			case "store":
				g.Store = v
			case "mode":
				if v != ModeEnforce && v != ModeDryRun {
					return d.Errf("mode: %q is not %s or %s", v, ModeEnforce, ModeDryRun)
				}
				g.Mode = v
			case "retired_operations":
				if v != RetiredForward && v != RetiredDeny {
					return d.Errf("retired_operations: %q is not %s or %s", v, RetiredForward, RetiredDeny)
				}
				g.RetiredOperations = v
			}

		case "org_id":
			if !d.AllArgs(&g.OrgID) {
				return d.ArgErr()
			}
			if !orgIDRE.MatchString(g.OrgID) {
				return d.Errf("org_id: %q is not an AWS Organizations ID (o- and 10 to 32 lower-case letters or digits)", g.OrgID)
			}

		case "session_keys":
			keys := d.RemainingArgs()
			if len(keys) == 0 {
				return d.ArgErr()
			}
			g.SessionKeys = append(g.SessionKeys, keys...)

		case "deployment_id":
			if g.DeploymentID != "" {
				return d.Err("deployment_id given twice")
			}
			if !d.AllArgs(&g.DeploymentID) {
				return d.ArgErr()
			}

		case "regions":
			regions := d.RemainingArgs()
			if len(regions) == 0 {
				return d.ArgErr()
			}
			g.Regions = append(g.Regions, regions...)

		case "max_body":
			var v string
			if !d.AllArgs(&v) {
				return d.ArgErr()
			}
			n, err := humanize.ParseBytes(v)
			if err != nil {
				return d.Errf("max_body: %v", err)
			}
			if n == 0 || n > 1<<40 {
				return d.Errf("max_body: %s is out of range", v)
			}
			g.MaxBody = int64(n)

		case "clock_skew", "upstream_timeout", "body_timeout":
			var v string
			if !d.AllArgs(&v) {
				return d.ArgErr()
			}
			dur, err := caddy.ParseDuration(v)
			if err != nil {
				return d.Errf("%s: %v", opt, err)
			}
			if dur <= 0 {
				return d.Errf("%s: %s must be positive", opt, v)
			}
			switch opt {
			case "clock_skew":
				g.ClockSkew = caddy.Duration(dur)
			case "upstream_timeout":
				g.UpstreamTimeout = caddy.Duration(dur)
			default:
				g.BodyTimeout = caddy.Duration(dur)
			}

		case "allow_unsigned_payload":
			if d.NextArg() {
				return d.ArgErr()
			}
			g.AllowUnsignedPayload = true

		case "upstream_credentials":
			uc, err := parseUpstreamCredentials(d)
			if err != nil {
				return err
			}
			g.UpstreamCredentials = uc

		case "endpoint":
			var api, u string
			if !d.AllArgs(&api, &u) {
				return d.ArgErr()
			}
			if _, ok := forward.DefaultEndpoints[api]; !ok {
				return d.Errf("endpoint: unknown API %q (want pinpoint, sms-voice or sms-voice-v2)", api)
			}
			if _, dup := g.Endpoint[api]; dup {
				return d.Errf("endpoint: %s given twice", api)
			}
			if err := forward.CheckEndpointTemplate(u); err != nil {
				return d.Errf("endpoint %s: %v", api, err)
			}
			if g.Endpoint == nil {
				g.Endpoint = make(map[string]string)
			}
			g.Endpoint[api] = u

		case "resource_tags":
			rt, err := parseResourceTags(d)
			if err != nil {
				return err
			}
			g.ResourceTags = rt

		case "store_watch":
			var v string
			if !d.AllArgs(&v) {
				return d.ArgErr()
			}
			if _, err := parseStoreWatch(v); err != nil {
				return d.Errf("%v", err)
			}
			g.StoreWatch = v

		case "strict_policies":
			if d.NextArg() {
				return d.ArgErr()
			}
			g.StrictPolicies = true

		case "origination_lookup":
			var v string
			if !d.AllArgs(&v) {
				return d.ArgErr()
			}
			switch v {
			case "on":
				g.OriginationLookup = ""
			case OriginationLookupOff:
				g.OriginationLookup = OriginationLookupOff
			default:
				return d.Errf("origination_lookup: %q is not on or off", v)
			}

		case "quota":
			q, err := parseQuota(d)
			if err != nil {
				return err
			}
			g.Quotas = append(g.Quotas, q)

		case "shared_state":
			s, err := parseSharedState(d)
			if err != nil {
				return err
			}
			g.SharedState = s

		default:
			return d.Errf("unrecognized pinpoint_gateway option %q", opt)
		}
	}
	return nil
}

// parseQuota parses a quota block: quota NAME { actions ...; per KEY; limit N WINDOW }.
func parseQuota(d *caddyfile.Dispenser) (Quota, error) {
	q := Quota{}
	if !d.NextArg() {
		return q, d.Errf("quota needs a name")
	}
	q.Name = d.Val()
	if d.NextArg() {
		return q, d.ArgErr()
	}
	for nesting := d.Nesting(); d.NextBlock(nesting); {
		switch d.Val() {
		case "actions":
			args := d.RemainingArgs()
			if len(args) == 0 {
				return q, d.ArgErr()
			}
			q.Actions = append(q.Actions, args...)
		case "per":
			if !d.AllArgs(&q.Per) {
				return q, d.ArgErr()
			}
		case "limit":
			var n, window string
			if !d.AllArgs(&n, &window) {
				return q, d.Errf("quota %s: limit takes a number of destinations and a window, e.g. limit 1000 1h", q.Name)
			}
			limit, err := strconv.ParseInt(n, 10, 64)
			if err != nil || limit < 1 {
				return q, d.Errf("quota %s: limit %q is not a positive number", q.Name, n)
			}
			w, err := caddy.ParseDuration(window)
			if err != nil || w <= 0 {
				return q, d.Errf("quota %s: bad window %q", q.Name, window)
			}
			q.Limit, q.Window = limit, caddy.Duration(w)
		default:
			return q, d.Errf("quota %s: unrecognized option %q", q.Name, d.Val())
		}
	}
	if len(q.Actions) == 0 || q.Limit == 0 {
		return q, d.Errf("quota %s: needs actions and a limit", q.Name)
	}
	return q, nil
}

// parseSharedState parses shared_state memory | redis URL [{ timeout D }].
func parseSharedState(d *caddyfile.Dispenser) (*SharedState, error) {
	s := &SharedState{}
	if !d.NextArg() {
		return nil, d.ArgErr()
	}
	s.Backend = d.Val()
	switch s.Backend {
	case SharedStateMemory:
		if d.NextArg() {
			return nil, d.Errf("shared_state memory takes no arguments")
		}
	case SharedStateRedis:
		if !d.NextArg() {
			return nil, d.Errf("shared_state redis needs the server's URL")
		}
		s.URL = d.Val()
		if d.NextArg() {
			return nil, d.ArgErr()
		}
	default:
		return nil, d.Errf("shared_state: %q is not memory or redis", s.Backend)
	}
	for nesting := d.Nesting(); d.NextBlock(nesting); {
		if d.Val() != "timeout" || s.Backend != SharedStateRedis {
			return nil, d.Errf("shared_state %s: unrecognized option %q", s.Backend, d.Val())
		}
		var v string
		if !d.AllArgs(&v) {
			return nil, d.ArgErr()
		}
		t, err := caddy.ParseDuration(v)
		if err != nil || t <= 0 {
			return nil, d.Errf("shared_state redis: bad timeout %q", v)
		}
		s.Timeout = caddy.Duration(t)
	}
	if s.Backend == SharedStateMemory {
		return nil, nil // the default
	}
	return s, nil
}

// parseUpstreamCredentials parses upstream_credentials default | static KEY
// SECRET [TOKEN] | profile NAME.
func parseUpstreamCredentials(d *caddyfile.Dispenser) (*UpstreamCredentials, error) {
	args := d.RemainingArgs()
	if len(args) == 0 {
		return nil, d.ArgErr()
	}
	uc := &UpstreamCredentials{Source: args[0]}
	switch args[0] {
	case CredentialsDefault:
		if len(args) != 1 {
			return nil, d.Errf("upstream_credentials default takes no arguments")
		}
		uc.Source = ""
	case CredentialsStatic:
		if len(args) != 3 && len(args) != 4 {
			return nil, d.Errf("upstream_credentials static takes an access key ID, a secret and optionally a session token")
		}
		uc.AccessKeyID, uc.SecretAccessKey = args[1], args[2]
		if len(args) == 4 {
			uc.SessionToken = args[3]
		}
	case CredentialsProfile:
		if len(args) != 2 {
			return nil, d.Errf("upstream_credentials profile takes one profile name")
		}
		uc.Profile = args[1]
	default:
		return nil, d.Errf("upstream_credentials: %q is not default, static or profile", args[0])
	}
	return uc, nil
}

// parseResourceTags parses resource_tags static | off | lookup [TTL [SIZE
// [TIMEOUT]]]; static is the default, so it gives nil.
func parseResourceTags(d *caddyfile.Dispenser) (*ResourceTagsConfig, error) {
	args := d.RemainingArgs()
	if len(args) == 0 {
		return nil, d.ArgErr()
	}
	rt := &ResourceTagsConfig{Source: args[0]}
	switch args[0] {
	case ResourceTagsStatic, ResourceTagsOff:
		if len(args) != 1 {
			return nil, d.Errf("resource_tags %s takes no arguments", args[0])
		}
		if args[0] == ResourceTagsStatic {
			rt = nil // the default
		}
	case ResourceTagsLookup:
		if len(args) > 4 {
			return nil, d.Errf("resource_tags lookup takes at most a TTL, a cache size and a timeout")
		}
		if len(args) >= 2 {
			ttl, err := caddy.ParseDuration(args[1])
			if err != nil || ttl <= 0 {
				return nil, d.Errf("resource_tags lookup: bad TTL %q", args[1])
			}
			rt.TTL = caddy.Duration(ttl)
		}
		if len(args) == 4 {
			timeout, err := caddy.ParseDuration(args[3])
			if err != nil || timeout <= 0 {
				return nil, d.Errf("resource_tags lookup: bad timeout %q", args[3])
			}
			rt.Timeout = caddy.Duration(timeout)
		}
		if len(args) >= 3 {
			n, err := strconv.Atoi(args[2])
			if err != nil || n <= 0 {
				return nil, d.Errf("resource_tags lookup: bad cache size %q", args[2])
			}
			rt.Size = n
		}
	default:
		return nil, d.Errf("resource_tags: %q is not static, lookup or off", args[0])
	}
	return rt, nil
}
