package index

import (
	"net/url"
	"reflect"
	"testing"
)

var htmlSeeds = []string{
	`<!DOCTYPE html><html><head><base href="https://files.example/base/"></head><body>
<!-- <a href="commented.whl">x</a> -->
<a href="../pkgs/foo-1.0-py3-none-any.whl#sha256=ABCDEF" data-requires-python="&gt;=3.8" data-core-metadata="sha256=1234">foo</a>
<A HREF='foo-1.1.tar.gz#md5=00' data-yanked data-dist-info-metadata="true">foo</A>
<a href="foo%2B1.2.zip" data-requires-python=">=3.9,<4" data-yanked="bad &amp; old">x</a>
<a name="anchor-without-href">x</a>
<a href="bar-1.0.tar.gz#sha256=../../../etc/passwd" data-core-metadata="sha256=zz">x</a>
</body></html>`,
	`<a href=x.whl>`, `<A HREF='y.tar.gz'>`, `<a href="x" href="y">`, `<base href="../b/"><a href=c.zip>`,
	`<!-- unterminated <a href=q.whl>`, `<a href="unterminated>`, `<abbr href=x>`, "<a\thref=x\x0bz>",
	`<a/href=x/y.whl>`, `<a href = "x" data-yanked data-requires-python=&gt;3>`, "<ba\u017fe href=https://o/><a href=x>",
	`<<!-- c -->a href=x>`, `<a href="x#sha256=AB%41">`, `<a href="https://h/x.whl#md5=00">`, `<a href="x" data-core-metadata="false">`,
	`<a href="x" data-dist-info-metadata="sha256=aa" data-core-metadata>`, "<a data-yan\u212aed href=x>", `<a href="#sha256=aa">`,
	`<a href="?q=1">`, `<a href="//other/x.whl">`, `<a href="file:///etc/x.whl">`, `<a href="http://[::1">`, `<a href=x a='b"c'>`,
	`<a x"a='y" href=z>`, `<a href="x"data-yanked='r'>`, `<a href=x=y>`, `<a href==x>`, `<a href=` + "`x`>", `<a href>`, `<a`, `<a >`,
	`<html>no links</html>`, `junk`, `<a href="a.whl"><a href="b.whl"`, `<a href=x.whl data-requires-python="&gt;=3" data-requires-python="<2">`,
	`<a href="x.whl#SHA256=AA&amp;">`, `<a href="../../files/x-1.0%2Bcpu-py3-none-any.whl#sha256=00">`, `<a href="%zz">`, "<a href=\"x\x7f.whl\">",
	`<!---->`, `<!--->-->`, `<a href="a"><!--`, `<a href='.hidden'>`, `<a href="sub/../x.whl">`,
}

// TestParseHTMLPageMatchesRegexp checks the scanner against the regular
// expressions on the seeds (the fuzz target explores further).
func TestParseHTMLPageMatchesRegexp(t *testing.T) {
	for _, s := range htmlSeeds {
		checkHTMLAgrees(t, []byte(s))
	}
	checkHTMLAgrees(t, bigHTMLPage(64<<10, false))
	checkHTMLAgrees(t, bigHTMLPage(64<<10, true))
}

// TestHTMLScannerFallsBackOnlyOnUnendedTags: the fast scanner reads the
// seeds itself except those with a tag that does not end or "<baſe".
func TestHTMLScannerFallsBackOnlyOnUnendedTags(t *testing.T) {
	base, _ := url.Parse("https://pypi.org/simple/x/")
	fallback := map[string]bool{`<a href="unterminated>`: true, "<ba\u017fe href=https://o/><a href=x>": true, `<a`: true,
		`<a href="a.whl"><a href="b.whl"`: true}
	for _, s := range append(htmlSeeds, string(bigHTMLPage(64<<10, true))) {
		sc := htmlScanner{s: s, base: base, noCommentEnd: len(s) + 1}
		if _, ok := sc.scan(); ok == fallback[s] {
			t.Errorf("%.60q: scan ok = %v", s, ok)
		}
	}
}

func FuzzParseHTMLPage(f *testing.F) {
	for _, s := range htmlSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) { checkHTMLAgrees(t, body) })
}

func checkHTMLAgrees(t *testing.T, body []byte) {
	t.Helper()
	base, _ := url.Parse("https://pypi.org/simple/x/")
	want, werr := parseHTMLPageRegexp(body, base)
	got, gerr := parseHTMLPage(body, base)
	if (werr == nil) != (gerr == nil) {
		t.Fatalf("%q: regexp error %v, scanner error %v", body, werr, gerr)
	}
	if !reflect.DeepEqual(want, got) {
		t.Fatalf("%q:\nregexp  %+v\nscanner %+v", body, want, got)
	}
	want, _ = parseHTMLPageRegexp(body, base)
	got, _ = parseRemotePage(body, "text/html", base)
	if !reflect.DeepEqual(refRemote(want), got) {
		t.Fatalf("%q (remote):\nregexp          %+v\nparseRemotePage %+v", body, want, got)
	}
}
