package pylock

import (
	"slices"
	"testing"

	"github.com/pylock/pylock/pypi/index"
	"github.com/pylock/pylock/pypi/reqfile"
)

// TestUniversalFiles checks which files a universal lock lists: wheels that
// can run somewhere in the lock's requires-python and environments, the
// sdist always (unless --only-binary), and every wheel when none could run
// (never an entry without files).
func TestUniversalFiles(t *testing.T) {
	all := []string{
		"a-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
		"a-1.0-cp311-cp311-win_amd64.whl",
		"a-1.0-cp311-cp311-macosx_11_0_arm64.whl",
		"a-1.0-cp310-cp310-manylinux_2_17_x86_64.whl",
		"a-1.0-cp37-abi3-win_amd64.whl",
		"a-1.0-py3-none-any.whl",
		"a-1.0-cp311-cp311-weird_platform.whl",
		"a-1.0.tar.gz",
	}
	only := func(names ...string) []string { return names }
	for _, tc := range []struct {
		name   string
		rp     string
		envs   []string
		format reqfile.FormatControl
		files  []string
		want   []string
	}{
		{"every platform", ">=3.10", nil, reqfile.FormatControl{}, all, all},
		{"requires-python drops cp310", ">=3.11", nil, reqfile.FormatControl{}, all,
			only(all[0], all[1], all[2], all[4], all[5], all[6], all[7])},
		{"linux", ">=3.11", []string{`sys_platform == "linux"`}, reqfile.FormatControl{}, all,
			only(all[0], all[5], all[6], all[7])},
		{"linux or windows", ">=3.10", []string{`sys_platform == "linux"`, `sys_platform == "win32"`}, reqfile.FormatControl{}, all,
			only(all[0], all[1], all[3], all[4], all[5], all[6], all[7])},
		{"platform_system decides too", ">=3.11", []string{`platform_system == "Darwin"`}, reqfile.FormatControl{}, all,
			only(all[2], all[5], all[6], all[7])},
		{"only binary: no sdist", ">=3.11", []string{`sys_platform == "linux"`}, reqfile.FormatControl{OnlyBinary: []string{":all:"}}, all,
			only(all[0], all[5], all[6])},
		{"no wheel runs: the sdist", ">=3.11", []string{`sys_platform == "linux"`}, reqfile.FormatControl{},
			only(all[1], all[7]), only(all[7])},
		{"nothing runs: every wheel rather than none", ">=3.11", []string{`sys_platform == "linux"`}, reqfile.FormatControl{},
			only(all[1], all[2]), only(all[1], all[2])},
	} {
		var files []SnapshotFile
		for _, n := range tc.files {
			files = append(files, SnapshotFile{File: index.File{Filename: n}, Wheel: n != "a-1.0.tar.gz"})
		}
		o := LockOptions{RequiresPython: tc.rp, Environments: tc.envs, Universal: true, Format: tc.format}
		var got []string
		for _, f := range universalFiles(files, "a", lockRegion(o), o) {
			got = append(got, f.Filename)
		}
		slices.Sort(got)
		want := slices.Sorted(slices.Values(tc.want))
		if !slices.Equal(got, want) {
			t.Errorf("%s: files %q, want %q", tc.name, got, want)
		}
	}
}
