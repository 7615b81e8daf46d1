package names

import "strings"

// CanonicalList returns the project names in ss, each element of which may
// be a comma-separated list (as repeatable flags such as
// --no-build-package take them), trimmed and canonicalised, empty items
// dropped, in order.
func CanonicalList(ss []string) []string {
	var out []string
	for _, s := range ss {
		for _, n := range strings.Split(s, ",") {
			if n = strings.TrimSpace(n); n != "" {
				out = append(out, Canonicalize(n))
			}
		}
	}
	return out
}
