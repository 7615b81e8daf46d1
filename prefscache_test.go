package pylock

import (
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pylock/pylock/pypi/pep440"
)

const prefsTestLock = `lock-version = "1.0"
created-by = "test"

[[packages]]
name = "Requests"
version = "2.31.0"

[[packages]]
name = "idna"
version = "3.4"

[[packages]]
name = "odd"
version = "not a version"

[[packages]]
name = "IDNA"
version = "03.05"
`

// samePins reports whether a and b pin the same names to the same
// versions, spelled the same.
func samePins(a, b map[string]pep440.Version) bool {
	return maps.EqualFunc(a, b, func(x, y pep440.Version) bool { return x.Compare(y) == 0 && x.String() == y.String() })
}

// TestPreferencesCache: the pins of a lock are the same with and without
// the cache, the entry is written once the lock parsed, read back, and
// replaced when damaged; a lock that does not parse is warned about every
// time and never cached.
func TestPreferencesCache(t *testing.T) {
	dir := t.TempDir()
	lock := filepath.Join(dir, "pylock.toml")
	if err := os.WriteFile(lock, []byte(prefsTestLock), 0o644); err != nil {
		t.Fatal(err)
	}
	cache := filepath.Join(dir, "cache")
	want, warn := readPreferences(lock, "")
	if len(warn) > 0 {
		t.Fatalf("warnings: %v", warn)
	}
	if len(want) != 2 || want["requests"].String() != "2.31.0" || want["idna"].String() != "3.5" {
		t.Fatalf("pins without cache = %v", want)
	}

	got, warn := readPreferences(lock, cache)
	if len(warn) > 0 || !samePins(got, want) {
		t.Fatalf("first cached read = %v, %v; want %v", got, warn, want)
	}
	entry := prefsEntryPath(cache, []byte(prefsTestLock))
	data, err := os.ReadFile(entry)
	if err != nil {
		t.Fatalf("no entry written: %v", err)
	}
	if fromEntry, ok := decodePins(data); !ok || !samePins(fromEntry, want) {
		t.Fatalf("entry %q decodes to %v, %v", data, fromEntry, ok)
	}

	// The entry is what a second run reads: a valid entry pinning another
	// version is taken as it is.
	other, _ := encodePins(map[string]string{"requests": "2.0"})
	if err := os.WriteFile(entry, other, 0o644); err != nil {
		t.Fatal(err)
	}
	if got, _ := readPreferences(lock, cache); len(got) != 1 || got["requests"].String() != "2.0" {
		t.Fatalf("read with a planted entry = %v, want the entry's pins", got)
	}

	// A damaged entry is ignored and replaced.
	for _, damaged := range [][]byte{data[:len(data)-3], append([]byte("x"), data[1:]...), nil, []byte(strings.Replace(string(data), "2.31.0", "2.31.1", 1))} {
		if err := os.WriteFile(entry, damaged, 0o644); err != nil {
			t.Fatal(err)
		}
		if got, warn := readPreferences(lock, cache); len(warn) > 0 || !samePins(got, want) {
			t.Fatalf("with entry %q: %v, %v; want %v", damaged, got, warn, want)
		}
		if again, _ := os.ReadFile(entry); string(again) != string(data) {
			t.Fatalf("entry not replaced: %q", again)
		}
	}

	// Not a lock: warned about on every run, never cached.
	bad := filepath.Join(dir, "bad.toml")
	badData := []byte("lock-version = \"1.0\"\npackages = 3\n")
	if err := os.WriteFile(bad, badData, 0o644); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		got, warn := readPreferences(bad, cache)
		if got != nil || len(warn) != 1 || !strings.Contains(warn[0], "not a readable lock") {
			t.Fatalf("bad lock: %v, %v", got, warn)
		}
	}
	if _, err := os.Stat(prefsEntryPath(cache, badData)); !os.IsNotExist(err) {
		t.Fatalf("a lock that does not parse was cached: %v", err)
	}
}

// TestEncodePinsRefuses: names and versions that the line format cannot
// carry are not cached.
func TestEncodePinsRefuses(t *testing.T) {
	for _, pins := range []map[string]string{
		{"a=b": "1.0"},
		{"": "1.0"},
		{"a\nb==2": "1.0"},
		{"a": "1.0\nb==2"},
		{"a": "1.0\r"},
	} {
		if data, ok := encodePins(pins); ok {
			t.Errorf("encodePins(%q) = %q, want refusal", pins, data)
		}
	}
}

// FuzzPrefsEntry: decoding never panics, what decodes re-encodes to the
// same pins, and encoded pins decode to themselves.
func FuzzPrefsEntry(f *testing.F) {
	good, _ := encodePins(map[string]string{"idna": "3.4", "requests": "2.31.0"})
	f.Add(good)
	f.Add([]byte(prefsMagic + "00000000\n"))
	f.Add([]byte("pylock-prefs-v1 zzzzzzzz\na==1\n"))
	f.Add([]byte("a==1.0\nb==2\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if prefs, ok := decodePins(data); ok {
			pins := map[string]string{}
			for n, v := range prefs {
				pins[n] = v.String()
			}
			enc, ok := encodePins(pins)
			if !ok {
				t.Fatalf("decoded pins %v do not encode", pins)
			}
			if again, ok := decodePins(enc); !ok || !samePins(again, prefs) {
				t.Fatalf("round trip of %v: %v, %v", prefs, again, ok)
			}
		}
		// data as pins: one name==version per line.
		pins := map[string]string{}
		for line := range strings.SplitSeq(string(data), "\n") {
			if n, v, ok := strings.Cut(line, "=="); ok {
				if _, err := pep440.Parse(v); err == nil {
					pins[n] = v
				}
			}
		}
		if enc, ok := encodePins(pins); ok {
			dec, ok := decodePins(enc)
			if !ok || len(dec) != len(pins) {
				t.Fatalf("pins %q encode to %q, which decodes to %v, %v", pins, enc, dec, ok)
			}
			for n, v := range pins {
				if want := pep440.MustParse(v); dec[n].Compare(want) != 0 || dec[n].String() != want.String() {
					t.Fatalf("pin %s: %v, want %v", n, dec[n], want)
				}
			}
		}
	})
}
