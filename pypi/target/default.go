package target

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/pylock/pylock/pypi/pep440"
)

// ProbeTimeout bounds how long Default (and FromInterpreter) waits for an
// interpreter's answer. A healthy interpreter answers in well under a
// second, but on a loaded machine its start-up alone has taken over 3 s
// (a build's --python probe was killed mid-test), so the bound only has to
// catch interpreters that hang.
const ProbeTimeout = 10 * time.Second

func defaultTarget(ctx context.Context, cacheDir string) Target {
	if t, err := fromInterpreter(ctx, "python3", cacheDir); err == nil {
		return t
	}
	t, err := New(DefaultPython, "")
	if err != nil { // cannot happen: both values are valid
		panic(err)
	}
	return t
}

// probeScript prints, as JSON, the PEP 508 environment (computed the way
// packaging's default_environment does), the libc (glibc via confstr, musl
// via its dynamic loader's banner), the macOS version, the pointer size and
// whether the GIL is disabled.
const probeScript = `
import json, os, platform, struct, sys, sysconfig
def fv(i):
    v = "%d.%d.%d" % (i.major, i.minor, i.micro)
    if i.releaselevel != "final":
        v += i.releaselevel[0] + str(i.serial)
    return v
out = {
    "implementation_name": sys.implementation.name,
    "implementation_version": fv(sys.implementation.version),
    "os_name": os.name,
    "platform_machine": platform.machine(),
    "platform_release": platform.release(),
    "platform_system": platform.system(),
    "platform_version": platform.version(),
    "python_full_version": platform.python_version(),
    "platform_python_implementation": platform.python_implementation(),
    "python_version": ".".join(platform.python_version_tuple()[:2]),
    "sys_platform": sys.platform,
    "gil_disabled": bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
    "pointer_bits": struct.calcsize("P") * 8,
    "mac_ver": platform.mac_ver()[0],
    "glibc": "",
    "musl": "",
    "executable": sys.executable,
}
try:
    out["glibc"] = os.confstr("CS_GNU_LIBC_VERSION") or ""
except (AttributeError, OSError, ValueError):
    pass
if sys.platform.startswith("linux") and not out["glibc"]:
    import glob, subprocess
    for ld in sorted(glob.glob("/lib/ld-musl-*.so.1")):
        try:
            r = subprocess.run([ld], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=2)
        except Exception:
            continue
        for line in r.stderr.decode("utf-8", "replace").splitlines():
            if line.startswith("Version "):
                out["musl"] = line.split()[1]
        if out["musl"]:
            break
print(json.dumps(out))
`

// probe is the probe script's output.
type probe struct {
	ImplementationName    string `json:"implementation_name"`
	ImplementationVersion string `json:"implementation_version"`
	PlatformMachine       string `json:"platform_machine"`
	PlatformRelease       string `json:"platform_release"`
	PlatformVersion       string `json:"platform_version"`
	PythonFullVersion     string `json:"python_full_version"`
	SysPlatform           string `json:"sys_platform"`
	GILDisabled           bool   `json:"gil_disabled"`
	PointerBits           int    `json:"pointer_bits"`
	MacVer                string `json:"mac_ver"`
	Glibc                 string `json:"glibc"`
	Musl                  string `json:"musl"`
	Executable            string `json:"executable"` // sys.executable: what a shim started
}

// FromInterpreter runs the given Python interpreter (a name on PATH or a
// path) in isolated mode, for at most ProbeTimeout, and builds the target
// it runs on. It fails for interpreters other than CPython and PyPy and for
// systems other than Linux, macOS and Windows.
func FromInterpreter(ctx context.Context, python string) (Target, error) {
	return fromInterpreter(ctx, python, "")
}

// fromInterpreter is FromInterpreter, with the probe's answer kept in the
// cache at cacheDir ("" = none; see probecache.go).
func fromInterpreter(ctx context.Context, python, cacheDir string) (Target, error) {
	path, err := exec.LookPath(python)
	if err != nil {
		return Target{}, err
	}
	entry := probeEntryPath(cacheDir, path)
	shim := ""
	if entry == "" {
		// A pyenv shim: the interpreter it started last time, while
		// nothing pyenv reads has changed (pyenvshim.go).
		shim = shimEntryPath(cacheDir, path)
		if exe, ok := loadShimEntry(shim); ok {
			entry = probeEntryPath(cacheDir, exe)
		}
	}
	if out, ok := loadProbeEntry(entry); ok {
		if t, _, err := parseProbe(out); err == nil {
			return t, nil
		}
	}
	out, err := runProbe(ctx, path)
	if err != nil {
		return Target{}, err
	}
	t, p, err := parseProbe(out)
	if err != nil {
		return Target{}, fmt.Errorf("probing %s: %w", path, err)
	}
	if shim != "" {
		entry = ""
		if filepath.IsAbs(p.Executable) {
			if entry = probeEntryPath(cacheDir, p.Executable); entry != "" {
				storeShimEntry(shim, p.Executable)
			}
		}
	}
	storeProbeEntry(entry, out)
	return t, nil
}

// runProbe runs the interpreter at path in isolated mode without the site
// module (the probe needs only the standard library, and site's imports
// double its start-up), for at most ProbeTimeout, and returns what the
// probe script printed.
func runProbe(ctx context.Context, path string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, ProbeTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, "-I", "-S", "-c", probeScript)
	cmd.Env = append(os.Environ(), "SYSTEM_VERSION_COMPAT=0") // real macOS version, not 10.16
	cmd.WaitDelay = time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("probing %s: %w: %s", path, err, strings.TrimSpace(stderr.String()))
	}
	return stdout.Bytes(), nil
}

// parseProbe builds the target the probe script's output describes.
func parseProbe(out []byte) (Target, probe, error) {
	var p probe
	if err := json.Unmarshal(out, &p); err != nil {
		return Target{}, p, err
	}
	t, err := p.target()
	return t, p, err
}

func (p probe) target() (Target, error) {
	var t Target
	switch p.ImplementationName {
	case "cpython", "pypy":
		t.Implementation = p.ImplementationName
	default:
		return t, fmt.Errorf("unsupported Python implementation %q", p.ImplementationName)
	}
	if t.Implementation == "pypy" {
		t.ImplementationVersion = p.ImplementationVersion
	}
	// A dev build reports "3.12.1+"; the "+" is not PEP 440 and is dropped.
	v, err := pep440.Parse(strings.TrimSuffix(p.PythonFullVersion, "+"))
	if err != nil {
		return t, err
	}
	t.Python = v
	t.FreeThreaded = p.GILDisabled
	t.PlatformRelease, t.PlatformVersion = p.PlatformRelease, p.PlatformVersion
	machine := p.PlatformMachine
	switch {
	case strings.HasPrefix(p.SysPlatform, "linux"):
		t.OS = "linux"
		if p.PointerBits == 32 { // a 32-bit interpreter on a 64-bit kernel
			if m, ok := map[string]string{"x86_64": "i686", "aarch64": "armv7l"}[machine]; ok {
				machine = m
			}
		}
		if lib, ver, ok := strings.Cut(p.Glibc, " "); ok && lib == "glibc" {
			t.Libc, t.LibcVersion = "glibc", versionPair(ver)
		} else if p.Musl != "" {
			t.Libc, t.LibcVersion = "musl", versionPair(p.Musl)
		}
	case p.SysPlatform == "darwin":
		t.OS, t.MacOSVersion = "macos", versionPair(p.MacVer)
		if t.MacOSVersion[0] < 10 {
			t.MacOSVersion = DefaultMacOS
		}
	case p.SysPlatform == "win32":
		t.OS = "windows"
		if p.PointerBits == 32 {
			machine = "x86"
		}
	default:
		return t, fmt.Errorf("unsupported platform %q", p.SysPlatform)
	}
	a, ok := archFor(t.OS, machine)
	switch {
	case !ok && t.OS == "linux" && machine != "":
		a = strings.ToLower(machine) // linux_<machine> tags still apply
	case !ok:
		return t, errors.New("unsupported machine " + strconv.Quote(machine))
	}
	t.Arch = a
	return t, nil
}

// versionPair parses "2.36" or "1.2.4" into (2, 36) or (1, 2).
func versionPair(s string) [2]int {
	parts := strings.SplitN(s, ".", 3)
	var out [2]int
	for i := 0; i < len(parts) && i < 2; i++ {
		n := 0
		for _, c := range parts[i] {
			if c < '0' || c > '9' {
				break
			}
			if n < 1e6 {
				n = n*10 + int(c-'0')
			}
		}
		out[i] = n
	}
	return out
}
