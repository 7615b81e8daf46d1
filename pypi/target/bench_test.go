package target

import (
	"testing"

	"github.com/pylock/pylock/pypi/wheel"
)

func BenchmarkTagsManylinux(b *testing.B) {
	tg := mustNew(b, "3.12", "x86_64-manylinux_2_28")
	b.ReportAllocs()
	for b.Loop() {
		if len(tg.Tags()) != 771 {
			b.Fatal("tags")
		}
	}
}

func BenchmarkRank(b *testing.B) {
	tg := mustNew(b, "3.12", "x86_64-manylinux_2_28")
	w, err := wheel.ParseFilename("numpy-1.26.4-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("Target.Rank", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, ok := tg.Rank(w); !ok {
				b.Fatal("rank")
			}
		}
	})
	b.Run("Supported.Rank", func(b *testing.B) {
		s := tg.Supported()
		b.ReportAllocs()
		for b.Loop() {
			if _, ok := s.Rank(w); !ok {
				b.Fatal("rank")
			}
		}
	})
}
