package target

import "syscall"

// kernelID returns the running kernel's release and version (Darwin's, as
// platform.release() and platform.version() report them; an OS update
// changes them and with them the macOS version), or "" when they cannot be
// read.
func kernelID() string {
	rel, err1 := syscall.Sysctl("kern.osrelease")
	ver, err2 := syscall.Sysctl("kern.version")
	if err1 != nil || err2 != nil {
		return ""
	}
	return rel + "\x00" + ver
}
