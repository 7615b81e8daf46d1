//go:build !linux && !darwin

package target

// kernelID returns "" where the kernel's release is not read: the probe
// cache is then keyed by the interpreter alone.
func kernelID() string { return "" }
