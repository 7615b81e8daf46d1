// Package target describes the environment a lock is made for: Python
// implementation and version, OS, architecture and libc. It yields the PEP
// 508 marker environment and the ordered list of supported wheel tags
// without consulting a host Python.
//
// CONTRACT (stub written by the lead; the owner replaces the panics, may add
// API, must not rename or remove what is declared here).
package target

import (
	"context"

	"github.com/pylock/pylock/pypi/pep440"
	"github.com/pylock/pylock/pypi/pep508"
	"github.com/pylock/pylock/pypi/wheel"
)

// Target is one concrete install environment.
type Target struct {
	Implementation string         // "cpython" or "pypy"
	Python         pep440.Version // full version, e.g. 3.11.7 (3.11 → 3.11.0 when only minor given)
	OS             string         // "linux", "macos", "windows"
	Arch           string         // "x86_64", "aarch64", "arm64", "i686", "AMD64"...
	Libc           string         // linux: "glibc" or "musl"
	LibcVersion    [2]int         // glibc (2,28) / musl (1,2) upper bound for tags
	MacOSVersion   [2]int         // e.g. (14,0)
}

// New builds a target from uv-style flag values: pythonVersion "3.11" or
// "3.11.4" ("" = default), platform "linux", "macos", "windows",
// "x86_64-unknown-linux-gnu", "aarch64-apple-darwin", "x86_64-pc-windows-msvc",
// "x86_64-manylinux2014", "x86_64-manylinux_2_28", "aarch64-unknown-linux-musl"...
// ("" = host OS/arch).
func New(pythonVersion, platform string) (Target, error) { panic("target.New: not implemented") }

// Default returns the target for the python3 on PATH if any (asked with a
// short timeout), else CPython 3.12 on the host's OS/arch.
func Default(ctx context.Context) Target { panic("target.Default: not implemented") }

// Env returns the complete PEP 508 marker environment (extra unset).
func (t Target) Env() pep508.Env { panic("not implemented") }

// Tags returns supported tags, most preferred first (packaging's sys_tags order).
func (t Target) Tags() []wheel.Tag { panic("not implemented") }

// Rank returns the best (smallest) index in Tags() of any of the wheel's tags,
// and false when the wheel is not compatible with t.
func (t Target) Rank(w wheel.Filename) (int, bool) { panic("not implemented") }

// Marker returns a PEP 508 marker describing t, for pylock.toml
// "environments" (e.g. `sys_platform == "linux" and platform_machine ==
// "x86_64" and python_full_version == "3.11.7" and implementation_name == "cpython"`).
func (t Target) Marker() string { panic("not implemented") }

// String is a short human description ("CPython 3.11 x86_64-manylinux_2_28").
func (t Target) String() string { panic("not implemented") }
