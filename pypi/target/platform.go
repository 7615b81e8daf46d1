package target

import (
	"fmt"
	"runtime"
	"strconv"
	"strings"
)

// Defaults for under-specified platforms, following uv 0.8+: Linux means
// manylinux_2_28 (uv's `--python-platform linux` since 0.8.0), musl means
// musllinux_1_2, macOS means 13.0 (uv's "least-recent non-EOL macOS").
var (
	DefaultGlibc = [2]int{2, 28} // glibc of "linux" and "<arch>-unknown-linux-gnu"
	DefaultMusl  = [2]int{1, 2}  // musl of "<arch>-unknown-linux-musl"
	DefaultMacOS = [2]int{13, 0} // macOS of "macos" and "<arch>-apple-darwin", and of probed pre-10 versions
)

// platformSpec is a parsed --python-platform value.
type platformSpec struct {
	os, arch, libc  string
	libcVer, macVer [2]int
}

// PlatformHelp lists the accepted --python-platform values.
const PlatformHelp = `accepted platforms:
  linux, macos, windows          x86_64 Linux (glibc 2.28), arm64 macOS 13.0, x86-64 Windows
  <arch>-unknown-linux-gnu       Linux, glibc 2.28 (manylinux_2_28); arch x86_64, aarch64, i686, armv7, ppc64le, s390x, riscv64
  <arch>-unknown-linux-musl      Linux, musl 1.2 (musllinux_1_2)
  <arch>-manylinux_2_<N>         Linux, glibc 2.N (e.g. x86_64-manylinux_2_17); also <arch>-manylinux2014, -manylinux2010, -manylinux1
  <arch>-musllinux_1_<N>         Linux, musl 1.N
  <arch>-apple-darwin            macOS 13.0; arch aarch64 (arm64) or x86_64
  <arch>-macosx_<X>_<Y>          macOS X.Y (e.g. aarch64-macosx_14_0)
  <arch>-pc-windows-msvc         Windows; arch x86_64, aarch64, i686
  a wheel platform tag           win_amd64, win_arm64, win32, manylinux_2_17_x86_64, musllinux_1_2_aarch64, macosx_14_0_arm64`

func platformErr(in, why string) error {
	return fmt.Errorf("unsupported python platform %q: %s\n%s", in, why, PlatformHelp)
}

// Architecture aliases per OS, mapped to the value platform.machine()
// reports there (which is also the arch in wheel platform tags on Linux and
// macOS).
var (
	linuxArchs = map[string]string{
		"x86_64": "x86_64", "amd64": "x86_64", "x64": "x86_64", "x8664": "x86_64",
		"aarch64": "aarch64", "arm64": "aarch64",
		"i686": "i686", "i386": "i686", "i586": "i686", "x86": "i686",
		"armv7": "armv7l", "armv7l": "armv7l",
		"ppc64le": "ppc64le", "powerpc64le": "ppc64le", "ppc64": "ppc64", "powerpc64": "ppc64",
		"s390x": "s390x", "riscv64": "riscv64", "riscv64gc": "riscv64",
	}
	macArchs = map[string]string{
		"arm64": "arm64", "aarch64": "arm64",
		"x86_64": "x86_64", "amd64": "x86_64", "x8664": "x86_64",
	}
	windowsArchs = map[string]string{
		"amd64": "AMD64", "x86_64": "AMD64", "x64": "AMD64", "x8664": "AMD64",
		"arm64": "ARM64", "aarch64": "ARM64",
		"x86": "x86", "i686": "x86", "i386": "x86", "win32": "x86",
	}
)

func archFor(os, arch string) (string, bool) {
	var m map[string]string
	switch os {
	case "linux":
		m = linuxArchs
	case "macos":
		m = macArchs
	case "windows":
		m = windowsArchs
	default:
		return arch, false
	}
	a, ok := m[strings.ToLower(arch)]
	return a, ok
}

// parsePlatform parses a --python-platform value ("" = the host).
func parsePlatform(in string) (platformSpec, error) {
	s := strings.ToLower(strings.TrimSpace(in))
	switch s {
	case "":
		return hostPlatform(), nil
	case "linux":
		s = "x86_64-unknown-linux-gnu"
	case "macos", "darwin", "macosx":
		s = "aarch64-apple-darwin"
	case "windows", "win":
		s = "x86_64-pc-windows-msvc"
	case "win_amd64":
		s = "x86_64-pc-windows-msvc"
	case "win_arm64":
		s = "aarch64-pc-windows-msvc"
	case "win32":
		s = "i686-pc-windows-msvc"
	}
	if p, ok, err := parseWheelPlatform(in, s); ok || err != nil {
		return p, err
	}
	arch, rest, found := strings.Cut(s, "-")
	if !found {
		return platformSpec{}, platformErr(in, "want <arch>-<system>")
	}
	var p platformSpec
	switch rest {
	case "unknown-linux-gnu", "unknown-linux-gnueabihf":
		p = platformSpec{os: "linux", libc: "glibc", libcVer: DefaultGlibc}
	case "unknown-linux":
		p = platformSpec{os: "linux"} // no libc known: linux_<arch> tags only
	case "unknown-linux-musl", "unknown-linux-musleabihf":
		p = platformSpec{os: "linux", libc: "musl", libcVer: DefaultMusl}
	case "apple-darwin":
		p = platformSpec{os: "macos", macVer: DefaultMacOS}
	case "pc-windows-msvc":
		p = platformSpec{os: "windows"}
	case "manylinux2014", "manylinux2010", "manylinux1":
		p = platformSpec{os: "linux", libc: "glibc", libcVer: map[string][2]int{
			"manylinux2014": {2, 17}, "manylinux2010": {2, 12}, "manylinux1": {2, 5}}[rest]}
	default:
		var ok bool
		if p, ok = parseVersioned(rest); !ok {
			return platformSpec{}, platformErr(in, fmt.Sprintf("unknown system %q", rest))
		}
	}
	a, ok := archFor(p.os, arch)
	if !ok {
		return platformSpec{}, platformErr(in, fmt.Sprintf("unknown %s architecture %q", p.os, arch))
	}
	p.arch = a
	return p, checkPlatform(in, p)
}

// parseVersioned parses "manylinux_2_28", "musllinux_1_2", "macosx_14_0".
func parseVersioned(s string) (platformSpec, bool) {
	for _, k := range []struct{ prefix, os, libc string }{
		{"manylinux_", "linux", "glibc"}, {"musllinux_", "linux", "musl"}, {"macosx_", "macos", ""},
	} {
		rest, found := strings.CutPrefix(s, k.prefix)
		if !found {
			continue
		}
		maj, min, ok := twoInts(rest)
		if !ok {
			return platformSpec{}, false
		}
		p := platformSpec{os: k.os, libc: k.libc}
		if k.os == "macos" {
			p.macVer = [2]int{maj, min}
		} else {
			p.libcVer = [2]int{maj, min}
		}
		return p, true
	}
	return platformSpec{}, false
}

// parseWheelPlatform accepts a wheel platform tag such as
// "manylinux_2_17_x86_64", "manylinux2014_aarch64", "musllinux_1_2_x86_64",
// "macosx_14_0_arm64" or "linux_x86_64" (glibc 2.28). ok is false when s
// does not look like one.
func parseWheelPlatform(in, s string) (platformSpec, bool, error) {
	if strings.Contains(s, "-") {
		return platformSpec{}, false, nil
	}
	for _, pre := range []string{"manylinux2014_", "manylinux2010_", "manylinux1_", "manylinux_", "musllinux_", "macosx_", "linux_"} {
		if !strings.HasPrefix(s, pre) {
			continue
		}
		rest := s[len(pre):]
		var verPart, arch string
		if pre == "linux_" || strings.HasPrefix(pre, "manylinux") && pre != "manylinux_" {
			verPart, arch = "", rest
		} else {
			p := strings.SplitN(rest, "_", 3)
			if _, _, ok := twoInts(strings.Join(p[:min(2, len(p))], "_")); !ok || len(p) != 3 {
				return platformSpec{}, false, platformErr(in, "want <name>_<major>_<minor>_<arch>")
			}
			verPart, arch = p[0]+"_"+p[1], p[2]
		}
		sys := strings.TrimSuffix(pre, "_")
		if verPart != "" {
			sys += "_" + verPart
		}
		if pre == "linux_" {
			sys = "unknown-linux-gnu"
		}
		p, err := parsePlatform(arch + "-" + sys)
		if err != nil {
			return platformSpec{}, true, platformErr(in, firstLine(err.Error()))
		}
		return p, true, nil
	}
	return platformSpec{}, false, nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

func twoInts(s string) (int, int, bool) {
	a, b, found := strings.Cut(s, "_")
	if !found {
		return 0, 0, false
	}
	x, err1 := strconv.Atoi(a)
	y, err2 := strconv.Atoi(b)
	if err1 != nil || err2 != nil || x < 0 || y < 0 || x > 999 || y > 999 {
		return 0, 0, false
	}
	return x, y, true
}

func checkPlatform(in string, p platformSpec) error {
	switch {
	case p.libc == "glibc" && (p.libcVer[0] != 2 || p.libcVer[1] > 99):
		return platformErr(in, "glibc versions are 2.0 to 2.99")
	case p.libc == "musl" && (p.libcVer[0] != 1 || p.libcVer[1] > 99):
		return platformErr(in, "musl versions are 1.0 to 1.99")
	case p.os == "macos" && (p.macVer[0] > 99 || p.macVer[1] > 99):
		return platformErr(in, "macOS versions are 10.0 to 99.99")
	case p.libc == "glibc" && p.libcVer[0] == 2 && p.libcVer[1] < minGlibcMinor(p.arch):
		return platformErr(in, fmt.Sprintf("manylinux for %s starts at glibc 2.%d", p.arch, minGlibcMinor(p.arch)))
	case p.os == "macos" && p.macVer[0] < 10:
		return platformErr(in, "macOS versions start at 10.0")
	case p.os == "macos" && p.arch == "arm64" && p.macVer[0] < 11:
		return platformErr(in, "arm64 macOS starts at 11.0")
	}
	return nil
}

func minGlibcMinor(arch string) int {
	if arch == "x86_64" || arch == "i686" {
		return 5
	}
	return 17
}

// hostPlatform is the host OS and architecture with the defaults above (it
// does not probe the libc or the macOS version).
func hostPlatform() platformSpec {
	arch := map[string]string{"amd64": "x86_64", "arm64": "aarch64", "386": "i686", "arm": "armv7",
		"ppc64le": "ppc64le", "ppc64": "ppc64", "s390x": "s390x", "riscv64": "riscv64"}[runtime.GOARCH]
	if arch == "" {
		arch = runtime.GOARCH
	}
	var p platformSpec
	switch runtime.GOOS {
	case "darwin":
		p = platformSpec{os: "macos", macVer: DefaultMacOS}
	case "windows":
		p = platformSpec{os: "windows"}
	default:
		p = platformSpec{os: "linux", libc: "glibc", libcVer: DefaultGlibc}
	}
	if a, ok := archFor(p.os, arch); ok {
		p.arch = a
	} else {
		p.arch = arch
	}
	return p
}
