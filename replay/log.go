package replay

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
)

// MaxLine is the longest log line Read accepts, in bytes: an audit record
// is at most audit.MaxRecord (128 KiB) plus the log's own envelope
// (level, timestamp, logger, message), so a longer line is not one the
// gateway wrote.
const MaxLine = 1 << 20

// OpenLog opens an audit log: a file path or "-" (stdin); gzip is detected
// by its magic bytes. Closing the result closes the file (not stdin).
func OpenLog(path string) (io.ReadCloser, error) {
	var f io.ReadCloser
	if path == "-" {
		f = io.NopCloser(os.Stdin)
	} else {
		file, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("opening audit log: %w", err)
		}
		f = file
	}
	br := bufio.NewReaderSize(f, 64<<10)
	magic, err := br.Peek(2)
	if err != nil && !errors.Is(err, io.EOF) {
		f.Close()
		return nil, fmt.Errorf("reading audit log %s: %w", path, err)
	}
	if bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("reading gzip audit log %s: %w", path, err)
		}
		return &readCloser{Reader: zr, close: func() error {
			zerr := zr.Close()
			if err := f.Close(); err != nil {
				return err
			}
			return zerr
		}}, nil
	}
	return &readCloser{Reader: br, close: f.Close}, nil
}

type readCloser struct {
	io.Reader
	close func() error
}

func (r *readCloser) Close() error { return r.close() }

// Stats counts what Read read.
type Stats struct {
	// Lines is the number of lines read (empty ones included).
	Lines int64
	// Records is the number of audit records decoded and passed to fn.
	Records int64
	// Skipped is the number of lines that are not audit records (other log
	// lines, such as Caddy's own, and empty lines).
	Skipped int64
}

// Read decodes audit records (JSON lines, as the gateway writes them;
// other log lines, such as Caddy's own, are skipped and counted) and calls
// fn for each, streaming: memory stays bounded by MaxLine whatever the
// log's length. A line longer than MaxLine is an error naming the line
// number, as is an error of fn (which stops the read). The Record passed
// to fn is fn's to keep.
func Read(r io.Reader, fn func(*Record) error) (Stats, error) {
	var st Stats
	br := bufio.NewReaderSize(r, 64<<10)
	var long []byte // a line longer than the reader's buffer, assembled
	assembling := false
	var in interner
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			if len(long)+len(line) > MaxLine+1 {
				return st, fmt.Errorf("audit log line %d: longer than %d bytes", st.Lines+1, MaxLine)
			}
			long, assembling = append(long, line...), true
			continue
		}
		if assembling {
			long = append(long, line...)
			line, assembling = long, false
		}
		if len(line) > 0 {
			st.Lines++
			if len(line) > MaxLine+1 {
				return st, fmt.Errorf("audit log line %d: longer than %d bytes", st.Lines, MaxLine)
			}
			rec, ok, derr := decodeLine(line, &in)
			switch {
			case derr != nil:
				return st, fmt.Errorf("audit log line %d: %w", st.Lines, derr)
			case !ok:
				st.Skipped++
			default:
				st.Records++
				if ferr := fn(rec); ferr != nil {
					return st, fmt.Errorf("audit log line %d (request %s): %w", st.Lines, rec.RequestID, ferr)
				}
			}
		}
		long = long[:0]
		if err != nil {
			if errors.Is(err, io.EOF) {
				return st, nil
			}
			return st, fmt.Errorf("reading audit log after line %d: %w", st.Lines, err)
		}
	}
}
