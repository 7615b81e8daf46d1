package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// fakePythonSource is a program that appends "run" to the file "runs"
// beside it and prints the file "out" beside it, whatever its arguments.
const fakePythonSource = `package main

import (
	"os"
	"path/filepath"
)

func main() {
	exe, err := os.Executable()
	if err != nil {
		os.Exit(3)
	}
	dir := filepath.Dir(exe)
	f, err := os.OpenFile(filepath.Join(dir, "runs"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		os.Exit(3)
	}
	f.WriteString("run\n")
	f.Close()
	out, err := os.ReadFile(filepath.Join(dir, "out"))
	if err != nil {
		os.Exit(3)
	}
	os.Stdout.Write(out)
}
`

var (
	fakeOnce sync.Once
	fakeBin  []byte
	fakeErr  error
)

// FakePython puts an executable "python3" (a compiled program, not a
// script) into a new directory; it prints out (with "@EXECUTABLE@" replaced
// by its own path, as sys.executable), whatever its arguments, and counts
// its runs. It returns the interpreter's path and a function that
// reports how many times it ran. The program is built once per test
// process with the go command.
func FakePython(t testing.TB, out string) (path string, runs func() int) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the fake interpreter is named python3, without .exe")
	}
	fakeOnce.Do(func() {
		dir, err := os.MkdirTemp("", "pylock-fakepython-")
		if err != nil {
			fakeErr = err
			return
		}
		defer os.RemoveAll(dir)
		src := filepath.Join(dir, "main.go")
		if fakeErr = os.WriteFile(src, []byte(fakePythonSource), 0o644); fakeErr != nil {
			return
		}
		bin := filepath.Join(dir, "python3")
		cmd := exec.Command("go", "build", "-o", bin, src)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOFLAGS=", "GO111MODULE=on", "GOWORK=off")
		if b, err := cmd.CombinedOutput(); err != nil {
			fakeErr = &buildError{err, string(b)}
			return
		}
		fakeBin, fakeErr = os.ReadFile(bin)
	})
	if fakeErr != nil {
		t.Fatalf("building the fake python3: %v", fakeErr)
	}
	dir := t.TempDir()
	path = filepath.Join(dir, "python3")
	if err := os.WriteFile(path, fakeBin, 0o755); err != nil {
		t.Fatal(err)
	}
	out = strings.ReplaceAll(out, "@EXECUTABLE@", path)
	if err := os.WriteFile(filepath.Join(dir, "out"), []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, func() int {
		data, _ := os.ReadFile(filepath.Join(dir, "runs"))
		return strings.Count(string(data), "run\n")
	}
}

type buildError struct {
	err    error
	output string
}

func (e *buildError) Error() string { return e.err.Error() + ": " + e.output }

// LinuxProbe is what pypi/target's probe script prints for CPython 3.11.7
// on x86_64 Linux with glibc 2.36 (for FakePython).
const LinuxProbe = `{"implementation_name": "cpython", "implementation_version": "3.11.7", "platform_machine": "x86_64", "platform_release": "6.1", "platform_version": "#1", "python_full_version": "3.11.7", "sys_platform": "linux", "gil_disabled": false, "pointer_bits": 64, "mac_ver": "", "glibc": "glibc 2.36", "musl": ""}`
