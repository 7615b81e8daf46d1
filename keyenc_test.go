package pylock

import (
	"bytes"
	"testing"
	"time"
)

type keyInner struct {
	Names []string
	Log   func(string) `json:"-"`
}

type keyOuter struct {
	S      string
	N      int
	B      bool
	D      time.Duration
	T      time.Time
	P      *int
	M      map[string]int
	In     keyInner
	hidden string
	Skip   func() `json:"-"`
}

func keyString(t *testing.T, v any) string {
	t.Helper()
	var b bytes.Buffer
	if err := writeKeyValue(&b, v); err != nil {
		t.Fatalf("writeKeyValue(%#v): %v", v, err)
	}
	return b.String()
}

func TestWriteKeyValueDistinguishesValues(t *testing.T) {
	one := 1
	base := keyOuter{S: "a", N: 1, M: map[string]int{"x": 1, "y": 2}, In: keyInner{Names: []string{"p"}}}
	variants := map[string]func(*keyOuter){
		"string":              func(k *keyOuter) { k.S = "b" },
		"string with a comma": func(k *keyOuter) { k.In.Names = []string{"p,q"} },
		"two strings":         func(k *keyOuter) { k.In.Names = []string{"p", "q"} },
		"empty slice":         func(k *keyOuter) { k.In.Names = []string{} },
		"nil slice":           func(k *keyOuter) { k.In.Names = nil },
		"int":                 func(k *keyOuter) { k.N = 2 },
		"bool":                func(k *keyOuter) { k.B = true },
		"duration":            func(k *keyOuter) { k.D = time.Second },
		"time":                func(k *keyOuter) { k.T = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC) },
		"pointer":             func(k *keyOuter) { k.P = &one },
		"map value":           func(k *keyOuter) { k.M["y"] = 3 },
		"map key":             func(k *keyOuter) { k.M = map[string]int{"x": 1, "z": 2} },
	}
	seen := map[string]string{keyString(t, base): "base"}
	for name, change := range variants {
		k := base
		k.M = map[string]int{"x": 1, "y": 2}
		k.In.Names = []string{"p"}
		change(&k)
		s := keyString(t, k)
		if prev, ok := seen[s]; ok {
			t.Errorf("%s writes the same key as %s: %s", name, prev, s)
		}
		seen[s] = name
	}
}

func TestWriteKeyValueIgnoresWhatIsNotAValue(t *testing.T) {
	a := keyOuter{S: "a", M: map[string]int{"x": 1, "y": 2, "z": 3}, hidden: "one", Skip: func() {}, In: keyInner{Log: func(string) {}}}
	b := keyOuter{S: "a", M: map[string]int{"z": 3, "y": 2, "x": 1}, hidden: "two"}
	if ka, kb := keyString(t, a), keyString(t, b); ka != kb {
		t.Errorf("callbacks, unexported fields or map order changed the key:\n%s\n%s", ka, kb)
	}
	at := time.Date(2024, 5, 6, 7, 8, 9, 10, time.UTC)
	inZone := at.In(time.FixedZone("X", 3*3600))
	if ka, kb := keyString(t, keyOuter{T: at}), keyString(t, keyOuter{T: inZone}); ka != kb {
		t.Errorf("one instant in two zones keys differently:\n%s\n%s", ka, kb)
	}
}

func TestWriteKeyValueRefusesFunctions(t *testing.T) {
	type withFunc struct{ F func() }
	var b bytes.Buffer
	if err := writeKeyValue(&b, withFunc{F: func() {}}); err == nil {
		t.Errorf("a struct with an untagged function field was keyed: %s", b.String())
	}
	if err := writeKeyValue(&b, struct{ C chan int }{}); err == nil {
		t.Error("a channel was keyed")
	}
}
