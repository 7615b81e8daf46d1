package wheel

import "testing"

func BenchmarkParseFilename(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseFilename("numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"); err != nil {
			b.Fatal(err)
		}
	}
}

func manylinuxSupported() *Supported {
	plats := LinuxPlatforms("x86_64", &[2]int{2, 28}, nil)
	return new(Supported).AddCPython(3, 11, []string{"cp311"}, plats).AddCompatible(3, 11, "cp311", plats)
}

func BenchmarkSupportedBuild(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		manylinuxSupported()
	}
}

func BenchmarkSupportedRank(b *testing.B) {
	s := manylinuxSupported()
	for _, name := range []string{
		"numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
		"six-1.16.0-py2.py3-none-any.whl",
		"numpy-1.26.4-cp312-cp312-win_amd64.whl",
	} {
		w, err := ParseFilename(name)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name[:12], func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				s.Rank(w)
			}
		})
	}
}

func BenchmarkParseFilenameCommon(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		for _, f := range []string{"botocore-1.14.15-py2.py3-none-any.whl", "six-1.14.0-py3-none-any.whl"} {
			if _, err := ParseFilename(f); err != nil {
				b.Fatal(err)
			}
		}
	}
}
