package wheel

import (
	"sort"
	"strconv"
	"strings"
)

// Supported is an ordered list of supported tags, most preferred first, as
// packaging's sys_tags() yields them. It is stored as blocks (one
// interpreter and ABI over a platform list), so building one is cheap and
// Index needs no map. Build it with AddCPython, AddGeneric and
// AddCompatible, in that order of preference. The zero value is empty and
// ready to use. A Supported is safe for concurrent reads once built.
type Supported struct {
	blocks []block
	n      int
}

// block is one interpreter and ABI over every platform of plats, in order.
type block struct {
	interp, abi string
	plats       []string
	off         int // index of the block's first tag
}

var anyPlatform = []string{"any"}

func (s *Supported) add(interp, abi string, plats []string) {
	if len(plats) == 0 {
		return
	}
	if s.blocks == nil {
		s.blocks = make([]block, 0, 48) // a CPython 3.14 target has 45 blocks
	}
	s.blocks = append(s.blocks, block{interp: interp, abi: abi, plats: plats, off: s.n})
	s.n += len(plats)
}

// lowerAll returns ss lower-cased, reusing ss when it already is.
func lowerAll(ss []string) []string {
	for i, s := range ss {
		if !isLowerASCII(s) && strings.ToLower(s) != s {
			out := append([]string(nil), ss...)
			for j := i; j < len(out); j++ {
				out[j] = strings.ToLower(out[j])
			}
			return out
		}
	}
	return ss
}

func isLowerASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' || c >= 0x80 {
			return false
		}
	}
	return true
}

func nodot(major, minor int) string { return strconv.Itoa(major) + strconv.Itoa(minor) }

// AddCPython appends packaging's cpython_tags(python_version=(major, minor),
// abis, platforms): cpXY-<abi>-<plat> for each of abis (except "abi3",
// "abi3t" and "none"), then cpXY-abi3-<plat> (cpXY-abi3t-<plat> on a
// free-threaded ABI such as "cp313t"), cpXY-none-<plat>, and the stable ABI
// for every older minor down to 3.2 (minor outer, platform inner).
func (s *Supported) AddCPython(major, minor int, abis, platforms []string) *Supported {
	interp := "cp" + nodot(major, minor)
	platforms = lowerAll(platforms)
	abis = lowerAll(abis)
	threaded := isThreadedABI(abis)
	for _, abi := range abis {
		if abi == "abi3" || abi == "none" || threaded && abi == "abi3t" {
			continue
		}
		s.add(interp, abi, platforms)
	}
	stable := ""
	if major > 3 || major == 3 && minor >= 2 {
		stable = "abi3"
		if threaded {
			stable = "abi3t"
		}
		s.add(interp, stable, platforms)
	}
	s.add(interp, "none", platforms)
	if stable != "" {
		for m := minor - 1; m > 1; m-- {
			s.add("cp"+nodot(major, m), stable, platforms)
		}
	}
	return s
}

// isThreadedABI reports whether the first ABI is a free-threaded CPython one
// ("cp313t": "cp", digits, then flags containing "t").
func isThreadedABI(abis []string) bool {
	if len(abis) == 0 || !strings.HasPrefix(abis[0], "cp") {
		return false
	}
	rest := abis[0][2:]
	i := 0
	for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
		i++
	}
	return i > 0 && strings.Contains(rest[i:], "t")
}

// AddGeneric appends packaging's generic_tags(interpreter, abis, platforms):
// <interpreter>-<abi>-<plat> for each ABI, with "none" added last unless
// present. PyPy uses it with interpreter "pp310" and ABI "pypy310_pp73".
func (s *Supported) AddGeneric(interpreter string, abis, platforms []string) *Supported {
	interpreter = strings.ToLower(interpreter)
	platforms = lowerAll(platforms)
	abis = lowerAll(abis)
	hasNone := false
	for _, abi := range abis {
		hasNone = hasNone || abi == "none"
		s.add(interpreter, abi, platforms)
	}
	if !hasNone {
		s.add(interpreter, "none", platforms)
	}
	return s
}

// AddCompatible appends packaging's compatible_tags(python_version=(major,
// minor), interpreter, platforms): py*-none-<plat> over the interpreter
// range (pyXY, pyX, then pyX(Y-1) … pyX0), then <interpreter>-none-any when
// interpreter is not "", then py*-none-any over the same range.
func (s *Supported) AddCompatible(major, minor int, interpreter string, platforms []string) *Supported {
	platforms = lowerAll(platforms)
	rng := pyRange(major, minor)
	for _, py := range rng {
		s.add(py, "none", platforms)
	}
	if interpreter != "" {
		s.add(strings.ToLower(interpreter), "none", anyPlatform)
	}
	for _, py := range rng {
		s.add(py, "none", anyPlatform)
	}
	return s
}

func pyRange(major, minor int) []string {
	out := make([]string, 0, minor+2)
	out = append(out, "py"+nodot(major, minor), "py"+strconv.Itoa(major))
	for m := minor - 1; m >= 0; m-- {
		out = append(out, "py"+nodot(major, m))
	}
	return out
}

// Len returns the number of tags.
func (s *Supported) Len() int { return s.n }

// Tags returns the tags in order, most preferred first.
func (s *Supported) Tags() []Tag {
	out := make([]Tag, 0, s.n)
	for _, b := range s.blocks {
		for _, p := range b.plats {
			out = append(out, Tag{b.interp, b.abi, p})
		}
	}
	return out
}

// Index returns the position of t in Tags() (the first, if it repeats), and
// false when t is not supported. It does not allocate.
func (s *Supported) Index(t Tag) (int, bool) {
	for i := range s.blocks {
		b := &s.blocks[i]
		if b.interp != t.Interpreter || b.abi != t.ABI {
			continue
		}
		for j, p := range b.plats {
			if p == t.Platform {
				return b.off + j, true
			}
		}
	}
	return -1, false
}

// Best returns the wheel's most preferred supported tag and its index in
// Tags(), and false when no tag of the wheel is supported.
func (s *Supported) Best(f Filename) (Tag, int, bool) {
	best, bestTag := -1, Tag{}
	for _, t := range f.Tags {
		if i, ok := s.Index(t); ok && (best < 0 || i < best) {
			best, bestTag = i, t
		}
	}
	return bestTag, best, best >= 0
}

// Rank returns the smallest index in Tags() of any of the wheel's tags, and
// false when the wheel is not compatible.
func (s *Supported) Rank(f Filename) (int, bool) {
	_, r, ok := s.Best(f)
	return r, ok
}

// Order returns the indexes of the compatible wheels in files, best rank
// first, ties in input order: packaging's create_compatible_tags_selector.
func (s *Supported) Order(files []Filename) []int {
	type ranked struct{ i, r int }
	var rs []ranked
	for i, f := range files {
		if r, ok := s.Rank(f); ok {
			rs = append(rs, ranked{i, r})
		}
	}
	sort.SliceStable(rs, func(a, b int) bool { return rs[a].r < rs[b].r })
	out := make([]int, len(rs))
	for k, r := range rs {
		out[k] = r.i
	}
	return out
}

// CPythonTags returns packaging's cpython_tags((major, minor), abis, platforms).
func CPythonTags(major, minor int, abis, platforms []string) []Tag {
	return new(Supported).AddCPython(major, minor, abis, platforms).Tags()
}

// GenericTags returns packaging's generic_tags(interpreter, abis, platforms).
func GenericTags(interpreter string, abis, platforms []string) []Tag {
	return new(Supported).AddGeneric(interpreter, abis, platforms).Tags()
}

// CompatibleTags returns packaging's compatible_tags((major, minor), interpreter, platforms).
func CompatibleTags(major, minor int, interpreter string, platforms []string) []Tag {
	return new(Supported).AddCompatible(major, minor, interpreter, platforms).Tags()
}
