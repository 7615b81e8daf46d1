package pep440

import "testing"

func TestSameVersion(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"1.0", "1.0", true},
		{"1.0", "1.0.0", true},
		{"1.0rc1", "1.0-rc1", true},
		{"1.0.POST1", "1.0.post1", true},
		{" 2.0 ", "2.0", true},
		{"1!1.0", "1.0", false},
		{"1.0", "1.0.post1", false},
		{"1.0", "1.1", false},
		{"1.0+local", "1.0", false},
		{"custom-build", "Custom_Build", true}, // legacy: text, case and -/_ ignored
		{"custom-build", "custom-build2", false},
		{"1.0", "custom", false},
	} {
		if got := SameVersion(tc.a, tc.b); got != tc.want {
			t.Errorf("SameVersion(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
		if got := SameVersion(tc.b, tc.a); got != tc.want {
			t.Errorf("SameVersion(%q, %q) = %v, want %v (not symmetric)", tc.b, tc.a, got, tc.want)
		}
	}
}
