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
// apimap.Result.Parameters): never a message body. It takes a pointer to
// the request's slice, which costs no allocation.
func AddParameters(enc zapcore.ObjectEncoder, ps *[]apimap.Parameter) error {
	if len(*ps) == 0 {
		return nil
	}
	if err := enc.AddArray("request_parameters", (*parameters)(ps)); err != nil {
		return err
	}
	if omitted := len(*ps) - maxAuditParams; omitted > 0 {
		enc.AddInt64("request_parameters_omitted", int64(omitted))
	}
	return nil
}

// parameters logs the first maxAuditParams request members the mapping read.
type parameters []apimap.Parameter

func (ps *parameters) MarshalLogArray(enc zapcore.ArrayEncoder) error {
	list, _ := capList(*ps, maxAuditParams)
	for i := range list {
		if err := enc.AppendObject((*parameterLog)(&list[i])); err != nil {
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
