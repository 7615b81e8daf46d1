package pylock

import (
	"bytes"
	"net/url"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/pylock/pylock/lockfile"
	"github.com/pylock/pylock/pypi/index"
	pyinputs "github.com/pylock/pylock/pypi/inputs"
)

// viaTable is Tool.Via: for each package named by an input, the "# via"
// labels of the files that name it (lock-relative paths), sorted.
func viaTable(in *inputs, lockPath string) map[string][]string {
	out := map[string][]string{}
	for _, s := range in.sources {
		if s.name == "" {
			continue
		}
		path := "-"
		if s.file != "<stdin>" && s.file != "-" {
			path = pyinputs.LockRelative(s.file, lockPath)
		}
		label := lockfile.ViaLabel(path, string(s.role))
		if !slices.Contains(out[s.name], label) {
			out[s.name] = append(out[s.name], label)
		}
	}
	for _, v := range out {
		sort.Strings(v)
	}
	return out
}

// pruneVia keeps the Via entries of packages in l (a constraint on a
// package that was not locked says nothing about the lock).
func pruneVia(l *lockfile.Lock) {
	if l.Tool.Via == nil {
		return
	}
	locked := map[string]bool{}
	for _, p := range l.Packages {
		locked[p.Name] = true
	}
	kept := map[string][]string{} // a new map: the caller's Tool is not changed
	for k, v := range l.Tool.Via {
		if locked[k] {
			kept[k] = v
		}
	}
	l.Tool.Via = kept
	if len(kept) == 0 {
		l.Tool.Via = nil
	}
}

// uniqueStrings returns ss without repeats, first occurrence kept.
func uniqueStrings(ss []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

var envRefRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\$\{([A-Z0-9_]+)\}`) })

// envRefs returns the names of the ${NAME} references in the input files
// (pip expands them in requirements files), in order, each once.
func envRefs(files []pyinputs.File) []string {
	var out []string
	for _, f := range files {
		if !bytes.Contains(f.Data, []byte("${")) {
			continue
		}
		for _, m := range envRefRE().FindAllSubmatch(f.Data, -1) {
			out = append(out, string(m[1]))
		}
	}
	return uniqueStrings(out)
}

// placeholderURL is u as it may be written to a lock or a requirements
// file: credentials that came from ${NAME} references in the inputs are
// written back as those references (pip expands them again at install
// time); any other userinfo is dropped (index.Redact).
func placeholderURL(u string, refs []string, lookup func(string) (string, bool)) string {
	p, err := url.Parse(u)
	if err != nil || p.User == nil {
		return index.Redact(u)
	}
	user := p.User.Username()
	pass, hasPass := p.User.Password()
	user, okUser := toPlaceholders(user, refs, lookup)
	pass, okPass := toPlaceholders(pass, refs, lookup)
	if !okUser || hasPass && !okPass {
		return index.Redact(u)
	}
	userinfo := user
	if hasPass {
		userinfo += ":" + pass
	}
	p.User = nil
	s := p.String()
	scheme, rest, _ := strings.Cut(s, "://")
	return scheme + "://" + userinfo + "@" + rest
}

// toPlaceholders rewrites s, made of the values of referenced variables,
// as those ${NAME} references; ok is false when any part of s is not one
// ("" is fine).
func toPlaceholders(s string, refs []string, lookup func(string) (string, bool)) (string, bool) {
	if s == "" {
		return "", true
	}
	var b strings.Builder
	for s != "" {
		best, bestVal := "", ""
		for _, name := range refs {
			if v, ok := lookup(name); ok && v != "" && strings.HasPrefix(s, v) && len(v) > len(bestVal) {
				best, bestVal = name, v
			}
		}
		if best == "" {
			return "", false
		}
		b.WriteString("${" + best + "}")
		s = s[len(bestVal):]
	}
	return b.String(), true
}

// osLookupEnv is how pypi/reqfile expands ${NAME} (os.LookupEnv).
var osLookupEnv = os.LookupEnv
