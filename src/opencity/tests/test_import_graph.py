"""The dependency graph between the apps (docs/architecture.md#the-dependency-graph) holds: the
import-linter contracts in pyproject.toml are kept, and a new forbidden arrow breaks them —
also one hidden in an import inside a function."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SRC = ROOT / "src"


def lint_imports(src: Path, *contracts: str) -> subprocess.CompletedProcess:
    """``lint-imports`` on the package under ``src``, with the project's contracts, no cache."""
    args = [sys.executable, "-c", "import sys; from importlinter.cli import lint_imports_command; "
            "sys.exit(lint_imports_command())", str(ROOT / "pyproject.toml"), "--no-cache", "--no-logo"]
    for contract in contracts:
        args += ["--contract", contract]
    env = {**os.environ, "PYTHONPATH": str(src)}
    return subprocess.run(args, cwd=src, env=env, capture_output=True, text=True, timeout=120)


def test_every_contract_of_the_graph_is_kept():
    result = lint_imports(SRC)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.fixture
def tree(tmp_path) -> Path:
    """A copy of the package's Python files, to add an arrow to."""
    shutil.copytree(SRC / "opencity", tmp_path / "opencity",
                    ignore=shutil.ignore_patterns("__pycache__", "static", "templates", "locale", "*.json",
                                                  "*.geojson", "*.html", "*.txt", "*.svg", "*.png"))
    return tmp_path


def _add(tree: Path, module: str, code: str) -> None:
    path = tree / (module.replace(".", "/") + ".py")
    path.write_text(path.read_text(encoding="utf-8") + "\n\n" + code + "\n", encoding="utf-8")


@pytest.mark.parametrize(("module", "code", "contract", "shown"), [
    # the nucleus reaching the hotline from inside a function (what reports/views.py once did)
    ("opencity.reports.views", "def _sneak():\n    from opencity.hotline import filing  # noqa",
     "reports-nucleus", "opencity.reports.views -> opencity.hotline.filing"),
    ("opencity.lib.worktime", "from opencity.reports.models import Report  # noqa",
     "lib-imports-no-app", "opencity.lib.worktime -> opencity.reports.models"),
    ("opencity.geo.selectors", "from opencity.reports import selectors  # noqa",
     "below-reports", "opencity.geo.selectors -> opencity.reports.selectors"),
    ("opencity.accounts.services", "from opencity.demo import pack  # noqa",
     "nothing-imports-demo", "opencity.accounts.services -> opencity.demo.pack"),
    # what the dispatch board once did to learn the feed's newest row: publish to lib.feed instead
    ("opencity.emergency.views", "def _sneak():\n    from opencity.ioc import live  # noqa",
     "nothing-imports-ioc", "opencity.emergency.views -> opencity.ioc.live"),
    ("opencity.emergency.services", "from opencity.hotline import models  # noqa",
     "layers", "opencity.emergency.services -> opencity.hotline.models"),
    ("opencity.policy.core", "from opencity.accounts import models  # noqa",
     "no-cycles", ".policy -> .accounts"),
])
def test_a_forbidden_arrow_breaks_its_contract(tree, module, code, contract, shown):
    assert lint_imports(tree, contract).returncode == 0  # the copy keeps it, as the tree does
    _add(tree, module, code)
    result = lint_imports(tree, contract)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "BROKEN" in result.stdout
    assert shown in result.stdout, result.stdout  # the report names the new arrow
