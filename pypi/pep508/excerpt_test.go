package pep508

import (
	"strings"
	"testing"
)

// TestLongInputNotEchoed: a megabyte-long requirement is rejected (names
// and extras have a length limit) and its error quotes at most about
// MaxQuote characters of it.
func TestLongInputNotEchoed(t *testing.T) {
	huge := strings.Repeat("a", 1<<20)
	for _, in := range []string{
		huge,
		huge + ">=1",
		"foo[" + huge + "]",
		"foo[bar," + huge + "]",
		"foo " + huge,
		"foo>=" + huge,
		"foo==1" + strings.Repeat("1", 1<<20), // a valid PEP 440 version, echoed by every explanation
		"foo>=1.0,<1." + strings.Repeat("0", 1<<20),
		`foo; python_version == "3` + huge,
	} {
		_, err := ParseRequirement(in)
		if err == nil {
			t.Errorf("%.20q...: no error", in)
			continue
		}
		if n := len(err.Error()); n > 2*MaxQuote+200 {
			t.Errorf("%.20q...: error is %d bytes long: %.300s", in, n, err)
		}
	}
	name := strings.Repeat("b", MaxNameLength)
	if _, err := ParseRequirement(name + "[" + name + "]>=1"); err != nil {
		t.Errorf("a %d-character name is rejected: %v", MaxNameLength, err)
	}
	if _, err := ParseRequirement(name + "b"); err == nil || !strings.Contains(err.Error(), "characters long") {
		t.Errorf("a %d-character name: %v", MaxNameLength+1, err)
	}
	long := "1." + strings.Repeat("0", MaxNameLength-2)
	if _, err := ParseRequirement("foo==" + long); err != nil {
		t.Errorf("a %d-character version is rejected: %v", MaxNameLength, err)
	}
	if _, err := ParseRequirement("foo==" + long + "0"); err == nil || !strings.Contains(err.Error(), "version in specifier is 201 characters long") {
		t.Errorf("a %d-character version: %v", MaxNameLength+1, err)
	}
}

func TestExcerpt(t *testing.T) {
	if got := Excerpt("short", 0); got != `"short"` {
		t.Errorf("Excerpt(short) = %s", got)
	}
	long := strings.Repeat("x", 500) + "HERE" + strings.Repeat("é", 500)
	got := Excerpt(long, 500)
	if !strings.Contains(got, "HERE") || !strings.HasPrefix(got, `..."`) || !strings.Contains(got, `"... (`) {
		t.Errorf("Excerpt around the offset = %s", got)
	}
	if n := len([]rune(got)); n > MaxQuote+40 {
		t.Errorf("Excerpt is %d characters", n)
	}
	if strings.ContainsRune(got, '\uFFFD') {
		t.Errorf("Excerpt split a character: %s", got)
	}
}
