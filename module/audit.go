package module

import (
	"net/http"

	"go.uber.org/zap"

	"github.com/pinpointgw/gateway/audit"
)

// writeAudit writes the request's one audit record on the logger
// http.handlers.pinpoint_gateway.audit. It never carries a secret, a
// signature or a session token: only the access key ID, the principal,
// what was asked, what was decided and why. It is bounded (see
// audit.MaxRecord).
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
		audit.String("remote_ip", rs.clientIP),
		audit.String("user_agent", r.Header.Get("User-Agent")),
	)
	if rs.identity == nil && rs.claimedKeyID != "" {
		f = append(f, audit.String("access_key_id", rs.claimedKeyID))
	}
	if id := rs.identity; id != nil {
		f = append(f,
			audit.String("access_key_id", id.AccessKeyID),
			audit.String("region", id.Region),
		)
		if p := id.Principal; p != nil {
			f = append(f,
				audit.String("principal_arn", p.ARN),
				audit.String("principal_type", p.Type),
			)
			if p.RoleARN != "" {
				f = append(f, audit.String("role_arn", p.RoleARN))
			}
			if p.SessionName != "" {
				f = append(f, audit.String("session_name", p.SessionName))
			}
			if p.SourceIdentity != "" {
				f = append(f, audit.String("source_identity", p.SourceIdentity))
			}
			f = audit.AppendTags(f, "session_tags", p.SessionTags)
		}
	}
	if rs.api != "" {
		f = append(f, audit.String("api", rs.api))
	}
	if rs.op != "" {
		f = append(f, audit.String("operation", rs.op))
	}
	f = audit.AppendPermissions(f, rs.permissions)
	f = audit.AppendReferences(f, rs.references)
	f = append(f,
		zap.String("decision", rs.decision),
		zap.String("mode", g.Mode),
	)
	if rs.reason != "" {
		f = append(f, audit.Reason("reason", rs.reason))
	}
	f = audit.AppendMatches(f, rs.matched)
	f = audit.AppendStrings(f, "resource_tags_unavailable", rs.tagsUnavailable)
	if rs.issued != nil {
		f = append(f, audit.String("issued_principal_arn", rs.issued.ARN))
		f = audit.AppendTags(f, "issued_session_tags", rs.issued.SessionTags)
	}
	if rs.forwarded || rs.fwd.Status != 0 {
		f = append(f, zap.Int("upstream_status", rs.fwd.Status))
		if rs.fwd.RequestID != "" {
			f = append(f, audit.String("upstream_request_id", rs.fwd.RequestID))
		}
		if rs.fwd.Err != nil {
			f = append(f, audit.Reason("upstream_error", rs.fwd.Err.Error()))
		}
	}
	f = append(f,
		zap.Duration("duration", g.now().Sub(rs.start)),
		zap.Duration("gateway_duration", rs.work),
	)
	ce.Write(f...)
}
