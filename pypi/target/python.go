package target

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pylock/pylock/pypi/pep440"
)

// DefaultPython is the Python used when New gets no version: CPython 3.12.
const DefaultPython = "3.12"

// pythonSpec is a parsed --python-version value.
type pythonSpec struct {
	impl         string // "cpython" or "pypy"
	full         string // "3.11.0", "3.13.0rc1"
	freeThreaded bool
}

const pythonForms = `want a Python version such as 3.12, 3.11.4, 3.13.0rc1, 3.13t (free-threaded), cp311, pypy3.10 or pp310 (Python 3.6 or newer)`

// parsePython parses "3.11", "3.11.4", "3.13t", "3.14.0rc1", "cpython3.12",
// "cp311", "pypy3.10", "pypy@3.10", "pp310". A missing patch is 0.
func parsePython(s string) (pythonSpec, error) {
	in := s
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		s = DefaultPython
	}
	p := pythonSpec{impl: "cpython"}
	compact := false
	for _, pre := range []struct{ prefix, impl string }{
		{"cpython", "cpython"}, {"python", "cpython"}, {"pypy", "pypy"}, {"cp", "cpython"}, {"pp", "pypy"}, {"py", "cpython"},
	} {
		if strings.HasPrefix(s, pre.prefix) {
			s, p.impl = s[len(pre.prefix):], pre.impl
			s = strings.TrimLeft(s, "-@")
			compact = pre.prefix == "cp" || pre.prefix == "pp" || pre.prefix == "py"
			break
		}
	}
	if strings.HasSuffix(s, "t") {
		s, p.freeThreaded = strings.TrimSuffix(s, "t"), true
	}
	major, minor, patch, pre, ok := splitPython(s, compact)
	if !ok {
		return p, fmt.Errorf("invalid python version %q: %s", in, pythonForms)
	}
	switch {
	case major != 3:
		return p, fmt.Errorf("invalid python version %q: only Python 3 is supported", in)
	case minor > 99:
		return p, fmt.Errorf("invalid python version %q: minor version above 99", in)
	case minor < 6:
		return p, fmt.Errorf("invalid python version %q: Python 3.6 or newer is supported", in)
	case p.freeThreaded && (p.impl != "cpython" || minor < 13):
		return p, fmt.Errorf("invalid python version %q: free-threaded builds are CPython 3.13 or newer", in)
	}
	p.full = fmt.Sprintf("%d.%d.%d%s", major, minor, patch, pre)
	return p, nil
}

// splitPython splits "3.11", "3.11.4", "3.13.0rc1" (or, when compact is
// allowed, "311") into its parts.
func splitPython(s string, compact bool) (major, minor, patch int, pre string, ok bool) {
	if i := strings.IndexAny(s, "abr"); i >= 0 {
		s, pre = s[:i], s[i:]
		if !validPre(pre) {
			return 0, 0, 0, "", false
		}
	}
	parts := strings.Split(s, ".")
	if compact && len(parts) == 1 && len(s) >= 2 {
		parts = []string{s[:1], s[1:]}
	}
	if len(parts) < 2 || len(parts) > 3 {
		return 0, 0, 0, "", false
	}
	nums := [3]int{}
	for i, part := range parts {
		n, err := strconv.Atoi(part)
		if err != nil || n < 0 || n > 999 || part != strconv.Itoa(n) {
			return 0, 0, 0, "", false
		}
		nums[i] = n
	}
	return nums[0], nums[1], nums[2], pre, true
}

func validPre(pre string) bool {
	for _, l := range []string{"rc", "a", "b"} {
		if n, found := strings.CutPrefix(pre, l); found {
			v, err := strconv.Atoi(n)
			return err == nil && v >= 0 && n == strconv.Itoa(v)
		}
	}
	return false
}

// pythonParts returns (major, minor, patch) of a Python version.
func pythonParts(v pep440.Version) (major, minor, patch int) {
	if v.IsZero() {
		return 0, 0, 0
	}
	parts := strings.Split(v.BaseVersion(), ".")
	nums := [3]int{}
	for i := 0; i < len(parts) && i < 3; i++ {
		nums[i], _ = strconv.Atoi(parts[i])
	}
	return nums[0], nums[1], nums[2]
}

// pypyReleases is the newest PyPy release for each Python language version;
// it is the implementation_version of a PyPy target that does not name one.
var pypyReleases = map[int]string{6: "7.3.3", 7: "7.3.9", 8: "7.3.11", 9: "7.3.16", 10: "7.3.19", 11: "7.3.20"}

// latestPyPy is used for Python versions newer than the table knows.
const latestPyPy = "7.3.20"
