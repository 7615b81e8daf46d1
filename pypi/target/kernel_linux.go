package target

import "os"

// kernelID returns the running kernel's release and version
// (platform.release() and platform.version() on Linux), or "" when they
// cannot be read.
func kernelID() string {
	rel, err1 := os.ReadFile("/proc/sys/kernel/osrelease")
	ver, err2 := os.ReadFile("/proc/sys/kernel/version")
	if err1 != nil || err2 != nil {
		return ""
	}
	return string(rel) + "\x00" + string(ver)
}
