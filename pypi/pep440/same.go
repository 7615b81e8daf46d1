package pep440

import "strings"

// SameVersion reports whether two version strings (from metadata, a
// filename, an installed distribution or a lock) denote the same version:
// PEP 440 equality when both parse ("1.0" and "1.0.0", "1.0rc1" and
// "1.0-rc1"), else the same text ignoring case, surrounding space and
// '-' versus '_' (legacy versions, as filenames escape them).
func SameVersion(a, b string) bool {
	va, errA := Parse(a)
	vb, errB := Parse(b)
	if errA == nil && errB == nil {
		return va.Equal(vb)
	}
	norm := func(s string) string {
		return strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), "-", "_")
	}
	return norm(a) == norm(b)
}
