package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// FakePython writes an executable "python3" into a new directory that
// prints out, whatever its arguments, and counts its runs; it returns the
// interpreter's path and a function that reports how many times it ran.
// It skips t where a shell script cannot be an interpreter (Windows). The
// script names cat by its absolute path: it runs with PATH set to its own
// directory alone.
func FakePython(t testing.TB, out string) (path string, runs func() int) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("needs a shell script interpreter")
	}
	cat, err := exec.LookPath("cat")
	if err != nil {
		t.Skip("no cat command")
	}
	dir := t.TempDir()
	log := filepath.Join(dir, "runs")
	script := "#!/bin/sh\necho run >> '" + log + "'\n" + cat + " <<'EOF'\n" + out + "\nEOF\n"
	path = filepath.Join(dir, "python3")
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path, func() int {
		data, _ := os.ReadFile(log)
		return strings.Count(string(data), "run\n")
	}
}

// LinuxProbe is what pypi/target's probe script prints for CPython 3.11.7
// on x86_64 Linux with glibc 2.36 (for FakePython).
const LinuxProbe = `{"implementation_name": "cpython", "implementation_version": "3.11.7", "platform_machine": "x86_64", "platform_release": "6.1", "platform_version": "#1", "python_full_version": "3.11.7", "sys_platform": "linux", "gil_disabled": false, "pointer_bits": 64, "mac_ver": "", "glibc": "glibc 2.36", "musl": ""}`
