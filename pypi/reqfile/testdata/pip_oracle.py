#!/usr/bin/env python3
"""Record what pip's own requirements-file parser makes of each case below.

Writes pip-oracle.json beside this script; reqfile's TestPipOracle checks that
Parse agrees. Needs pip >= 23 importable (run with the Python that has it):

    python3 pypi/reqfile/testdata/pip_oracle.py

Only cases where pylock means to match pip are listed: the deviations
documented in doc.go (errors where pip silently ignores something) are not.
"""
import json
import os
import sys
import tempfile

import pip
from pip._internal.index.collector import LinkCollector
from pip._internal.index.package_finder import PackageFinder
from pip._internal.models.search_scope import SearchScope
from pip._internal.models.selection_prefs import SelectionPreferences
from pip._internal.network.session import PipSession
from pip._internal.req.req_file import parse_requirements

H1 = "sha256:" + "0" * 63 + "1"
H2 = "sha256:" + "0" * 63 + "2"

CASES = [
    ("plain", {"r.txt": "requests\nnumpy>=1.26,<2\n"}, {}),
    ("comments", {"r.txt": "# c\n  # indented\nfoo # trailing\nbar\t# tab\nx@https://h/x.whl#sha256=00\n"}, {}),
    ("continuation", {"r.txt": "foo>=1,\\\n<2\nbar \\\n  ; python_version < '3'\n"}, {}),
    ("continuation-comment", {"r.txt": "a \\\n# comment ends it\nb\n# comment \\\nc\n"}, {}),
    ("continuation-eof", {"r.txt": "a \\"}, {}),
    ("backslashes", {"r.txt": "\\a\\\nb\n"}, {}),
    ("line-ends", {"r.txt": "a\r\nb\rc\fd\x85e\u2028f\x0bg\x1ch\n"}, {}),
    ("hash-lines", {"r.txt": f"foo==1.0 \\\n    --hash={H1} \\\n    --hash {H2}\nbar==2 --hash={H1}\n"}, {}),
    ("env", {"r.txt": "foo==${V}\n-i https://u:${TOKEN}@${HOST}/simple\n--extra-index-url https://${MISSING}/x\n--extra-index-url https://${EMPTY}/y\n--extra-index-url https://${host}/z\n"},
     {"V": "2.0", "TOKEN": "s3cret", "HOST": "h.example", "EMPTY": ""}),
    ("index", {"r.txt": "--extra-index-url https://a/simple\n--index-url=https://main/simple\n--extra-index-url=https://b/simple\n--extra-index https://c/simple\n"}, {}),
    ("pypi-url", {"r.txt": "--pypi-url https://alias/simple\n-ihttps://short/simple\n"}, {}),
    ("no-index", {"r.txt": "-i https://a\n--no-index\n-i https://c\n--extra-index-url https://d\n"}, {}),
    ("flags", {"r.txt": "--pre\n--prefer-binary\n--require-hashes\n--trusted-host h\n--trusted-host=g\n"}, {}),
    ("find-links", {"r.txt": "-f https://h/links\n--find-links=https://h/2\n-fhttps://h/3\n"}, {}),
    ("binary-1", {"r.txt": "--only-binary :all:\n--no-binary Foo_Bar,numpy\n"}, {}),
    ("binary-2", {"r.txt": "--no-binary numpy\n--only-binary numpy\n"}, {}),
    ("binary-3", {"r.txt": "--no-binary a,b\n--no-binary :none:\n"}, {}),
    ("binary-4", {"r.txt": "--only-binary a\n--no-binary :all:\n"}, {}),
    ("binary-5", {"r.txt": "--no-binary :all:,:none:,x\n"}, {}),
    ("shlex", {"r.txt": "--index-url \"https://h/a b\"\n--extra-index-url 'https://h/c d'\n--trusted-host h\\ x\n--trusted-host \"q\\\"uote\"\n"}, {}),
    ("editable", {"r.txt": "-e ./pkg\n--editable=.[dev]\n-e git+https://h/o/r.git#egg=r\n"}, {}),
    ("urls", {"r.txt": "name @ https://h/name-1.0.tar.gz\nhttps://h/p/Foo_Bar-1.0-py3-none-any.whl\ngit+https://github.com/o/r.git@v1#egg=r\n"}, {}),
    ("includes", {
        "proj/requirements.txt": "-r base/base.txt\n--constraint ../constraints.txt\napp==1\n",
        "proj/base/base.txt": "# base\nlib>=1\n-r more.txt\n",
        "proj/base/more.txt": "more==2\n--pre\n",
        "constraints.txt": "lib<2\n-r reqs-from-constraints.txt\n-c proj/base/cons2.txt\n",
        "reqs-from-constraints.txt": "extra-req\n",
        "proj/base/cons2.txt": "more<3\n",
    }, {}),
    ("bom", {"r.txt": "\ufeffa\nb\n"}, {}),
    ("err-unknown", {"r.txt": "--frobnicate\n"}, {}),
    ("err-short", {"r.txt": "--pre -x\n"}, {}),
    ("err-ambiguous", {"r.txt": "--p\n"}, {}),
    ("err-needs-value", {"r.txt": "--index-url\n"}, {}),
    ("err-takes-no-value", {"r.txt": "--pre=yes\n"}, {}),
    ("err-quote", {"r.txt": "--index-url 'https://x\n"}, {}),
    ("err-hash-algo", {"r.txt": "foo --hash=md5:00\n"}, {}),
    ("err-hash-form", {"r.txt": "foo --hash=sha256\n"}, {}),
    ("err-binary-dash", {"r.txt": "--no-binary=-x\n"}, {}),
    ("err-missing-include", {"r.txt": "-r missing.txt\n"}, {}),
]


def run(files, env):
    with tempfile.TemporaryDirectory() as d:
        for name, text in files.items():
            p = os.path.join(d, name)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "w", encoding="utf-8", newline="") as f:
                f.write(text)
        top = next(iter(files))
        old = dict(os.environ)
        os.environ.update(env)
        cwd = os.getcwd()
        os.chdir(d)
        try:
            session = PipSession()
            finder = PackageFinder.create(
                link_collector=LinkCollector(session, SearchScope.create([], [], False)),
                selection_prefs=SelectionPreferences(allow_yanked=True),
            )
            finder.search_scope.index_urls = []
            reqs = []
            for r in parse_requirements(top, session, finder=finder):
                line = int(r.comes_from.rsplit("(line ", 1)[1].rstrip(")"))
                source = r.comes_from.split(" ", 1)[1].rsplit(" (line", 1)[0]
                hashes = []
                for algo, digests in ((r.options or {}).get("hashes") or {}).items():
                    hashes += [f"{algo}:{x}" for x in digests]
                reqs.append({
                    "raw": r.requirement.strip(), "file": source, "line": line,
                    "editable": r.is_editable, "constraint": r.constraint, "hashes": hashes,
                })
            fc = finder.format_control
            ss = finder.search_scope
            return {
                "requirements": reqs,
                "index_urls": ss.index_urls,
                "no_index": ss.no_index,
                "find_links": ss.find_links,
                "pre": finder.allow_all_prereleases,
                "prefer_binary": finder._candidate_prefs.prefer_binary,
                "trusted_hosts": [h for h, _ in session.pip_trusted_origins if h not in ("localhost", "127.0.0.1", "::1")] if hasattr(session, "pip_trusted_origins") else [],
                "no_binary": sorted(fc.no_binary),
                "only_binary": sorted(fc.only_binary),
            }
        except Exception as e:  # noqa: BLE001 - any failure is "pip rejects it"
            return {"error": f"{type(e).__name__}: {e}"}
        finally:
            os.chdir(cwd)
            os.environ.clear()
            os.environ.update(old)


def main():
    out = {
        "generator": "pypi/reqfile/testdata/pip_oracle.py",
        "oracle": f"pip {pip.__version__}",
        "cases": [],
    }
    for name, files, env in CASES:
        out["cases"].append({"name": name, "top": next(iter(files)), "files": files, "env": env, "want": run(files, env)})
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pip-oracle.json")
    with open(path, "w", encoding="ascii") as f:
        json.dump(out, f, indent=1, ensure_ascii=True)
        f.write("\n")
    print(f"wrote {len(out['cases'])} cases to {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
