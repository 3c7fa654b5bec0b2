"""The package declares what it needs, and needs only the standard library and websockets."""
import ast
import pathlib
import sys
import tomllib
import unittest

import braxviewer_client
from tests.support import PYTHON_ROOT

ROOT = pathlib.Path(PYTHON_ROOT)


class PackagingTests(unittest.TestCase):
    def test_pyproject_declares_websockets_10_and_python_3_9_and_the_packages_version(self):
        project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
        self.assertEqual(project["name"], "braxviewer-client")
        self.assertEqual(project["dependencies"], ["websockets>=10"])
        self.assertEqual(project["requires-python"], ">=3.9")
        self.assertEqual(project["version"], braxviewer_client.__version__)

    def test_the_package_imports_only_the_standard_library_and_websockets(self):
        allowed = set(sys.stdlib_module_names) | {"websockets", "braxviewer_client"}
        foreign = []
        for path in (ROOT / "braxviewer_client").glob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                names = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0:
                    names = [node.module]
                foreign += [f"{path.name}: {name}" for name in names if name.split(".")[0] not in allowed]
        self.assertEqual(foreign, [], "numpy and jax are read through tolist(), never imported")

    def test_the_package_parses_as_python_3_9(self):
        for path in (ROOT / "braxviewer_client").glob("*.py"):
            ast.parse(path.read_text(), str(path), feature_version=(3, 9))


if __name__ == "__main__":
    unittest.main()
