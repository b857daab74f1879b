package replay

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
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
// fn for each, in log order, streaming: memory stays bounded (a few
// batches of lines of at most MaxLine each) whatever the log's length. A
// line longer than MaxLine is an error naming the line number, as is an
// error of fn (which stops the read). Lines are decoded by up to
// GOMAXPROCS goroutines (at most 4) while fn runs on the caller's; Read
// returns once they are done with r. The Record passed to fn is fn's to
// keep.
func Read(r io.Reader, fn func(*Record) error) (Stats, error) {
	workers := min(runtime.GOMAXPROCS(0), 4)
	todo := make(chan *batch)
	order := make(chan *batch, workers+1) // the batches in flight, in log order
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		readBatches(r, todo, order, stop)
	}()
	for range workers {
		go func() {
			var in interner
			for b := range todo {
				b.decode(&in)
				close(b.decoded)
			}
		}()
	}
	var st Stats
	err := func() error {
		for b := range order {
			<-b.decoded
			for i, d := range b.out {
				st.Lines = b.first + int64(i)
				switch {
				case d.err != nil:
					return fmt.Errorf("audit log line %d: %w", st.Lines, d.err)
				case d.rec == nil:
					st.Skipped++
				default:
					st.Records++
					if ferr := fn(d.rec); ferr != nil {
						return fmt.Errorf("audit log line %d (request %s): %w", st.Lines, d.rec.RequestID, ferr)
					}
				}
			}
			if b.err != nil {
				return b.err
			}
		}
		return nil
	}()
	close(stop)
	for range order { // let the reader finish its sends
	}
	<-done
	return st, err
}

// batch is a run of consecutive lines, decoded by one worker.
type batch struct {
	first   int64  // the number of its first line
	buf     []byte // the lines, one after the other
	ends    []int  // the end of each line in buf
	err     error  // the error that ends the log after these lines
	out     []decoded
	decoded chan struct{}
}

type decoded struct {
	rec *Record // nil for a line that is not an audit record
	err error
}

// Bounds of a batch: lines, and bytes (a longer line is a batch alone).
const (
	batchLines = 256
	batchBytes = 1 << 20
)

func (b *batch) decode(in *interner) {
	b.out = make([]decoded, len(b.ends))
	start := 0
	for i, end := range b.ends {
		rec, ok, err := decodeLine(b.buf[start:end], in)
		if ok {
			b.out[i].rec = rec
		}
		b.out[i].err = err
		start = end
	}
}

// readBatches reads r's lines into batches, sent in order on order and to
// the workers on todo, until the end of r, an error (the last batch's
// err) or stop; it closes todo and order.
func readBatches(r io.Reader, todo, order chan<- *batch, stop <-chan struct{}) {
	defer close(order)
	defer close(todo)
	br := bufio.NewReaderSize(r, 64<<10)
	lines := int64(0)
	b := &batch{first: 1, decoded: make(chan struct{})}
	send := func() bool {
		select {
		case order <- b:
		case <-stop:
			return false
		}
		select {
		case todo <- b:
		case <-stop:
			close(b.decoded)
			return false
		}
		b = &batch{first: lines + 1, decoded: make(chan struct{})}
		return true
	}
	assembling := false
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			if !assembling {
				if len(b.ends) > 0 && !send() {
					return
				}
				assembling = true
			}
			if len(b.buf)+len(line) > MaxLine+1 {
				b.err = fmt.Errorf("audit log line %d: longer than %d bytes", lines+1, MaxLine)
				send()
				return
			}
			b.buf = append(b.buf, line...)
			continue
		}
		if len(line) > 0 || assembling {
			lines++
			start := 0
			if len(b.ends) > 0 {
				start = b.ends[len(b.ends)-1]
			}
			b.buf = append(b.buf, line...)
			if len(b.buf)-start > MaxLine+1 {
				b.buf = b.buf[:start]
				b.err = fmt.Errorf("audit log line %d: longer than %d bytes", lines, MaxLine)
				send()
				return
			}
			b.ends = append(b.ends, len(b.buf))
			assembling = false
		}
		switch {
		case err != nil && !errors.Is(err, io.EOF):
			b.err = fmt.Errorf("reading audit log after line %d: %w", lines, err)
			send()
			return
		case err != nil:
			send()
			return
		case len(b.ends) >= batchLines || len(b.buf) >= batchBytes:
			if !send() {
				return
			}
		}
	}
}
