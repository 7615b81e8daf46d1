package pep508

import "testing"

var benchRequirements = []string{
	"requests",
	"requests[security,socks]>=2.8.1,<3; python_version >= '3.8' and sys_platform != 'win32'",
	"botocore (<2.0.0,>=1.5.40)",
	"name @ https://example.com/name-1.0-py3-none-any.whl ; extra == 'test'",
}

func BenchmarkParseRequirement(b *testing.B) {
	for _, in := range benchRequirements {
		b.Run(in[:min(len(in), 24)], func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := ParseRequirement(in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

const benchMarker = `python_version >= "3.8" and (sys_platform == "linux" or platform_machine in "x86_64 AMD64") and extra == "test"`

func BenchmarkParseMarker(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := ParseMarker(benchMarker); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEvaluateMarker(b *testing.B) {
	for name, in := range map[string]string{
		"string":  `sys_platform == "linux" and platform_machine == "x86_64"`,
		"version": `python_full_version >= "3.8.1"`,
		"mixed":   benchMarker,
	} {
		m := MustParseMarker(in)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := m.Evaluate(fuzzEnv); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkMarkerString(b *testing.B) {
	m := MustParseMarker(benchMarker)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_ = m.String()
	}
}

func BenchmarkAlgebra(b *testing.B) {
	x := MustParseMarker(`python_version >= "3.9" and sys_platform == "linux"`)
	y := MustParseMarker(`python_version < "3.9" or sys_platform == "win32"`)
	b.Run("And", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			_ = And(x, y)
		}
	})
	b.Run("Not", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			_ = Not(x)
		}
	})
	b.Run("Disjoint", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			_ = Disjoint(x, y)
		}
	})
}
