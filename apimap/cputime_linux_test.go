//go:build linux

package apimap

import (
	"syscall"
	"time"
)

// threadCPU returns the CPU time (user + system) of the calling OS thread.
// On a shared machine it measures the work of a benchmark loop without the
// time the thread waited for a core.
func threadCPU() (time.Duration, bool) {
	const rusageThread = 1 // RUSAGE_THREAD
	var ru syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
