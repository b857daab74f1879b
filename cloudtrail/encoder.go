// Package cloudtrail is the Caddy log encoder module
// caddy.logging.encoders.cloudtrail (Caddyfile: format cloudtrail), which
// writes each of the gateway's audit records as one AWS CloudTrail event
// per line, so that tools built for CloudTrail (Athena's CloudTrail table,
// SIEM parsers) read the gateway's decisions unchanged. event.go holds the
// field mapping; README "CloudTrail-format audit log" documents it.
package cloudtrail

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"go.uber.org/zap/buffer"
	"go.uber.org/zap/zapcore"
)

func init() {
	caddy.RegisterModule(Encoder{})
}

// AuditLogger is the name of the logger of the gateway's audit records
// (module/gateway.go names it): its entries become CloudTrail events.
const AuditLogger = "http.handlers.pinpoint_gateway.audit"

// Encoder is the Caddy log encoder module caddy.logging.encoders.cloudtrail.
// An entry of the audit logger becomes one CloudTrail event (a JSON object
// on one line, as CloudWatch Logs and EventBridge carry single events);
// any other entry is written as a plain JSON line (level, ts, logger, msg
// and its fields), so a log that also includes other loggers stays
// readable, though not by CloudTrail readers: give the log `include
// http.handlers.pinpoint_gateway.audit` (see caddyfile.example).
//
// Caddyfile (inside a log block; no options):
//
//	format cloudtrail
type Encoder struct {
	// fields holds the fields added to the logger with With (none for the
	// audit logger); an entry's own fields are added to a copy.
	*zapcore.MapObjectEncoder `json:"-"`
	bufs                      buffer.Pool
}

// CaddyModule returns the Caddy module information.
func (Encoder) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{
		ID:  "caddy.logging.encoders.cloudtrail",
		New: func() caddy.Module { return newEncoder() },
	}
}

func newEncoder() *Encoder {
	return &Encoder{MapObjectEncoder: zapcore.NewMapObjectEncoder(), bufs: buffer.NewPool()}
}

// Provision readies the encoder.
func (e *Encoder) Provision(caddy.Context) error {
	if e.MapObjectEncoder == nil {
		e.MapObjectEncoder = zapcore.NewMapObjectEncoder()
	}
	if e.bufs == (buffer.Pool{}) {
		e.bufs = buffer.NewPool()
	}
	return nil
}

// UnmarshalCaddyfile sets up the encoder from Caddyfile tokens: `format
// cloudtrail`, without arguments or a block.
func (e *Encoder) UnmarshalCaddyfile(d *caddyfile.Dispenser) error {
	d.Next() // the encoder's name
	if d.NextArg() {
		return d.ArgErr()
	}
	if d.NextBlock(d.Nesting()) {
		return d.Errf("format cloudtrail takes no options")
	}
	return nil
}

// Clone copies the encoder and the fields added to it.
func (e *Encoder) Clone() zapcore.Encoder {
	c := &Encoder{MapObjectEncoder: zapcore.NewMapObjectEncoder(), bufs: e.bufs}
	for k, v := range e.Fields {
		c.Fields[k] = v
	}
	return c
}

// EncodeEntry writes the entry as one line: a CloudTrail event for an
// audit record, a plain JSON object otherwise.
func (e *Encoder) EncodeEntry(ent zapcore.Entry, fields []zapcore.Field) (*buffer.Buffer, error) {
	rec := zapcore.NewMapObjectEncoder()
	for k, v := range e.Fields {
		rec.Fields[k] = v
	}
	for i := range fields {
		fields[i].AddTo(rec)
	}
	var v any
	if ent.LoggerName == AuditLogger {
		v = FromRecord(rec.Fields)
	} else {
		v = plainEntry(ent, rec.Fields)
	}
	buf := e.bufs.Get()
	// Without HTML escaping, as zap's JSON encoder writes the record: the
	// record's bounds (audit.MaxRecord) count bytes that way; Encode ends
	// the line.
	je := json.NewEncoder(buf)
	je.SetEscapeHTML(false)
	if err := je.Encode(v); err != nil {
		buf.Free()
		return nil, fmt.Errorf("cloudtrail encoder: %w", err)
	}
	return buf, nil
}

// plainEntry is an entry of another logger as a JSON object: Caddy's JSON
// keys (level, ts, logger, msg) and the entry's fields.
func plainEntry(ent zapcore.Entry, fields map[string]any) map[string]any {
	out := make(map[string]any, len(fields)+4)
	for k, v := range fields {
		out[k] = jsonValue(v)
	}
	out["level"] = ent.Level.String()
	out["ts"] = float64(ent.Time.UnixNano()) / float64(time.Second)
	if ent.LoggerName != "" {
		out["logger"] = ent.LoggerName
	}
	out["msg"] = ent.Message
	return out
}

// jsonValue converts the values a MapObjectEncoder holds that encoding/json
// would write differently from zap's JSON encoder: durations as seconds,
// errors as their text.
func jsonValue(v any) any {
	switch x := v.(type) {
	case time.Duration:
		return x.Seconds()
	case error:
		return x.Error()
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = jsonValue(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = jsonValue(e)
		}
		return out
	}
	return v
}

// Interface guards.
var (
	_ zapcore.Encoder       = (*Encoder)(nil)
	_ caddy.Provisioner     = (*Encoder)(nil)
	_ caddyfile.Unmarshaler = (*Encoder)(nil)
)
