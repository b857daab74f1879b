package policygen

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// Needle returns bytes that every audit record of the selection contains verbatim in its log
// line, or nil when there are none safe to rely on. A reader may skip, without decoding, the
// lines that lack them (FilterLines): decoding is most of the cost of a pass, and a selection
// is often a small part of a log.
//
// The principal ARN (principal_arn) or role ARN (role_arn) is a needle, and so is a session
// tag's value (session_tags; the key is matched case-insensitively, so it is not), when it is
// made only of characters no JSON encoder escapes: ASCII letters and digits, space and
// _.:/=+-@, (IAM names and ARNs are; https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
func (s Selector) Needle() []byte {
	var v string
	switch {
	case s.Principal != "":
		v = s.Principal
	case s.Role != "":
		v = s.Role
	case s.TagKey != "":
		v = s.TagValue
	}
	if v == "" {
		return nil
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || bytes.IndexByte([]byte(" _.:/=+-@,"), c) >= 0) {
			return nil
		}
	}
	return []byte(v)
}

// FilterLines returns a reader of r's lines that contain needle (all of them when needle is
// empty); *dropped counts the others. A line longer than the filter's 64 KiB buffer is passed
// on whole, whatever it contains, for the reader behind to bound.
func FilterLines(r io.Reader, needle []byte, dropped *int64) io.Reader {
	if len(needle) == 0 {
		return r
	}
	return &lineFilter{br: bufio.NewReaderSize(r, 64<<10), needle: needle, dropped: dropped}
}

type lineFilter struct {
	br      *bufio.Reader
	needle  []byte
	dropped *int64
	pending []byte // the rest of a kept line (valid until the next ReadSlice)
	long    bool   // inside a line longer than the buffer: passed on whole
	err     error  // the error to return once pending is handed out
}

func (f *lineFilter) Read(p []byte) (int, error) {
	for len(f.pending) == 0 {
		if f.err != nil {
			return 0, f.err
		}
		line, err := f.br.ReadSlice('\n')
		full := errors.Is(err, bufio.ErrBufferFull)
		switch {
		case f.long || full:
			f.pending, f.long = line, full
		case len(line) == 0:
		case bytes.Contains(line, f.needle):
			f.pending = line
		default:
			*f.dropped++
		}
		if err != nil && !full {
			f.err = err
		}
	}
	n := copy(p, f.pending)
	f.pending = f.pending[n:]
	return n, nil
}
