package memprovider

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/pylock/pylock/internal/corpus"
	"github.com/pylock/pylock/pypi/pep440"
	"github.com/pylock/pylock/pypi/target"
	"github.com/pylock/pylock/resolver"
)

func testIndex() *corpus.Index {
	return &corpus.Index{Projects: map[string]*corpus.Project{
		"a": {Name: "a", Releases: []*corpus.Release{
			{Version: "2.0", Wheel: true, WheelTags: []string{"cp311-cp311-win_amd64", "cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64"},
				Requires: []string{"b>=1", `c ; sys_platform == "win32"`, `d ; extra == "x"`}, RequiresPython: ">=3.8", Yanked: true},
			{Version: "1.0", Sdist: true, UploadTime: time.Date(2023, 1, 2, 0, 0, 0, 0, time.UTC)},
			{Version: "not a version", Wheel: true, WheelTags: []string{"py3-none-any"}},
			{Version: "3.0", Wheel: true, WheelTags: []string{"py3-none-any"}, Requires: []string{"b >= >= 1"}},
		}},
	}}
}

func TestCandidates(t *testing.T) {
	tg, err := target.New("3.11", "x86_64-unknown-linux-gnu")
	if err != nil {
		t.Fatal(err)
	}
	p := New(testIndex(), tg, Options{})
	cs, err := p.Candidates(context.Background(), "A")
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 3 || cs[0].Version.String() != "1.0" || cs[1].Version.String() != "2.0" {
		t.Fatalf("candidates %+v", cs)
	}
	one, two := cs[0], cs[1]
	if len(one.Dists) != 1 || one.Dists[0].Wheel || one.Dists[0].Filename != "a-1.0.tar.gz" || !one.Dists[0].UploadTime.Equal(time.Date(2023, 1, 2, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("1.0 dists %+v", one.Dists)
	}
	if len(two.Dists) != 2 || two.Dists[0].Compatible || !two.Dists[1].Compatible || !two.Dists[1].Yanked || two.Dists[1].RequiresPython != ">=3.8" {
		t.Errorf("2.0 dists %+v", two.Dists)
	}
	if !two.Dists[0].UploadTime.Equal(corpus.BaseUploadTime.AddDate(0, 0, 1)) || !two.Dists[1].UploadTime.Equal(corpus.BaseUploadTime.AddDate(0, 0, 1).Add(time.Minute)) {
		t.Errorf("derived upload times %v %v", two.Dists[0].UploadTime, two.Dists[1].UploadTime)
	}
	if _, err := p.Candidates(context.Background(), "nosuch"); !errors.Is(err, resolver.ErrProjectNotFound) {
		t.Errorf("nosuch: %v", err)
	}
}

func TestMetadata(t *testing.T) {
	tg, _ := target.New("3.11", "x86_64-unknown-linux-gnu")
	for _, drop := range []bool{false, true} {
		p := New(testIndex(), tg, Options{DropMarkers: drop})
		md, err := p.Metadata(context.Background(), "a", pep440.MustParse("2.0"))
		if err != nil {
			t.Fatal(err)
		}
		want := 3
		if drop {
			want = 2 // the sys_platform requirement is dropped, the extra one kept
		}
		if len(md.RequiresDist) != want || md.RequiresPython != ">=3.8" {
			t.Errorf("drop=%v: %+v", drop, md)
		}
		if _, err := p.Metadata(context.Background(), "a", pep440.MustParse("3.0")); !errors.Is(err, resolver.ErrInvalidMetadata) {
			t.Errorf("3.0: %v, want ErrInvalidMetadata", err)
		}
	}
}
