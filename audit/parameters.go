package audit

import (
	"go.uber.org/zap/zapcore"

	"github.com/pinpointgw/gateway/apimap"
)

// Bounds of request_parameters: at most maxAuditParams (an operation reads
// up to 3 URI labels or ID members; a list of IDs is cut and counted), each
// member name cut to maxAuditMember bytes (the models' member and label
// names are under 32) and value to maxAuditString: at most ~2.2 KiB, which
// the record's worst case (audit.MaxRecord) leaves room for.
const (
	maxAuditParams = 6
	maxAuditMember = 64
)

// AddParameters adds the request members the mapping read as identifiers
// (at most maxAuditParams, each member and value cut) as the array field
// request_parameters: [{"member": ..., "value": ...}], and the count of
// the others as request_parameters_omitted. They are identifiers only (see
// apimap.Result.Parameters): never a message body.
func AddParameters(enc zapcore.ObjectEncoder, ps []apimap.Parameter) error {
	return addList(enc, "request_parameters", ps, maxAuditParams, asParameters)
}

// parameters logs the request members the mapping read.
type parameters []apimap.Parameter

func asParameters(ps []apimap.Parameter) zapcore.ArrayMarshaler { return parameters(ps) }

func (ps parameters) MarshalLogArray(enc zapcore.ArrayEncoder) error {
	for i := range ps {
		if err := enc.AppendObject((*parameterLog)(&ps[i])); err != nil {
			return err
		}
	}
	return nil
}

type parameterLog apimap.Parameter

func (p *parameterLog) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	enc.AddString("member", capString(p.Member, maxAuditMember))
	enc.AddString("value", capString(p.Value, maxAuditString))
	return nil
}
