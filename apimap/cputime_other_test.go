//go:build !linux

package apimap

import "time"

func threadCPU() (time.Duration, bool) { return 0, false }
