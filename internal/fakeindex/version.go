package fakeindex

import (
	"regexp"
	"strconv"
	"strings"
)

// A deliberately small PEP 440 reader, ported from pyindex.py: enough to
// normalise versions for filenames and to order releases (upload times and
// the JSON API's "latest"). It keeps the fake server independent of
// pypi/pep440 so that a bug there cannot hide behind the test fixture.

var versionRE = regexp.MustCompile(`(?i)^\s*v?` +
	`(?:(?P<epoch>[0-9]+)!)?` +
	`(?P<release>[0-9]+(?:\.[0-9]+)*)` +
	`(?P<pre>[-_.]?(?P<pre_l>alpha|beta|preview|pre|rc|a|b|c)[-_.]?(?P<pre_n>[0-9]+)?)?` +
	`(?P<post>(?:-(?P<post_n1>[0-9]+))|(?:[-_.]?(?P<post_l>post|rev|r)[-_.]?(?P<post_n2>[0-9]+)?))?` +
	`(?P<dev>[-_.]?(?P<dev_l>dev)[-_.]?(?P<dev_n>[0-9]+)?)?` +
	`(?:\+(?P<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?\s*$`)

var preLetter = map[string]string{"a": "a", "alpha": "a", "b": "b", "beta": "b",
	"c": "rc", "rc": "rc", "pre": "rc", "preview": "rc"}

type version struct {
	valid   bool
	raw     string
	epoch   int
	release []int
	pre     string // "", "a", "b", "rc"
	preN    int
	post    int // -1 = none
	dev     int // -1 = none
	local   []string
}

func parseVersion(s string) version {
	m := versionRE.FindStringSubmatch(s)
	if m == nil {
		return version{raw: strings.TrimSpace(s)}
	}
	g := func(name string) string { return m[versionRE.SubexpIndex(name)] }
	atoi := func(s string) int { n, _ := strconv.Atoi(s); return n }
	v := version{valid: true, raw: s, epoch: atoi(g("epoch")), post: -1, dev: -1}
	for _, p := range strings.Split(g("release"), ".") {
		v.release = append(v.release, atoi(p))
	}
	if l := g("pre_l"); l != "" {
		v.pre, v.preN = preLetter[strings.ToLower(l)], atoi(g("pre_n"))
	}
	if n := g("post_n1"); n != "" {
		v.post = atoi(n)
	} else if g("post_l") != "" {
		v.post = atoi(g("post_n2"))
	}
	if g("dev_l") != "" {
		v.dev = atoi(g("dev_n"))
	}
	if l := g("local"); l != "" {
		v.local = strings.FieldsFunc(strings.ToLower(l), func(r rune) bool { return r == '-' || r == '_' || r == '.' })
	}
	return v
}

// String is the PEP 440 normalised form (the stripped input when invalid).
func (v version) String() string {
	if !v.valid {
		return v.raw
	}
	var b strings.Builder
	if v.epoch != 0 {
		b.WriteString(strconv.Itoa(v.epoch) + "!")
	}
	for i, p := range v.release {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(strconv.Itoa(p))
	}
	if v.pre != "" {
		b.WriteString(v.pre + strconv.Itoa(v.preN))
	}
	if v.post >= 0 {
		b.WriteString(".post" + strconv.Itoa(v.post))
	}
	if v.dev >= 0 {
		b.WriteString(".dev" + strconv.Itoa(v.dev))
	}
	if len(v.local) > 0 {
		b.WriteString("+" + strings.Join(v.local, "."))
	}
	return b.String()
}

func (v version) isPrerelease() bool { return v.valid && (v.pre != "" || v.dev >= 0) }

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// compareVersions orders like packaging.version; invalid versions sort first
// (by text), as in pyindex.py.
func compareVersions(a, b version) int {
	if !a.valid || !b.valid {
		if a.valid != b.valid {
			if a.valid {
				return 1
			}
			return -1
		}
		return strings.Compare(a.raw, b.raw)
	}
	if c := cmpInt(a.epoch, b.epoch); c != 0 {
		return c
	}
	trim := func(r []int) []int {
		for len(r) > 1 && r[len(r)-1] == 0 {
			r = r[:len(r)-1]
		}
		return r
	}
	ra, rb := trim(a.release), trim(b.release)
	for i := 0; i < len(ra) || i < len(rb); i++ {
		x, y := 0, 0
		if i < len(ra) {
			x = ra[i]
		}
		if i < len(rb) {
			y = rb[i]
		}
		if c := cmpInt(x, y); c != 0 {
			return c
		}
	}
	if c := cmpInt(preRank(a), preRank(b)); c != 0 {
		return c
	}
	if a.pre != "" && b.pre != "" {
		if c := cmpInt(a.preN, b.preN); c != 0 {
			return c
		}
	}
	if c := cmpInt(a.post, b.post); c != 0 {
		return c
	}
	da, db := a.dev, b.dev
	if da < 0 {
		da = 1 << 62
	}
	if db < 0 {
		db = 1 << 62
	}
	if c := cmpInt(da, db); c != 0 {
		return c
	}
	return compareLocal(a.local, b.local)
}

// preRank: dev-only < a < b < rc < final.
func preRank(v version) int {
	switch {
	case v.pre == "" && v.post < 0 && v.dev >= 0:
		return 0
	case v.pre == "":
		return 4
	case v.pre == "a":
		return 1
	case v.pre == "b":
		return 2
	}
	return 3
}

func compareLocal(a, b []string) int {
	if a == nil || b == nil {
		return cmpInt(len(a), len(b))
	}
	for i := 0; i < len(a) && i < len(b); i++ {
		na, ea := strconv.Atoi(a[i])
		nb, eb := strconv.Atoi(b[i])
		switch {
		case ea == nil && eb == nil:
			if c := cmpInt(na, nb); c != 0 {
				return c
			}
		case ea == nil:
			return 1 // numeric segments sort after alphanumeric ones
		case eb == nil:
			return -1
		default:
			if c := strings.Compare(a[i], b[i]); c != 0 {
				return c
			}
		}
	}
	return cmpInt(len(a), len(b))
}
