package module

import (
	"net/http"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/pinpointgw/gateway/apimap"
	"github.com/pinpointgw/gateway/audit"
	"github.com/pinpointgw/gateway/decide"
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
	// One inline field that encodes the record from rs (which no later
	// request reuses) when a core encodes the entry: no slice of fields per
	// request.
	ce.Write(zap.Inline(&auditRecord{
		rs:        rs,
		mode:      g.Mode,
		userAgent: r.Header.Get("User-Agent"),
		duration:  g.now().Sub(rs.start),
	}))
}

// auditRecord is one request's audit record, encoded when a log core
// encodes the entry.
type auditRecord struct {
	rs        *requestState
	mode      string
	userAgent string
	duration  time.Duration
}

// MarshalLogObject adds the record's fields to enc, in the record's order.
func (a *auditRecord) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	rs := a.rs
	enc.AddTime("time", rs.start)
	enc.AddString("request_id", rs.requestID)
	audit.String("remote_ip", rs.clientIP).AddTo(enc)
	audit.String("user_agent", a.userAgent).AddTo(enc)
	if rs.identity == nil && rs.claimedKeyID != "" {
		audit.String("access_key_id", rs.claimedKeyID).AddTo(enc)
	}
	if err := a.addPrincipal(enc); err != nil {
		return err
	}
	if rs.api != "" {
		audit.String("api", rs.api).AddTo(enc)
	}
	if rs.op != "" {
		audit.String("operation", rs.op).AddTo(enc)
	}
	if rs.lifecycle == apimap.Retired {
		enc.AddString("operation_lifecycle", rs.lifecycle.String())
	}
	if rs.rule == apimap.RuleIAMReference {
		enc.AddString("mapped_by", rs.rule) // an operation the models lack
	}
	if err := audit.AddParameters(enc, &rs.parameters); err != nil {
		return err
	}
	if err := audit.AddPermissions(enc, rs.permissions); err != nil {
		return err
	}
	if err := audit.AddReferences(enc, rs.references); err != nil {
		return err
	}
	if err := audit.AddDestinations(enc, rs.destinations); err != nil {
		return err
	}
	enc.AddString("decision", rs.decision)
	enc.AddString("mode", a.mode)
	if rs.reason != "" {
		audit.Reason("reason", rs.reason).AddTo(enc)
	}
	if rs.errorCode != "" {
		audit.String("error_code", rs.errorCode).AddTo(enc) // the code the client got
	}
	if err := audit.AddMatches(enc, rs.matched); err != nil {
		return err
	}
	if err := audit.AddStrings(enc, "resource_tags_unavailable", rs.tagsUnavailable); err != nil {
		return err
	}
	if err := a.addDecisionInputs(enc); err != nil {
		return err
	}
	if err := audit.AddStrings(enc, "quotas", rs.quota.charged); err != nil {
		return err
	}
	if rs.quota.refused != "" {
		audit.String("quota_refused", rs.quota.refused).AddTo(enc)
	}
	if rs.quota.err != "" {
		audit.Reason("quota_error", rs.quota.err).AddTo(enc)
	}
	if rs.issued != nil {
		audit.String("issued_principal_arn", rs.issued.ARN).AddTo(enc)
		if err := audit.AddTags(enc, "issued_session_tags", rs.issued.SessionTags); err != nil {
			return err
		}
	}
	if rs.forwarded || rs.fwd.Status != 0 {
		enc.AddInt64("upstream_status", int64(rs.fwd.Status))
		if rs.fwd.RequestID != "" {
			audit.String("upstream_request_id", rs.fwd.RequestID).AddTo(enc)
		}
		if rs.fwd.ErrorType != "" {
			audit.String("upstream_error_code", rs.fwd.ErrorType).AddTo(enc)
		}
		if rs.fwd.Err != nil {
			audit.Reason("upstream_error", rs.fwd.Err.Error()).AddTo(enc)
		}
	}
	enc.AddDuration("duration", a.duration)
	enc.AddDuration("gateway_duration", rs.work)
	return nil
}

// addPrincipal adds who signed the request, when it was authenticated.
func (a *auditRecord) addPrincipal(enc zapcore.ObjectEncoder) error {
	id := a.rs.identity
	if id == nil {
		return nil
	}
	audit.String("access_key_id", id.AccessKeyID).AddTo(enc)
	audit.String("region", id.Region).AddTo(enc)
	p := id.Principal
	if p == nil {
		return nil
	}
	audit.String("principal_arn", p.ARN).AddTo(enc)
	audit.String("principal_type", p.Type).AddTo(enc)
	if p.RoleARN != "" {
		audit.String("role_arn", p.RoleARN).AddTo(enc)
	}
	if p.SessionName != "" {
		audit.String("session_name", p.SessionName).AddTo(enc)
	}
	if p.SourceIdentity != "" {
		audit.String("source_identity", p.SourceIdentity).AddTo(enc)
	}
	if err := audit.AddTags(enc, "session_tags", p.SessionTags); err != nil {
		return err
	}
	return audit.AddSessionPolicies(enc, p.SessionPolicies)
}

// addDecisionInputs adds what the policy decision read beside the
// policies, for `gateway replay`: the request context as evaluated (set
// by buildContext; the per-resource keys are removed after each pair), the
// request-wide keys the gateway could not learn, and each pair evaluated
// with its per-resource keys and decision.
func (a *auditRecord) addDecisionInputs(enc zapcore.ObjectEncoder) error {
	rs := a.rs
	if err := audit.AddContext(enc, &rs.cond); err != nil {
		return err
	}
	if rs.unreadable && len(rs.evals) > 0 {
		if err := audit.AddUnknown(enc, decide.UnknownDestinations); err != nil {
			return err
		}
	}
	return audit.AddEvaluations(enc, &rs.evals)
}
