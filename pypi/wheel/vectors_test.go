package wheel

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/pylock/pylock/internal/testenv"
)

// WheelVectors is the shape of ../shared/vectors/wheels.json.
type WheelVectors struct {
	Cases []struct {
		Filename     string   `json:"filename"`
		Valid        bool     `json:"valid"`
		Name         string   `json:"name"`
		Version      string   `json:"version"`
		Build        []any    `json:"build"` // [] or [json.Number, string]
		Tags         []string `json:"tags"`
		ValidOrdered bool     `json:"valid_ordered"`
	} `json:"cases"`
	Compat []CompatVector `json:"compat"`
}

// CompatVector is one target of wheels.json's compat section.
type CompatVector struct {
	Name          string   `json:"name"`
	Description   string   `json:"description"`
	PythonVersion []int    `json:"python_version"`
	Interpreter   string   `json:"interpreter"`
	ABIs          []string `json:"abis"`
	Platforms     []string `json:"platforms"`
	Count         int      `json:"supported_tags_count"`
	First40       []string `json:"supported_tags_first_40"`
	SupportedTags []string `json:"supported_tags"`
	Wheels        []struct {
		Filename   string  `json:"filename"`
		Compatible bool    `json:"compatible"`
		Rank       *int    `json:"rank"`
		BestTag    *string `json:"best_tag"`
	} `json:"wheels"`
	SelectorOrder []string `json:"selector_order"`
}

func loadWheelVectors(t testing.TB) *WheelVectors {
	t.Helper()
	f, err := os.Open(filepath.Join(testenv.VectorsDir(t), "wheels.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var doc WheelVectors
	dec := json.NewDecoder(f)
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	return &doc
}

// tally counts conformance checks and prints the summary line CI greps for.
type tally struct{ pass, fail int }

func (c *tally) check(t *testing.T, ok bool, format string, args ...any) {
	t.Helper()
	if ok {
		c.pass++
		return
	}
	c.fail++
	t.Errorf(format, args...)
}

// PlatformsFor rebuilds a compat entry's platform list from its first
// entries, with this package's generators: linux_<arch> + manylinux for the
// first manylinux_X_Y seen + musllinux for the first musllinux_X_Y seen;
// mac_platforms for the first macosx_X_Y_<arch>; otherwise the list itself.
func PlatformsFor(plats []string) []string {
	if len(plats) == 0 {
		return nil
	}
	first := plats[0]
	switch {
	case strings.HasPrefix(first, "macosx_"):
		p := strings.SplitN(first, "_", 4)
		maj, _ := strconv.Atoi(p[1])
		min, _ := strconv.Atoi(p[2])
		return MacPlatforms(maj, min, p[3])
	case strings.HasPrefix(first, "linux_"):
		arch := strings.TrimPrefix(first, "linux_")
		var glibc, musl *[2]int
		for _, pl := range plats {
			for _, kind := range []string{"manylinux_", "musllinux_"} {
				if !strings.HasPrefix(pl, kind) {
					continue
				}
				p := strings.SplitN(pl, "_", 4)
				maj, _ := strconv.Atoi(p[1])
				min, _ := strconv.Atoi(p[2])
				v := &[2]int{maj, min}
				if kind == "manylinux_" && glibc == nil {
					glibc = v
				}
				if kind == "musllinux_" && musl == nil {
					musl = v
				}
			}
		}
		return LinuxPlatforms(arch, glibc, musl)
	}
	return plats
}

func tagStrings(tags []Tag) []string {
	out := make([]string, len(tags))
	for i, t := range tags {
		out[i] = t.String()
	}
	return out
}

func TestWheelVectors(t *testing.T) {
	doc := loadWheelVectors(t)
	var c tally
	for _, tc := range doc.Cases {
		f, err := ParseFilename(tc.Filename)
		if !tc.Valid {
			c.check(t, err != nil, "ParseFilename(%q) = %+v, want error", tc.Filename, f)
			continue
		}
		if err != nil {
			c.check(t, false, "ParseFilename(%q): %v", tc.Filename, err)
			continue
		}
		build := ""
		if len(tc.Build) == 2 {
			build = fmt.Sprintf("%v/%q", tc.Build[0], tc.Build[1])
		}
		gotBuild := ""
		if f.BuildNumber >= 0 {
			gotBuild = fmt.Sprintf("%d/%q", f.BuildNumber, f.BuildSuffix)
		}
		_, strictErr := ParseFilenameStrict(tc.Filename)
		ok := f.Name == tc.Name && f.Version.String() == tc.Version && gotBuild == build &&
			reflect.DeepEqual(tagStrings(f.Tags), tc.Tags) && (strictErr == nil) == tc.ValidOrdered
		c.check(t, ok, "ParseFilename(%q) = name %q version %q build %s tags %v strict-ok %v; want %q %q %s %v %v",
			tc.Filename, f.Name, f.Version, gotBuild, tagStrings(f.Tags), strictErr == nil,
			tc.Name, tc.Version, build, tc.Tags, tc.ValidOrdered)
	}
	for _, cv := range doc.Compat {
		checkCompat(t, &c, cv)
	}
	fmt.Printf("vectors wheels.json: %d passed, %d failed\n", c.pass, c.fail)
}

func checkCompat(t *testing.T, c *tally, cv CompatVector) {
	maj, min := cv.PythonVersion[0], cv.PythonVersion[1]
	plats := PlatformsFor(cv.Platforms)
	c.check(t, reflect.DeepEqual(plats, cv.Platforms), "%s: platforms\n got %v\nwant %v", cv.Name, plats, cv.Platforms)

	s := new(Supported).AddCPython(maj, min, cv.ABIs, cv.Platforms).AddCompatible(maj, min, cv.Interpreter, cv.Platforms)
	got := tagStrings(s.Tags())
	c.check(t, reflect.DeepEqual(got, cv.SupportedTags) && s.Len() == cv.Count && reflect.DeepEqual(got[:min2(40, len(got))], cv.First40),
		"%s: supported tags differ (got %d, want %d)%s", cv.Name, len(got), cv.Count, firstDiff(got, cv.SupportedTags))
	for i, tag := range cv.SupportedTags {
		tg := mustTag(tag)
		if j, ok := s.Index(tg); !ok || j != i {
			c.check(t, false, "%s: Index(%s) = %d, %v; want %d", cv.Name, tag, j, ok, i)
			break
		}
	}

	files := make([]Filename, len(cv.Wheels))
	for i, w := range cv.Wheels {
		f, err := ParseFilename(w.Filename)
		if err != nil {
			c.check(t, false, "%s: ParseFilename(%q): %v", cv.Name, w.Filename, err)
			continue
		}
		files[i] = f
		best, rank, ok := s.Best(f)
		want := ok == w.Compatible
		if w.Rank != nil {
			want = want && rank == *w.Rank
		}
		if w.BestTag != nil {
			want = want && best.String() == *w.BestTag
		}
		c.check(t, want, "%s: %s: compatible %v rank %d best %s; want %v %v %v",
			cv.Name, w.Filename, ok, rank, best, w.Compatible, deref(w.Rank), derefS(w.BestTag))
	}
	var order []string
	for _, i := range s.Order(files) {
		order = append(order, cv.Wheels[i].Filename)
	}
	c.check(t, reflect.DeepEqual(order, cv.SelectorOrder), "%s: selector order\n got %v\nwant %v", cv.Name, order, cv.SelectorOrder)
}

func mustTag(s string) Tag {
	p := strings.SplitN(s, "-", 3)
	return Tag{p[0], p[1], p[2]}
}

func min2(a, b int) int {
	if a < b {
		return a
	}
	return b
}

func firstDiff(got, want []string) string {
	for i := 0; i < len(got) && i < len(want); i++ {
		if got[i] != want[i] {
			return fmt.Sprintf("; first difference at %d: got %s, want %s", i, got[i], want[i])
		}
	}
	return ""
}

func deref(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

func derefS(p *string) any {
	if p == nil {
		return nil
	}
	return *p
}
