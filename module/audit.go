package module

import (
	"net/http"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/pinpointgw/gateway/apimap"
	"github.com/pinpointgw/gateway/authz"
)

// writeAudit writes the request's one audit record on the logger
// http.handlers.pinpoint_gateway.audit. It never carries a secret, a
// signature or a session token: only the access key ID, the principal,
// what was asked, what was decided and why.
func (g *Gateway) writeAudit(r *http.Request, rs *requestState) {
	ce := g.audit.Check(zap.InfoLevel, "request")
	if ce == nil {
		return
	}
	// The fields live in the pooled request state: a local array would
	// escape to the heap through the variadic Write.
	f := rs.fields[:0]
	defer func() { rs.fields = f[:0] }()
	f = append(f,
		zap.Time("time", rs.start),
		zap.String("request_id", rs.requestID),
		zap.String("remote_ip", rs.clientIP),
		zap.String("user_agent", r.Header.Get("User-Agent")),
	)
	if rs.identity == nil && rs.claimedKeyID != "" {
		f = append(f, zap.String("access_key_id", rs.claimedKeyID))
	}
	if id := rs.identity; id != nil {
		f = append(f,
			zap.String("access_key_id", id.AccessKeyID),
			zap.String("region", id.Region),
		)
		if p := id.Principal; p != nil {
			f = append(f,
				zap.String("principal_arn", p.ARN),
				zap.String("principal_type", p.Type),
			)
			if p.RoleARN != "" {
				f = append(f, zap.String("role_arn", p.RoleARN))
			}
			if p.SessionName != "" {
				f = append(f, zap.String("session_name", p.SessionName))
			}
			if p.SourceIdentity != "" {
				f = append(f, zap.String("source_identity", p.SourceIdentity))
			}
			if len(p.SessionTags) > 0 {
				f = append(f, zap.Object("session_tags", stringMap(p.SessionTags)))
			}
		}
	}
	if rs.api != "" {
		f = append(f, zap.String("api", rs.api))
	}
	if rs.op != "" {
		f = append(f, zap.String("operation", rs.op))
	}
	if len(rs.auths) > 0 {
		f = append(f, zap.Array("authorizations", authorizations(rs.auths)))
	}
	f = append(f,
		zap.String("decision", rs.decision),
		zap.String("mode", g.Mode),
	)
	if rs.reason != "" {
		f = append(f, zap.String("reason", rs.reason))
	}
	if len(rs.matched) > 0 {
		f = append(f, zap.Array("matched", matches(rs.matched)))
	}
	if len(rs.tagsUnavailable) > 0 {
		f = append(f, zap.Strings("resource_tags_unavailable", rs.tagsUnavailable))
	}
	if rs.issued != nil {
		f = append(f, zap.String("issued_principal_arn", rs.issued.ARN))
		if len(rs.issued.SessionTags) > 0 {
			f = append(f, zap.Object("issued_session_tags", stringMap(rs.issued.SessionTags)))
		}
	}
	if rs.forwarded || rs.fwd.upstreamStatus != 0 {
		f = append(f, zap.Int("upstream_status", rs.fwd.upstreamStatus))
		if rs.fwd.upstreamRequestID != "" {
			f = append(f, zap.String("upstream_request_id", rs.fwd.upstreamRequestID))
		}
		if rs.fwd.upstreamErr != nil {
			f = append(f, zap.String("upstream_error", rs.fwd.upstreamErr.Error()))
		}
	}
	f = append(f,
		zap.Duration("duration", g.now().Sub(rs.start)),
		zap.Duration("gateway_duration", rs.work),
	)
	ce.Write(f...)
}

// stringMap logs a tag map as an object.
type stringMap map[string]string

func (m stringMap) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	for k, v := range m {
		enc.AddString(k, v)
	}
	return nil
}

// The marshalers of the record's arrays. The top-level fields hold copies
// of the request state's slice headers, never pointers into the pooled
// state: a log core may encode the record after the next request has taken
// that state. The elements are passed by pointer into the slices' arrays,
// which belong to this request alone, sparing an allocation each.

// authorizations logs action/resources pairs.
type authorizations []apimap.Authorization

func (as authorizations) MarshalLogArray(enc zapcore.ArrayEncoder) error {
	for i := range as {
		if err := enc.AppendObject((*authorizationLog)(&as[i])); err != nil {
			return err
		}
	}
	return nil
}

type authorizationLog apimap.Authorization

func (a *authorizationLog) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	enc.AddString("action", a.Action)
	return enc.AddArray("resources", (*stringsLog)(&a.Resources))
}

// stringsLog logs a string slice.
type stringsLog []string

func (ss *stringsLog) MarshalLogArray(enc zapcore.ArrayEncoder) error {
	for _, s := range *ss {
		enc.AppendString(s)
	}
	return nil
}

// matches logs the statements that decided.
type matches []authz.Match

func (ms matches) MarshalLogArray(enc zapcore.ArrayEncoder) error {
	for i := range ms {
		if err := enc.AppendObject((*matchLog)(&ms[i])); err != nil {
			return err
		}
	}
	return nil
}

type matchLog authz.Match

func (m *matchLog) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	enc.AddString("type", m.Type.String())
	enc.AddString("policy", m.Policy)
	if m.Sid != "" {
		enc.AddString("sid", m.Sid)
	}
	enc.AddInt("index", m.Index)
	enc.AddString("effect", m.Effect.String())
	return nil
}
