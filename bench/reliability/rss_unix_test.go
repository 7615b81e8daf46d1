//go:build unix

package reliability

import (
	"os"
	"runtime"
	"syscall"
)

// peakRSS is the peak resident set size, in bytes, of the exited process
// behind st: getrusage's ru_maxrss, which Linux and the BSDs count in
// kilobytes and Darwin in bytes.
func peakRSS(st *os.ProcessState) (int64, bool) {
	ru, ok := st.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0, false
	}
	if runtime.GOOS == "darwin" || runtime.GOOS == "ios" {
		return int64(ru.Maxrss), true
	}
	return int64(ru.Maxrss) * 1024, true
}
