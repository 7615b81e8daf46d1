package testenv

import (
	"testing"
	"time"
)

// ReportCPUPerOp reports the process CPU time since cpu0 (a CPUTime
// reading taken before the timed loop) per iteration as "cpu-ms/op": GC
// and background goroutines included, steadier than wall time on a busy
// machine.
func ReportCPUPerOp(b *testing.B, cpu0 time.Duration) {
	b.ReportMetric(float64(CPUTime()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
}
