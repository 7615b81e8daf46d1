// Package target describes the environment a lock is made for: Python
// implementation and version, OS, architecture and libc. It yields the PEP
// 508 marker environment and the ordered list of supported wheel tags
// without consulting a host Python.
//
// Targets are built from uv-style flag values (New), or from the python3 on
// PATH (Default, the only function here that does I/O). Tags follow
// packaging 26's sys_tags() for the target; the marker environment holds
// the values a real interpreter on that platform reports, except
// platform_release and platform_version, which only a real host knows and
// which are "" (as in uv) unless set.
package target

import (
	"context"
	"strings"

	"github.com/pylock/pylock/pypi/pep440"
	"github.com/pylock/pylock/pypi/pep508"
	"github.com/pylock/pylock/pypi/wheel"
)

// Target is one concrete install environment.
type Target struct {
	Implementation string         // "cpython" or "pypy"
	Python         pep440.Version // full version, e.g. 3.11.7 (3.11 → 3.11.0 when only minor given)
	OS             string         // "linux", "macos", "windows"
	Arch           string         // platform.machine(): "x86_64", "aarch64", "arm64", "i686", "AMD64", "ARM64", "x86"...
	Libc           string         // linux: "glibc" or "musl" ("" = neither: linux_<arch> tags only)
	LibcVersion    [2]int         // glibc (2,28) / musl (1,2) upper bound for tags
	MacOSVersion   [2]int         // e.g. (14,0)

	// FreeThreaded marks a CPython built without the GIL (ABI "cp313t").
	FreeThreaded bool
	// ImplementationVersion is PyPy's own release ("7.3.19"); "" means the
	// Python version for CPython and the newest release for that Python
	// for PyPy.
	ImplementationVersion string
	// PlatformRelease and PlatformVersion are platform.release() and
	// platform.version() when known (Default fills them); "" otherwise.
	PlatformRelease, PlatformVersion string
}

// New builds a target from uv-style flag values: pythonVersion "3.11" or
// "3.11.4" ("" = DefaultPython, 3.12), also "3.13t", "pypy3.10", "cp311";
// platform "linux", "macos", "windows", "x86_64-unknown-linux-gnu",
// "aarch64-apple-darwin", "x86_64-pc-windows-msvc", "x86_64-manylinux2014",
// "x86_64-manylinux_2_28", "aarch64-unknown-linux-musl", "x86_64-musllinux_1_2",
// "aarch64-macosx_14_0", or a wheel platform tag such as "win_amd64"
// ("" = host OS/arch with the defaults). See PlatformHelp.
//
// Under-specified platforms take uv's defaults: glibc 2.28, musl 1.2,
// macOS 13.0 (DefaultGlibc, DefaultMusl, DefaultMacOS); `linux` is x86_64,
// `macos` is arm64, `windows` is x86-64.
func New(pythonVersion, platform string) (Target, error) { return newTarget(pythonVersion, platform) }

// Default returns the target for the python3 on PATH if any (asked with a
// short timeout), else CPython 3.12 on the host's OS/arch.
func Default(ctx context.Context) Target { return defaultTarget(ctx, "") }

// Env returns the complete PEP 508 marker environment (extra unset).
func (t Target) Env() pep508.Env { return t.env() }

// Tags returns supported tags, most preferred first (packaging's sys_tags order).
func (t Target) Tags() []wheel.Tag { return t.Supported().Tags() }

// Rank returns the best (smallest) index in Tags() of any of the wheel's tags,
// and false when the wheel is not compatible with t. It builds t's tag list
// on each call (a few µs); to rank many wheels, call Supported once and use
// its Rank.
func (t Target) Rank(w wheel.Filename) (int, bool) { return t.Supported().Rank(w) }

// Marker returns a PEP 508 marker describing t, for pylock.toml
// "environments" (e.g. `sys_platform == "linux" and platform_machine ==
// "x86_64" and python_full_version == "3.11.7" and implementation_name == "cpython"`).
// A version with patch 0 and no pre-release ("3.11" given) is written as
// python_version == "3.11".
func (t Target) Marker() string { return t.marker() }

// String is a short human description ("CPython 3.11 x86_64-manylinux_2_28").
func (t Target) String() string {
	return t.implName() + " " + strings.TrimPrefix(t.PythonSpec(), "pypy") + " " + t.Platform()
}

// Select builds the target for `resolve`'s flags: both empty is Default;
// a platform alone keeps the Python of the default interpreter (python3 on
// PATH, else DefaultPython) and changes only the platform, so that
// `--python-platform linux` never switches the Python version; a version
// alone or both are New.
func Select(ctx context.Context, pythonVersion, platform string) (Target, error) {
	return SelectCached(ctx, pythonVersion, platform, "")
}

// SelectCached is Select keeping the default interpreter's probe in the
// cache at cacheDir ("" = none): a later run with the same interpreter
// (its resolved path, size and modification time) on the same kernel does
// not start it again. See ProbeNamespace.
func SelectCached(ctx context.Context, pythonVersion, platform, cacheDir string) (Target, error) {
	switch {
	case pythonVersion == "" && platform == "":
		return defaultTarget(ctx, cacheDir), nil
	case pythonVersion == "":
		return New(defaultTarget(ctx, cacheDir).PythonFlag(), platform)
	}
	return New(pythonVersion, platform)
}

// PythonFlag renders t's interpreter as a --python-version value that New
// reads back to the same implementation, version and threading model:
// "3.11.7", "pypy3.10.14", "3.13.1t".
func (t Target) PythonFlag() string {
	s := t.Python.String()
	if t.Implementation == "pypy" {
		s = "pypy" + s
	}
	if t.FreeThreaded {
		s += "t"
	}
	return s
}
