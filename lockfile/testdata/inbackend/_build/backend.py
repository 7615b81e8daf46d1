"""A PEP 517/660 build backend for tests: no dependencies, stdlib only.

It builds a pure wheel (or an editable wheel holding a .pth file) from the
static [project] table of pyproject.toml and the packages under src/.
"""
import base64
import hashlib
import os
import tomllib
import zipfile


def _project():
    with open("pyproject.toml", "rb") as f:
        return tomllib.load(f)["project"]


def _metadata(p):
    lines = ["Metadata-Version: 2.1", "Name: " + p["name"], "Version: " + p["version"]]
    if "requires-python" in p:
        lines.append("Requires-Python: " + p["requires-python"])
    for d in p.get("dependencies", []):
        lines.append("Requires-Dist: " + d)
    for extra, deps in sorted(p.get("optional-dependencies", {}).items()):
        lines.append("Provides-Extra: " + extra)
        for d in deps:
            lines.append("Requires-Dist: %s ; extra == %r" % (d, extra))
    return "\n".join(lines) + "\n"


def _dist(p):
    return p["name"].replace("-", "_").replace(".", "_")


def _wheel(directory, editable):
    p = _project()
    dist, version = _dist(p), p["version"]
    info = "%s-%s.dist-info" % (dist, version)
    files = {}
    if editable:
        files["__editable__.%s.pth" % dist] = os.path.abspath("src") + "\n"
    else:
        for root, _, names in os.walk("src"):
            for n in sorted(names):
                if n.endswith(".pyc"):
                    continue
                full = os.path.join(root, n)
                with open(full, "rb") as f:
                    files[os.path.relpath(full, "src").replace(os.sep, "/")] = f.read()
    files[info + "/METADATA"] = _metadata(p)
    files[info + "/WHEEL"] = "Wheel-Version: 1.0\nGenerator: pylock-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    name = "%s-%s-py3-none-any.whl" % (dist, version)
    record = []
    with zipfile.ZipFile(os.path.join(directory, name), "w") as z:
        for path, data in files.items():
            if isinstance(data, str):
                data = data.encode()
            z.writestr(path, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.append("%s,sha256=%s,%d" % (path, digest, len(data)))
        record.append(info + "/RECORD,,")
        z.writestr(info + "/RECORD", "\n".join(record) + "\n")
    return name


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    p = _project()
    info = "%s-%s.dist-info" % (_dist(p), p["version"])
    os.makedirs(os.path.join(metadata_directory, info), exist_ok=True)
    with open(os.path.join(metadata_directory, info, "METADATA"), "w") as f:
        f.write(_metadata(p))
    return info


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    return _wheel(wheel_directory, False)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    return _wheel(wheel_directory, True)
