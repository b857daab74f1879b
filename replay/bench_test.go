package replay

import (
	"os"
	"testing"

	"github.com/pinpointgw/gateway/authn"
)

// BenchmarkReplayLog replays the log of REPLAY_BENCH_DIR (written by
// bench/replaylog) against its candidate store; skipped without it.
func BenchmarkReplayLog(b *testing.B) {
	dir := os.Getenv("REPLAY_BENCH_DIR")
	if dir == "" {
		b.Skip("REPLAY_BENCH_DIR not set (see bench/replay.sh)")
	}
	s, err := authn.LoadStore(dir+"/candidate.json", authn.StoreOptions{Account: "123456789012", Partition: "aws"})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		f, err := OpenLog(dir + "/audit.log")
		if err != nil {
			b.Fatal(err)
		}
		_, err = Read(f, func(r *Record) error {
			if ok, _ := r.Replayable(); ok {
				if p, ok := ForStore(s, r, nil); ok {
					Evaluate(r, p)
				}
			}
			return nil
		})
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
	}
}
