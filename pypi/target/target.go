package target

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pylock/pylock/pypi/pep440"
	"github.com/pylock/pylock/pypi/pep508"
	"github.com/pylock/pylock/pypi/wheel"
)

func newTarget(pythonVersion, platform string) (Target, error) {
	py, err := parsePython(pythonVersion)
	if err != nil {
		return Target{}, err
	}
	pl, err := parsePlatform(platform)
	if err != nil {
		return Target{}, err
	}
	v, err := pep440.Parse(py.full)
	if err != nil {
		return Target{}, fmt.Errorf("invalid python version %q: %w", pythonVersion, err)
	}
	return Target{
		Implementation: py.impl,
		Python:         v,
		OS:             pl.os,
		Arch:           pl.arch,
		Libc:           pl.libc,
		LibcVersion:    pl.libcVer,
		MacOSVersion:   pl.macVer,
		FreeThreaded:   py.freeThreaded,
	}, nil
}

// Platforms returns the wheel platform tags t supports, most preferred
// first: linux_<arch>, manylinux/musllinux for the libc; mac_platforms for
// the macOS version; win_amd64, win_arm64 or win32.
func (t Target) Platforms() []string {
	arch := t.Arch
	if a, ok := archFor(t.OS, arch); ok {
		arch = a
	}
	switch t.OS {
	case "linux":
		arch = strings.ToLower(arch)
		var glibc, musl *[2]int
		switch t.Libc {
		case "glibc":
			glibc = &t.LibcVersion
		case "musl":
			musl = &t.LibcVersion
		}
		return wheel.LinuxPlatforms(arch, glibc, musl)
	case "macos":
		return wheel.MacPlatforms(t.MacOSVersion[0], t.MacOSVersion[1], strings.ToLower(arch))
	case "windows":
		switch arch {
		case "AMD64":
			return []string{"win_amd64"}
		case "ARM64":
			return []string{"win_arm64"}
		case "x86":
			return []string{"win32"}
		}
	}
	return nil
}

// Supported returns t's supported tags (packaging's sys_tags() for t) in a
// form that ranks wheels without allocating. CPython: cpython_tags with ABI
// cpXY (cpXYm before 3.8, cpXYt when free-threaded) then compatible_tags
// with interpreter cpXY. PyPy: generic_tags with interpreter ppXY and ABI
// pypyXY_pp73, then compatible_tags with interpreter pp3.
func (t Target) Supported() *wheel.Supported {
	major, minor, _ := pythonParts(t.Python)
	plats := t.Platforms()
	s := new(wheel.Supported)
	nd := strconv.Itoa(major) + strconv.Itoa(minor)
	if t.Implementation == "pypy" {
		s.AddGeneric("pp"+nd, []string{"pypy" + nd + "_pp73"}, plats)
		return s.AddCompatible(major, minor, "pp3", plats)
	}
	abi := "cp" + nd
	switch {
	case t.FreeThreaded:
		abi += "t"
	case major == 3 && minor < 8:
		abi += "m"
	}
	s.AddCPython(major, minor, []string{abi}, plats)
	return s.AddCompatible(major, minor, "cp"+nd, plats)
}

func (t Target) implName() string {
	if t.Implementation == "pypy" {
		return "PyPy"
	}
	return "CPython"
}

// PythonSpec returns the Python version as New accepts it: "3.11" when the
// patch is 0 and there is no pre-release, else the full version; "t" marks
// a free-threaded build and "pypy" a PyPy one.
func (t Target) PythonSpec() string {
	s := t.Python.String()
	if major, minor, patch := pythonParts(t.Python); patch == 0 && !t.Python.IsPrerelease() {
		s = strconv.Itoa(major) + "." + strconv.Itoa(minor)
	}
	if t.FreeThreaded {
		s += "t"
	}
	if t.Implementation == "pypy" {
		s = "pypy" + s
	}
	return s
}

// Platform returns t's platform as New accepts it: "<arch>-manylinux_2_28",
// "<arch>-musllinux_1_2", "<arch>-macosx_13_0", "win_amd64", "win_arm64",
// "win32", or "<arch>-unknown-linux" with no libc.
func (t Target) Platform() string {
	switch t.OS {
	case "linux":
		switch t.Libc {
		case "glibc":
			return fmt.Sprintf("%s-manylinux_%d_%d", t.Arch, t.LibcVersion[0], t.LibcVersion[1])
		case "musl":
			return fmt.Sprintf("%s-musllinux_%d_%d", t.Arch, t.LibcVersion[0], t.LibcVersion[1])
		}
		return t.Arch + "-unknown-linux"
	case "macos":
		return fmt.Sprintf("%s-macosx_%d_%d", t.Arch, t.MacOSVersion[0], t.MacOSVersion[1])
	case "windows":
		if p := t.Platforms(); len(p) == 1 {
			return p[0]
		}
		return t.Arch + "-pc-windows-msvc"
	}
	return t.Arch + "-" + t.OS
}

// env builds the PEP 508 environment a real interpreter on t reports.
func (t Target) env() pep508.Env {
	major, minor, _ := pythonParts(t.Python)
	full := t.Python.String()
	implVersion := full
	if t.Implementation == "pypy" {
		implVersion = t.ImplementationVersion
		if implVersion == "" {
			if implVersion = pypyReleases[minor]; implVersion == "" {
				implVersion = latestPyPy
			}
		}
	} else if t.ImplementationVersion != "" {
		implVersion = t.ImplementationVersion
	}
	impl := t.Implementation
	if impl == "" {
		impl = "cpython"
	}
	osName, system, sysPlatform := "posix", "Linux", "linux"
	switch t.OS {
	case "macos":
		system, sysPlatform = "Darwin", "darwin"
	case "windows":
		osName, system, sysPlatform = "nt", "Windows", "win32"
	}
	arch := t.Arch
	if a, ok := archFor(t.OS, arch); ok {
		arch = a
	}
	return pep508.Env{
		"implementation_name":            impl,
		"implementation_version":         implVersion,
		"os_name":                        osName,
		"platform_machine":               arch,
		"platform_python_implementation": t.implName(),
		"platform_release":               t.PlatformRelease,
		"platform_system":                system,
		"platform_version":               t.PlatformVersion,
		"python_full_version":            full,
		"python_version":                 strconv.Itoa(major) + "." + strconv.Itoa(minor),
		"sys_platform":                   sysPlatform,
	}
}

func (t Target) marker() string {
	env := t.env()
	var b strings.Builder
	fmt.Fprintf(&b, "sys_platform == %q and platform_machine == %q and ", env["sys_platform"], env["platform_machine"])
	if _, _, patch := pythonParts(t.Python); patch == 0 && !t.Python.IsPrerelease() {
		fmt.Fprintf(&b, "python_version == %q", env["python_version"])
	} else {
		fmt.Fprintf(&b, "python_full_version == %q", env["python_full_version"])
	}
	fmt.Fprintf(&b, " and implementation_name == %q", env["implementation_name"])
	return b.String()
}
