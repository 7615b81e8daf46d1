//go:build !unix

package build

import "os/exec"

// setProcessGroup: cancellation kills the process only.
func setProcessGroup(cmd *exec.Cmd) {}
