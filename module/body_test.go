package module

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"testing"
	"testing/iotest"
)

// stallingBody sends its first bytes, then blocks (as a client that stops
// sending) until released.
type stallingBody struct {
	first   []byte
	once    sync.Once
	stalled chan struct{} // closed when a Read blocks
	release chan struct{}
}

func (b *stallingBody) Read(p []byte) (int, error) {
	if len(b.first) > 0 {
		n := copy(p, b.first)
		b.first = b.first[n:]
		return n, nil
	}
	b.once.Do(func() { close(b.stalled) })
	<-b.release
	return 0, io.ErrUnexpectedEOF
}

func (b *stallingBody) Close() error { return nil }

// TestStalledBodiesCostWhatTheySent: handlers waiting for bodies that
// announce megabytes and sent a byte hold memory in proportion to what
// arrived, not to Content-Length (an unauthenticated client chooses it).
func TestStalledBodiesCostWhatTheySent(t *testing.T) {
	g, _ := testGateway(t, nil, nil)
	const (
		n         = 16
		announced = 8 << 20
	)
	release := make(chan struct{})
	var released sync.Once
	defer released.Do(func() { close(release) })

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var wg sync.WaitGroup
	bodies := make([]*stallingBody, n)
	for i := range bodies {
		b := &stallingBody{first: []byte("{"), stalled: make(chan struct{}), release: release}
		bodies[i] = b
		r := httptest.NewRequest(http.MethodPost, "http://gw/v1/apps", nil)
		r.Body = b
		r.ContentLength = announced
		wg.Add(1)
		go func() {
			defer wg.Done()
			serve(g, r)
		}()
	}
	for _, b := range bodies {
		<-b.stalled
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	released.Do(func() { close(release) })
	wg.Wait()

	grew := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("%d handlers stalled on %d-byte bodies: heap grew by %d KiB", n, announced, grew>>10)
	if limit := int64(n*64<<10 + 4<<20); grew > limit {
		t.Errorf("heap grew by %d MiB for %d stalled bodies that sent 1 byte each, want under %d MiB", grew>>20, n, limit>>20)
	}
}

// TestReadBody: the body comes back whole whatever the reads' sizes, an
// unframed body over max is refused, and a short one is an error.
func TestReadBody(t *testing.T) {
	t.Parallel()
	big := bytes.Repeat([]byte("0123456789abcdef"), 5000) // 80,000 bytes: several doublings
	tests := map[string]struct {
		body    []byte
		n, max  int64
		oneByte bool
		wantErr error
	}{
		"empty":                     {nil, 0, 100, false, nil},
		"small, declared":           {[]byte(`{"a":1}`), 7, 100, false, nil},
		"large, declared":           {big, int64(len(big)), 1 << 20, false, nil},
		"large, declared, 1B reads": {big, int64(len(big)), 1 << 20, true, nil},
		"large, unframed":           {big, -1, 1 << 20, false, nil},
		"unframed, exactly max":     {big, -1, int64(len(big)), true, nil},
		"unframed, over max":        {big, -1, int64(len(big)) - 1, false, errBodyTooLarge},
		"short":                     {big[:100], 200, 1 << 20, false, io.ErrUnexpectedEOF},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var r io.Reader = bytes.NewReader(tc.body)
			if tc.oneByte {
				r = iotest.OneByteReader(r)
			}
			got, err := readBody(r, tc.n, tc.max)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("readBody(%d bytes, n=%d, max=%d) error = %v, want %v", len(tc.body), tc.n, tc.max, err, tc.wantErr)
			}
			if err == nil && !bytes.Equal(got, tc.body) {
				t.Errorf("readBody(%d bytes, n=%d, max=%d) = %d bytes, not the body", len(tc.body), tc.n, tc.max, len(got))
			}
		})
	}
	t.Run("read error", func(t *testing.T) {
		t.Parallel()
		boom := errors.New("boom")
		if _, err := readBody(iotest.ErrReader(boom), 10, 100); !errors.Is(err, boom) {
			t.Errorf("readBody(failing reader) error = %v, want %v", err, boom)
		}
	})
}
