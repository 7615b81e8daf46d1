package index

import (
	"strings"
	"testing"
)

// The word-at-a-time helpers of the page decoder against plain loops.

func naivePlainRun(s string, i int) int {
	for ; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x80 || c == '"' || c == '\\' {
			break
		}
	}
	return i
}

func naiveHexDigest(v string) (string, bool) {
	l := strings.ToLower(v)
	return l, isHex(l)
}

func naiveHashAlgoIndex(k string) int {
	for i, name := range hashAlgoNames {
		if strings.ToLower(k) == name {
			return i
		}
	}
	return -1
}

// refUnsafeName is unsafeName as it was first written.
func refUnsafeName(name string) string {
	switch {
	case name == "" || name == "." || name == "..":
		return "empty file name"
	case strings.ContainsAny(name, "/\\"):
		return "unsafe file name (path separator)"
	case strings.HasPrefix(name, "."):
		return "unsafe file name (starts with '.')"
	case strings.IndexFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0:
		return "unsafe file name (control character)"
	}
	return ""
}

func checkPageHelpers(t *testing.T, s string) {
	t.Helper()
	if got, want := unsafeName(s), refUnsafeName(s); got != want {
		t.Fatalf("unsafeName(%q) = %q, want %q", s, got, want)
	}
	for i := 0; i <= len(s) && i < 20; i++ {
		if got, want := plainRun(s, i), naivePlainRun(s, i); got != want {
			t.Fatalf("plainRun(%q, %d) = %d, want %d", s, i, got, want)
		}
	}
	gv, gok := hexDigest(s)
	wv, wok := naiveHexDigest(s)
	if gok != wok || gok && gv != wv {
		t.Fatalf("hexDigest(%q) = %q, %v; want %q, %v", s, gv, gok, wv, wok)
	}
	if got, want := hashAlgoIndex(s), naiveHashAlgoIndex(s); got != want {
		t.Fatalf("hashAlgoIndex(%q) = %d, want %d", s, got, want)
	}
}

// TestPageHelpers puts every kind of byte at every position of strings of
// every length around the 8-byte words.
func TestPageHelpers(t *testing.T) {
	special := []byte{0, 0x1f, ' ', '!', '"', '#', '/', '0', '9', ':', '@', 'A', 'F', 'G', '[', '\\', ']', '`', 'a', 'f',
		'g', 0x7e, 0x7f, 0x80, 0xc3, 0xff}
	for _, fill := range []string{"a", "0", "F", "x", ".", "/", "\x01", "\x80"} {
		for n := 0; n <= 26; n++ {
			checkPageHelpers(t, strings.Repeat(fill, n))
			for p := 0; p < n; p++ {
				for _, c := range special {
					b := []byte(strings.Repeat(fill, n))
					b[p] = c
					checkPageHelpers(t, string(b))
				}
			}
		}
	}
	for _, s := range []string{strings.Repeat("ab", 128), strings.Repeat("ab", 128) + "c", "SHA256", "Sha256", "sha\u0130",
		"blaKe2b_256", "bla\u212ae2b_256", "\u212a", "ſha256", "MD5", "md5", "sha1", "sha512", "sha224", "sha384", "sha3_256"} {
		checkPageHelpers(t, s)
	}
}

func FuzzPageHelpers(f *testing.F) {
	for _, s := range []string{"", "sha256", "0123456789abcdefABCDEF", "a\"b\\c\x01\x80", "blaK2b_256"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkPageHelpers(t, s) })
}

// TestHashAlgoUnicodeLowerCase: strings.ToLower maps the Kelvin sign to
// 'k', so the reference accepts it in "blake2b_256"; so must the decoder.
func TestHashAlgoUnicodeLowerCase(t *testing.T) {
	if got := hashAlgoIndex("bla\u212ae2b_256"); got != 6 {
		t.Errorf("hashAlgoIndex(Kelvin) = %d, want 6", got)
	}
}
