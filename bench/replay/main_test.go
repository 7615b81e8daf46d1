package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
)

func TestParsePlan(t *testing.T) {
	tests := []struct {
		name, in string
		want     [][]string
		err      string
	}{
		{"rounds", "/a\n/b\n\n/c\n", [][]string{{"/a", "/b"}, {"/c"}}, ""},
		{"comments do not end a round", "# head\n/a\n# mid\n/b # tail\n\n\n/c", [][]string{{"/a", "/b"}, {"/c"}}, ""},
		{"blank lines with spaces end a round", "/a\n   \n/b\n", [][]string{{"/a"}, {"/b"}}, ""},
		{"not a path", "/a\nsimple/b\n", nil, `line 2: "simple/b" is not a request path`},
		{"two paths on a line", "/a /b\n", nil, `line 1: "/a /b" is not a request path`},
		{"empty", "# nothing\n\n", nil, "the plan has no requests"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parsePlan(strings.NewReader(tt.in))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("parsePlan error = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("parsePlan = %q, want %q", got, tt.want)
			}
		})
	}
}

func FuzzParsePlan(f *testing.F) {
	f.Add("/a\n/b\n\n/c\n")
	f.Add("# x\n/a # y\n \n\n/b")
	f.Fuzz(func(t *testing.T, in string) {
		rounds, err := parsePlan(strings.NewReader(in))
		if err != nil {
			return
		}
		for _, r := range rounds {
			if len(r) == 0 {
				t.Fatalf("empty round in %q", rounds)
			}
			for _, p := range r {
				if !strings.HasPrefix(p, "/") || strings.ContainsAny(p, " \t#") {
					t.Fatalf("bad path %q", p)
				}
			}
		}
	})
}

// TestReplayRounds checks that a round starts only once every answer of
// the previous one is in, and that /simple/ paths ask for PEP 691 JSON.
func TestReplayRounds(t *testing.T) {
	var mu sync.Mutex
	var log []string
	fastServed := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/slow":
			<-fastServed // answered after /fast: the last answer of round 1
		case "/missing":
			http.NotFound(w, r)
		}
		mu.Lock()
		log = append(log, r.URL.Path+" "+r.Header.Get("Accept"))
		mu.Unlock()
		if r.URL.Path == "/fast" {
			close(fastServed)
		}
	}))
	defer srv.Close()
	if err := replay(context.Background(), srv.URL, [][]string{{"/slow", "/fast"}, {"/simple/x/"}}); err != nil {
		t.Fatal(err)
	}
	want := []string{"/fast ", "/slow ", "/simple/x/ application/vnd.pypi.simple.v1+json"}
	if !reflect.DeepEqual(log, want) {
		t.Fatalf("requests = %q, want %q (round 2 before round 1 ended?)", log, want)
	}
	if err := replay(context.Background(), srv.URL, [][]string{{"/missing"}}); err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("replay of a missing path: %v, want a 404 error", err)
	}
}

// TestBundledPlans: the bundled cheroot plans parse into their six rounds,
// and pylock's own (cheroot-pylock.plan) sends every request of the needed
// one (cheroot.plan) no later than that plan's round for it: the replays
// compare the same work, plus the rejected versions.
func TestBundledPlans(t *testing.T) {
	read := func(name string) [][]string {
		t.Helper()
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rounds, err := parsePlan(f)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(rounds) != 6 {
			t.Fatalf("%s: %d rounds, want 6 (cheroot's dependency depth x 2)", name, len(rounds))
		}
		return rounds
	}
	need, sent := read("cheroot.plan"), read("cheroot-pylock.plan")
	round := map[string]int{}
	n := 0
	for i, r := range sent {
		for _, p := range r {
			if _, dup := round[p]; dup {
				t.Errorf("cheroot-pylock.plan: %s twice", p)
			}
			round[p] = i
			n++
		}
	}
	if n != 41 {
		t.Errorf("cheroot-pylock.plan: %d requests, want pylock's 41", n)
	}
	for i, r := range need {
		for _, p := range r {
			if j, ok := round[p]; !ok || j > i {
				t.Errorf("cheroot.plan round %d: %s is not in cheroot-pylock.plan's rounds 1-%d", i+1, p, i+1)
			}
		}
	}
}
