//go:build !unix

package reliability

import "os"

// peakRSS reports nothing where the system has no getrusage.
func peakRSS(*os.ProcessState) (int64, bool) { return 0, false }
