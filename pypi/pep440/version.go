package pep440

import (
	"strconv"
	"strings"
)

// Version is a parsed PEP 440 version. The zero value is not a valid version
// (IsZero reports it). Versions are immutable and cheap to copy; Compare is
// allocation-free. Numeric components of any size are supported exactly.
//
// A Version holds its normalised text and a precomputed comparison key (see
// key.go) in one allocation; Compare is a byte comparison of the keys.
type Version struct {
	s    string // normalised form, str(Version)
	key  string // order-preserving key: Compare(v, w) == strings.Compare(v.key, w.key)
	rel  uint32 // offset of the release segment in s (after "N!")
	base uint32 // end of the release segment in s
	pub  uint32 // end of the public part of s (index of '+', or len(s))
	kpre uint32 // offset of the pre section in key (after the release)
	kloc uint32 // offset of the local section in key
	fl   uint8  // flag* bits
}

const (
	flagPre uint8 = 1 << iota
	flagPost
	flagDev
	flagLocal
)

// Parse parses s (surrounding Python whitespace allowed) into a Version.
// The error names the input and the offending position.
func Parse(s string) (Version, error) {
	lo, hi := trimSpaceBounds(s)
	var p parsed
	if pos, ok := p.parse(s[lo:hi], false, false); !ok {
		return Version{}, versionError(s, lo+pos)
	}
	return p.build(), nil
}

// versionError reports why s (as given to Parse) is invalid at byte pos.
func versionError(s string, pos int) error {
	msg := unexpectedAt(s, pos)
	if strings.TrimFunc(s, isPySpace) == "" {
		msg = "empty version"
	}
	return &Error{Kind: "version", Input: s, Pos: pos, Msg: msg}
}

// MustParse is Parse that panics on error; for tests and constants.
func MustParse(s string) Version {
	v, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return v
}

// String returns the normalised form (str(Version) in packaging).
func (v Version) String() string { return v.s }

// Compare returns -1, 0 or +1 following PEP 440 total order (1.0 == 1.0.0).
func (v Version) Compare(w Version) int { return strings.Compare(v.key, w.key) }

// Equal reports v.Compare(w) == 0.
func (v Version) Equal(w Version) bool { return v.key == w.key }

// Less reports v.Compare(w) < 0.
func (v Version) Less(w Version) bool { return v.key < w.key }

// Key returns an opaque byte string that orders like Compare: two versions
// have the same Key exactly when they are Equal (1.0 and 1.0.0), so it can
// serve as a map key for PEP 440 equality.
func (v Version) Key() string { return v.key }

// IsZero reports whether v is the zero Version (never produced by Parse).
func (v Version) IsZero() bool { return v.key == "" }

// IsPrerelease reports whether v has a pre-release or dev segment.
func (v Version) IsPrerelease() bool { return v.fl&(flagPre|flagDev) != 0 }

// IsPostrelease reports whether v has a post segment.
func (v Version) IsPostrelease() bool { return v.fl&flagPost != 0 }

// IsDevrelease reports whether v has a dev segment.
func (v Version) IsDevrelease() bool { return v.fl&flagDev != 0 }

// HasLocal reports whether v has a local segment ("+...").
func (v Version) HasLocal() bool { return v.fl&flagLocal != 0 }

// Public returns v without its local segment, normalised.
func (v Version) Public() string { return v.s[:v.pub] }

// BaseVersion returns epoch and release only, normalised ("1!2.0").
func (v Version) BaseVersion() string { return v.s[:v.base] }

// Local returns the normalised local segment without "+", or "".
func (v Version) Local() string {
	if v.fl&flagLocal == 0 {
		return ""
	}
	return v.s[v.pub+1:]
}

// Release returns the release segment in normalised text ("1.0.2").
func (v Version) Release() string { return v.s[v.rel:v.base] }

// Epoch returns the epoch as decimal text ("0" when absent).
func (v Version) Epoch() string {
	if v.rel == 0 {
		return "0"
	}
	return v.s[:v.rel-1]
}

// Major returns the first release component (0 if it does not fit an int).
// The epoch is not consulted; use Epoch for it. Used by rules such as
// "numpy 2.x".
func (v Version) Major() int {
	r := v.Release()
	if i := strings.IndexByte(r, '.'); i >= 0 {
		r = r[:i]
	}
	n, err := strconv.Atoi(r)
	if err != nil {
		return 0
	}
	return n
}

// Canonical returns canonicalize_version(v): the normalised form with
// trailing ".0" release components removed (at least one is kept).
func (v Version) Canonical() string {
	r := v.Release()
	end := len(r)
	for end > 1 && r[end-1] == '0' && r[end-2] == '.' {
		end -= 2
	}
	if end == len(r) {
		return v.s
	}
	return v.s[:v.rel] + r[:end] + v.s[v.base:]
}

// Parts is the decomposition of a Version into its PEP 440 segments, with
// numbers as decimal text (components may exceed 64 bits).
type Parts struct {
	Epoch    string   // "0" when absent
	Release  []string // as normalised: leading zeros removed, trailing zeros kept
	PreLabel string   // "", "a", "b" or "rc"
	Pre      string   // pre-release number when PreLabel != ""
	Post     string   // "" when there is no post segment
	Dev      string   // "" when there is no dev segment
	Local    string   // normalised, without "+"; "" when absent
}

// Parts returns v's segments.
func (v Version) Parts() Parts {
	var p parsed
	p.parse(v.s, false, false)
	out := Parts{Epoch: "0", Release: strings.Split(p.release, "."), Local: v.Local()}
	if p.epoch != "" {
		out.Epoch = p.epoch
	}
	if p.preL != 0 {
		out.PreLabel = preLabels[p.preL]
		out.Pre = p.preN
	}
	if p.hasPost {
		out.Post = p.postN
	}
	if p.hasDev {
		out.Dev = p.devN
	}
	return out
}

var preLabels = [...]string{0: "", 'a': "a", 'b': "b", 'c': "rc"}

// with returns v's public part rebuilt with the given pre, post and dev
// segments ("" = absent). The local segment is dropped. Used to build range
// cut points such as V.dev0 and V.post(N+1).dev0.
func (v Version) with(preLabel, pre, post, dev string) Version {
	var b strings.Builder
	b.WriteString(v.s[:v.base])
	if preLabel != "" {
		b.WriteString(preLabel)
		b.WriteString(pre)
	}
	if post != "" {
		b.WriteString(".post")
		b.WriteString(post)
	}
	if dev != "" {
		b.WriteString(".dev")
		b.WriteString(dev)
	}
	return MustParse(b.String())
}

// incDecimal returns the decimal text n+1 for decimal text n.
func incDecimal(n string) string {
	b := []byte(n)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < '9' {
			b[i]++
			return string(b)
		}
		b[i] = '0'
	}
	return "1" + string(b)
}
