package wheel

import "strconv"

// legacyManylinux maps glibc (2, minor) to the pre-PEP 600 manylinux names.
var legacyManylinux = map[int]string{17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}

// ManylinuxPlatforms returns the manylinux platform tags for arch on a
// system with glibc glibcMajor.glibcMinor, newest first, each legacy alias
// (manylinux2014, manylinux2010, manylinux1) right after its PEP 600
// equivalent — packaging's _manylinux.platform_tags for a fixed glibc.
// x86_64 and i686 go down to glibc 2.5, every other architecture to 2.17.
// For a hypothetical glibc 3.x, every 2.x minor up to 2.50 follows.
func ManylinuxPlatforms(arch string, glibcMajor, glibcMinor int) []string {
	tooOldMinor := 16
	if arch == "x86_64" || arch == "i686" {
		tooOldMinor = 4
	}
	type ver struct{ major, minor int }
	maxes := []ver{{glibcMajor, glibcMinor}}
	for m := glibcMajor - 1; m > 1; m-- {
		maxes = append(maxes, ver{m, 50}) // packaging's _LAST_GLIBC_MINOR default
	}
	var out []string
	for _, mx := range maxes {
		if mx.major < 2 {
			continue
		}
		minMinor := -1
		if mx.major == 2 {
			minMinor = tooOldMinor
		}
		for minor := mx.minor; minor > minMinor; minor-- {
			out = append(out, "manylinux_"+strconv.Itoa(mx.major)+"_"+strconv.Itoa(minor)+"_"+arch)
			if legacy, ok := legacyManylinux[minor]; ok && mx.major == 2 {
				out = append(out, legacy+"_"+arch)
			}
		}
	}
	return out
}

// MusllinuxPlatforms returns musllinux_<major>_<minor>_<arch> for minor down
// to 0 — packaging's _musllinux.platform_tags for a fixed musl version.
func MusllinuxPlatforms(arch string, muslMajor, muslMinor int) []string {
	var out []string
	for m := muslMinor; m >= 0; m-- {
		out = append(out, "musllinux_"+strconv.Itoa(muslMajor)+"_"+strconv.Itoa(m)+"_"+arch)
	}
	return out
}

// LinuxPlatforms returns the platform list packaging (26.3+) builds on Linux:
// the native linux_<arch> first, then the manylinux tags for glibc (when
// glibc is not nil), then the musllinux tags for musl (when musl is not nil).
func LinuxPlatforms(arch string, glibc, musl *[2]int) []string {
	out := []string{"linux_" + arch}
	if glibc != nil {
		out = append(out, ManylinuxPlatforms(arch, glibc[0], glibc[1])...)
	}
	if musl != nil {
		out = append(out, MusllinuxPlatforms(arch, musl[0], musl[1])...)
	}
	return out
}

// MacPlatforms returns packaging's mac_platforms((major, minor), arch): for
// macOS 10.x every 10.y down to 10.0; for 11+ every major down to 11 (minor
// 0), then 10.16 … 10.4 (all binary formats on x86_64, universal2 only on
// arm64). Each version lists the binary formats arch can run: x86_64 adds
// intel, fat64, fat32, universal2, universal; arm64 adds universal2.
func MacPlatforms(major, minor int, arch string) []string {
	var out []string
	emit := func(maj, min int, formats []string) {
		for _, f := range formats {
			out = append(out, "macosx_"+strconv.Itoa(maj)+"_"+strconv.Itoa(min)+"_"+f)
		}
	}
	if major == 10 {
		for m := minor; m >= 0; m-- {
			emit(10, m, macBinaryFormats(10, m, arch))
		}
	}
	if major >= 11 {
		for maj := major; maj > 10; maj-- {
			emit(maj, 0, macBinaryFormats(maj, 0, arch))
		}
		for m := 16; m > 3; m-- {
			if arch == "x86_64" {
				emit(10, m, macBinaryFormats(10, m, arch))
			} else {
				emit(10, m, []string{"universal2"})
			}
		}
	}
	return out
}

// macBinaryFormats is packaging's _mac_binary_formats.
func macBinaryFormats(major, minor int, arch string) []string {
	before := func(maj, min int) bool { return major < maj || major == maj && minor < min }
	formats := []string{arch}
	switch arch {
	case "x86_64":
		if before(10, 4) {
			return nil
		}
		formats = append(formats, "intel", "fat64", "fat32")
	case "i386":
		if before(10, 4) {
			return nil
		}
		formats = append(formats, "intel", "fat32", "fat")
	case "ppc64":
		if !before(10, 6) || before(10, 4) { // version > (10, 5) or < (10, 4)
			return nil
		}
		formats = append(formats, "fat64")
	case "ppc":
		if !before(10, 7) { // version > (10, 6)
			return nil
		}
		formats = append(formats, "fat32", "fat")
	}
	if arch == "arm64" || arch == "x86_64" {
		formats = append(formats, "universal2")
	}
	switch arch {
	case "x86_64", "i386", "ppc64", "ppc", "intel":
		formats = append(formats, "universal")
	}
	return formats
}
