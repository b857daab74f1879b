package module

import (
	"errors"
	"io"
	"net/http"
	"sync/atomic"
	"time"

	"go.uber.org/zap"
)

var errBodyTooLarge = errors.New("request body too large")

// noReadDeadlineWarned is set once the process has warned that bodies are
// read without body_timeout.
var noReadDeadlineWarned atomic.Bool

// readBody reads the request body within body_timeout: the connection's
// read deadline is set for the read, and cleared after it (a deadline left
// behind would cancel the request while the upstream answers). Under a
// ResponseWriter that cannot set deadlines (tests, exotic wrappers) the body
// is read without one.
func (g *Gateway) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
		return nil, nil
	}
	if g.BodyTimeout <= 0 {
		return readBody(r.Body, r.ContentLength, g.MaxBody)
	}
	// A socket deadline: the wall clock, not the injected g.now.
	rc := http.NewResponseController(w)
	if err := rc.SetReadDeadline(time.Now().Add(time.Duration(g.BodyTimeout))); err != nil {
		if !noReadDeadlineWarned.Swap(true) {
			g.logger.Warn("request bodies are read without body_timeout: the server's ResponseWriter cannot set read deadlines", zap.Error(err))
		}
		return readBody(r.Body, r.ContentLength, g.MaxBody)
	}
	body, err := readBody(r.Body, r.ContentLength, g.MaxBody)
	_ = rc.SetReadDeadline(time.Time{})
	return body, err
}

// bodyChunk is the first allocation for a body: what most requests need
// whole, and what a client that announced megabytes and sent nothing costs.
const bodyChunk = 4 << 10

// readBody reads a whole body of declared length n (-1: unknown), at most
// max bytes. The buffer grows with the bytes received (doubling, to at
// most n, or max+1 to detect an overlong unframed body), never with what
// the client announced: memory follows what arrived.
func readBody(body io.Reader, n, max int64) ([]byte, error) {
	if n == 0 {
		return nil, nil
	}
	limit := n // the most bytes the buffer will hold
	if n < 0 || n > max {
		limit = max + 1
	}
	buf := make([]byte, 0, min(limit, bodyChunk))
	for {
		if len(buf) == cap(buf) {
			if int64(len(buf)) == limit {
				break
			}
			grown := make([]byte, len(buf), min(limit, 2*int64(cap(buf))))
			copy(grown, buf)
			buf = grown
		}
		m, err := body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+m]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if int64(len(buf)) > max {
		return nil, errBodyTooLarge
	}
	if n > 0 && int64(len(buf)) < n {
		return nil, io.ErrUnexpectedEOF
	}
	return buf, nil
}
