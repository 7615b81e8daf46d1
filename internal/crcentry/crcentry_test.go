package crcentry

import (
	"bytes"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	for _, body := range []string{"", "x", "a==1\nb==2\n", "{\"k\": 1}\n\n"} {
		got, ok := Decode("m-v1 ", Encode("m-v1 ", []byte(body)))
		if !ok || string(got) != body {
			t.Errorf("round trip of %q: %q, %v", body, got, ok)
		}
	}
}

func TestDecodeRefuses(t *testing.T) {
	good := Encode("m-v1 ", []byte("a==1\n"))
	for name, data := range map[string][]byte{
		"empty":          nil,
		"no line break":  []byte("m-v1 00000000"),
		"other magic":    Encode("m-v2 ", []byte("a==1\n")),
		"short checksum": []byte("m-v1 0000000\n"),
		"not hex":        []byte("m-v1 zzzzzzzz\n"),
		"torn":           good[:len(good)-2],
		"changed":        bytes.Replace(good, []byte("a==1"), []byte("a==2"), 1),
	} {
		if body, ok := Decode("m-v1 ", data); ok {
			t.Errorf("%s: accepted, body %q", name, body)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(Encode("m-v1 ", []byte("a==1\n")))
	f.Add([]byte("m-v1 00000000\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		body, ok := Decode("m-v1 ", data)
		if !ok {
			return
		}
		if !bytes.Equal(Encode("m-v1 ", body), data) && !bytes.EqualFold(Encode("m-v1 ", body), data) {
			t.Fatalf("accepted %q, which Encode does not write back", data)
		}
	})
}
