"""A backend without prepare_metadata_for_build_wheel: the builder must
fall back to build_wheel and read METADATA from the wheel."""
import os
import zipfile


class _Backend:
    def build_wheel(self, wheel_directory, config_settings=None, metadata_directory=None):
        name = "wheelonly-1.2-py3-none-any.whl"
        with zipfile.ZipFile(os.path.join(wheel_directory, name), "w") as z:
            z.writestr("wheelonly/__init__.py", "")
            z.writestr("wheelonly-1.2.dist-info/METADATA",
                       "Metadata-Version: 2.1\nName: wheelonly\nVersion: 1.2\nRequires-Dist: packaging>=21\n")
            z.writestr("wheelonly-1.2.dist-info/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\n")
        return name


backend = _Backend()
