package bufferedlog

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"

	// The file writer, which a test nests in the buffered one.
	_ "github.com/caddyserver/caddy/v2/modules/logging"
)

// recordingWriter is the wrapped writer: it records each Write call.
type recordingWriter struct {
	mu     sync.Mutex
	writes []string
	closed bool
	err    error
	wrote  chan struct{}
}

func newRecordingWriter() *recordingWriter {
	return &recordingWriter{wrote: make(chan struct{}, 100)}
}

func (r *recordingWriter) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return 0, r.err
	}
	r.writes = append(r.writes, string(p))
	select {
	case r.wrote <- struct{}{}:
	default:
	}
	return len(p), nil
}

func (r *recordingWriter) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	return nil
}

func (r *recordingWriter) snapshot() ([]string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.writes...), r.closed
}

func TestBatchWriter(t *testing.T) {
	type step struct {
		write string // a record to write, or
		tick  bool   // a timer tick, or
		close bool   // Close
	}
	tests := map[string]struct {
		size  int
		steps []step
		want  []string // the wrapped writer's Write calls
	}{
		"held until a tick": {
			size:  64,
			steps: []step{{write: "a\n"}, {write: "b\n"}, {tick: true}},
			want:  []string{"a\nb\n"},
		},
		"a tick with nothing buffered writes nothing": {
			size:  64,
			steps: []step{{tick: true}, {write: "a\n"}, {close: true}},
			want:  []string{"a\n"},
		},
		"flushed before a record that does not fit, never split": {
			size:  8,
			steps: []step{{write: "aaa\n"}, {write: "bbb\n"}, {write: "cc\n"}, {close: true}},
			want:  []string{"aaa\nbbb\n", "cc\n"},
		},
		"an oversized record is written directly, in order": {
			size:  8,
			steps: []step{{write: "a\n"}, {write: "0123456789\n"}, {write: "b\n"}, {close: true}},
			want:  []string{"a\n", "0123456789\n", "b\n"},
		},
		"close flushes": {
			size:  64,
			steps: []step{{write: "a\n"}, {close: true}},
			want:  []string{"a\n"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			rec := newRecordingWriter()
			tick := make(chan time.Time)
			stopped := make(chan struct{})
			b := newBatchWriter(rec, tc.size, tick, func() { close(stopped) })
			defer b.Close()
			for _, s := range tc.steps {
				switch {
				case s.tick:
					before, _ := rec.snapshot()
					tick <- time.Time{}
					// The loop has the tick; Sync waits for its flush (same lock).
					waitFor(t, func() bool { got, _ := rec.snapshot(); return len(got) > len(before) || b.buffered() == 0 })
				case s.close:
					if err := b.Close(); err != nil {
						t.Fatalf("Close: %v", err)
					}
					select {
					case <-stopped:
					case <-time.After(5 * time.Second):
						t.Fatal("the timer was not stopped on Close")
					}
				default:
					if n, err := b.Write([]byte(s.write)); err != nil || n != len(s.write) {
						t.Fatalf("Write(%q) = %d, %v", s.write, n, err)
					}
				}
			}
			got, _ := rec.snapshot()
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("wrapped writes %q, want %q", got, tc.want)
			}
		})
	}
}

// buffered is the number of bytes waiting in the buffer.
func (b *batchWriter) buffered() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.buf)
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached within 5s")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestBatchWriterClose(t *testing.T) {
	rec := newRecordingWriter()
	b := newBatchWriter(rec, 64, nil, nil)
	if _, err := b.Write([]byte("a\n")); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if got, closed := rec.snapshot(); !closed || len(got) != 1 {
		t.Errorf("after Close: writes %q, wrapped closed %v; want the record flushed and the writer closed", got, closed)
	}
	if _, err := b.Write([]byte("b\n")); !errors.Is(err, errWriterClosed) {
		t.Errorf("Write after Close: %v, want errWriterClosed", err)
	}
	if err := b.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestBatchWriterError(t *testing.T) {
	rec := newRecordingWriter()
	b := newBatchWriter(rec, 4, nil, nil)
	defer b.Close()
	if _, err := b.Write([]byte("abc\n")); err != nil {
		t.Fatal(err)
	}
	rec.mu.Lock()
	rec.err = errors.New("disk full")
	rec.mu.Unlock()
	// The next record does not fit: the flush fails and Write says so.
	if _, err := b.Write([]byte("def\n")); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("Write with a failing destination: %v, want the destination's error", err)
	}
	if n := b.buffered(); n != 0 {
		t.Errorf("%d bytes still buffered after a failed flush; the batch must be dropped, not grow", n)
	}
}

// TestBatchWriterConcurrent: every record of concurrent writers
// arrives exactly once and whole (run with -race).
func TestBatchWriterConcurrent(t *testing.T) {
	rec := newRecordingWriter()
	tick := make(chan time.Time)
	b := newBatchWriter(rec, 256, tick, nil)
	const writers, each = 8, 200
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				if _, err := fmt.Fprintf(b, "{\"w\":%d,\"i\":%d}\n", w, i); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-done:
				return
			case tick <- time.Time{}:
			}
		}
	}()
	wg.Wait()
	close(done)
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	got, _ := rec.snapshot()
	seen := map[string]bool{}
	for _, chunk := range got {
		if !strings.HasSuffix(chunk, "\n") {
			t.Fatalf("a write ends inside a record: %q", chunk)
		}
		for _, line := range strings.Split(strings.TrimSuffix(chunk, "\n"), "\n") {
			var v struct{ W, I int }
			if err := json.Unmarshal([]byte(line), &v); err != nil {
				t.Fatalf("record %q is not whole: %v", line, err)
			}
			if seen[line] {
				t.Fatalf("record %q written twice", line)
			}
			seen[line] = true
		}
	}
	if len(seen) != writers*each {
		t.Errorf("%d records arrived, want %d", len(seen), writers*each)
	}
}

func TestWriterCaddyfile(t *testing.T) {
	tests := map[string]struct {
		input   string
		want    Writer // WriterRaw compared as JSON
		wantRaw string
		wantErr string
	}{
		"defaults": {
			input: `buffered`,
		},
		"all options, nested file writer": {
			input: `buffered {
				size 1MiB
				flush_interval 250ms
				output file /tmp/audit.log {
					roll_size 10MiB
				}
			}`,
			want:    Writer{Size: 1 << 20, FlushInterval: caddy.Duration(250 * time.Millisecond)},
			wantRaw: `{"filename":"/tmp/audit.log","output":"file","roll_size_mb":10}`,
		},
		"stdout": {
			input:   "buffered {\n output stdout\n}",
			wantRaw: `{"output":"stdout"}`,
		},
		"argument":           {input: `buffered 64KiB`, wantErr: "wrong argument count"},
		"bad size":           {input: "buffered {\n size lots\n}", wantErr: "size"},
		"zero size":          {input: "buffered {\n size 0\n}", wantErr: "size"},
		"bad interval":       {input: "buffered {\n flush_interval soon\n}", wantErr: "flush_interval"},
		"negative interval":  {input: "buffered {\n flush_interval -1s\n}", wantErr: "flush_interval"},
		"unknown option":     {input: "buffered {\n colour blue\n}", wantErr: "colour"},
		"output twice":       {input: "buffered {\n output stdout\n output stderr\n}", wantErr: "twice"},
		"stdout argument":    {input: "buffered {\n output stdout extra\n}", wantErr: "wrong argument count"},
		"unknown writer":     {input: "buffered {\n output carrier_pigeon\n}", wantErr: "carrier_pigeon"},
		"output without one": {input: "buffered {\n output\n}", wantErr: "wrong argument count"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var bw Writer
			err := bw.UnmarshalCaddyfile(caddyfile.NewTestDispenser(tc.input))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if bw.Size != tc.want.Size || bw.FlushInterval != tc.want.FlushInterval {
				t.Errorf("size %d, flush_interval %v; want %d, %v", bw.Size, bw.FlushInterval, tc.want.Size, tc.want.FlushInterval)
			}
			if got := string(bw.WriterRaw); !jsonEqual(got, tc.wantRaw) {
				t.Errorf("output %s, want %s", got, tc.wantRaw)
			}
		})
	}
}

func jsonEqual(a, b string) bool {
	if a == "" || b == "" {
		return a == b
	}
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	xs, _ := json.Marshal(x)
	ys, _ := json.Marshal(y)
	return bytes.Equal(xs, ys)
}

func TestWriterProvision(t *testing.T) {
	tests := map[string]struct {
		json    string
		wantKey string
		wantErr string
	}{
		"defaults: stderr, 64 KiB, 100ms": {
			json:    `{}`,
			wantKey: "buffered:65536:100ms:std:err",
		},
		"wrapped stdout": {
			json:    `{"writer":{"output":"stdout"},"size":1024,"flush_interval":1000000000}`,
			wantKey: "buffered:1024:1s:std:out",
		},
		"negative size":   {json: `{"size":-1}`, wantErr: "negative size"},
		"unknown wrapped": {json: `{"writer":{"output":"nowhere"}}`, wantErr: "nowhere"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var bw Writer
			if err := json.Unmarshal([]byte(tc.json), &bw); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := caddy.NewContext(caddy.Context{Context: context.Background()})
			defer cancel()
			err := bw.Provision(ctx)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := bw.WriterKey(); got != tc.wantKey {
				t.Errorf("WriterKey %q, want %q", got, tc.wantKey)
			}
			w, err := bw.OpenWriter()
			if err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
	}
}

// recordingOpener is a caddy.WriterOpener that opens a recordingWriter.
type recordingOpener struct{ rec *recordingWriter }

func (o recordingOpener) String() string                      { return "recording" }
func (o recordingOpener) WriterKey() string                   { return "recording" }
func (o recordingOpener) OpenWriter() (io.WriteCloser, error) { return o.rec, nil }

// TestWriterCleanup: unloading a config flushes the open writer
// without closing it (the next config may share it).
func TestWriterCleanup(t *testing.T) {
	rec := newRecordingWriter()
	bw := &Writer{Size: 1024, FlushInterval: caddy.Duration(time.Hour), wrapped: recordingOpener{rec}}
	w, err := bw.OpenWriter()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("a\n")); err != nil {
		t.Fatal(err)
	}
	if got, _ := rec.snapshot(); len(got) != 0 {
		t.Fatalf("written before any flush: %q", got)
	}
	if err := bw.Cleanup(); err != nil {
		t.Fatalf("Cleanup: %v", err)
	}
	if got, closed := rec.snapshot(); fmt.Sprint(got) != "[a\n]" || closed {
		t.Errorf("after Cleanup: writes %q, closed %v; want the record flushed, the writer open", got, closed)
	}
	// A later config (same key) still writes through it.
	if _, err := w.Write([]byte("b\n")); err != nil {
		t.Errorf("Write after Cleanup: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, ok := openBuffered.Load(bw.WriterKey()); ok {
		t.Error("a closed writer is still registered")
	}
	if err := bw.Cleanup(); err != nil {
		t.Errorf("Cleanup after Close: %v", err)
	}
	if got, _ := rec.snapshot(); fmt.Sprint(got) != "[a\n b\n]" {
		t.Errorf("writes %q, want both records", got)
	}
}

// BenchmarkLogWrite writes an audit-sized record to a file, directly (one
// write(2) per record, as Caddy's file and stdout writers do) and through
// the buffered writer, from 32 goroutines as from a server's requests: the
// direct writes contend for the file (goroutines parked and woken per
// record), the buffered ones hold a mutex for a copy.
func BenchmarkLogWrite(b *testing.B) {
	record := []byte(`{"level":"info","ts":1795809604.3753157,"logger":"http.handlers.pinpoint_gateway.audit","msg":"request",` +
		strings.Repeat(`"field":"value of some length",`, 18) + `"gateway_duration":0.000012}` + "\n")
	for _, buffered := range []bool{false, true} {
		name := "direct"
		if buffered {
			name = "buffered"
		}
		b.Run(name, func(b *testing.B) {
			f, err := os.CreateTemp(b.TempDir(), "log")
			if err != nil {
				b.Fatal(err)
			}
			var w io.WriteCloser = f
			if buffered {
				w = newBatchWriter(f, defaultBufferSize, nil, nil)
			}
			defer w.Close()
			b.SetBytes(int64(len(record)))
			b.ReportAllocs()
			b.SetParallelism(16) // 32 goroutines on 2 CPUs
			cpu0 := processCPU()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := w.Write(record); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
		})
	}
}
