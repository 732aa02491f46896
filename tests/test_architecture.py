"""The app boundaries, read from the source: apps import downward only, and nothing goes round in
a circle. products <- lobby <- referrals: products imports nothing from lobby or referrals;
lobby imports nothing from referrals except the one hand-off named in lobby/services.py.

The checks read every app module's imports with `ast` (module level, inside functions, and
`if TYPE_CHECKING:` blocks alike, except that type-only imports may not make a circle worse);
each checker is also run on planted sources to show it catches what it is meant to.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("products", "lobby", "referrals")
# Lower number = lower in the stack: an app may import only apps at or below its own level.
LEVEL = {"products": 0, "lobby": 1, "referrals": 2}
# The one upward import, and where it is allowed: the hand-off to a wealth manager.
ALLOWED_UPWARD = {("lobby.services", "referrals.services")}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def app_modules() -> dict[str, str]:
    """Every Python module of the apps (migrations excluded: Django writes them), with source."""
    modules = {}
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            modules[module_name(path)] = path.read_text(encoding="utf-8")
    return modules


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(module: str, source: str) -> list[tuple[str, bool]]:
    """(imported module, runtime?) for every import in `source`; `runtime` is False for imports
    under `if TYPE_CHECKING:`. `from pkg import name` counts as importing `pkg.name` when that is
    a module of ours, else `pkg`."""
    tree = ast.parse(source)
    type_only: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.body:
                type_only.update(id(n) for n in ast.walk(child))
    package = module if module.count(".") == 0 else module.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(tree):
        runtime = id(node) not in type_only
        if isinstance(node, ast.Import):
            found += [(alias.name, runtime) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found += [(f"{base}.{alias.name}", runtime) for alias in node.names]
    return found


def _ours(name: str, modules: set[str]) -> str | None:
    """The module of ours `name` refers to (a module, or a name inside one), or None."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def upward_imports(modules: dict[str, str]) -> set[tuple[str, str]]:
    """(importer, imported) pairs where an app imports an app above it."""
    known = set(modules)
    bad = set()
    for module, source in modules.items():
        for name, _runtime in imports_of(module, source):
            app = name.split(".")[0]
            if app in LEVEL and LEVEL[app] > LEVEL[module.split(".")[0]]:
                bad.add((module, _ours(name, known) or name))
    return bad


def import_cycles(modules: dict[str, str]) -> list[list[str]]:
    """Circles in the runtime import graph of our modules (type-only imports left out)."""
    known = set(modules)
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for module, source in modules.items():
        for name, runtime in imports_of(module, source):
            target = _ours(name, known)
            if runtime and target and target != module and not module.startswith(target + "."):
                graph[module].add(target)
    cycles, state = [], dict.fromkeys(graph, 0)  # 0 unseen, 1 on the path, 2 done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state[nxt] == 1:
                cycles.append([*path[path.index(nxt) :], nxt])
            elif state[nxt] == 0:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for node in sorted(graph):
        if state[node] == 0:
            visit(node, [node])
    return cycles


# ---- the project ------------------------------------------------------------------------


def test_apps_import_downward_only_but_for_the_named_hand_off():
    unexpected = upward_imports(app_modules()) - ALLOWED_UPWARD
    assert unexpected == set()


def test_every_allowed_upward_import_is_still_needed():
    found = upward_imports(app_modules())
    assert found >= ALLOWED_UPWARD


def test_the_hand_off_is_a_top_level_import_with_a_comment_saying_so():
    source = (ROOT / "lobby" / "services.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    top = [
        node
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("referrals")
    ]
    assert len(top) == 1
    lines = source.splitlines()[: top[0].lineno - 1]
    assert "one import from lobby into referrals" in "\n".join(lines[-4:])


def test_no_module_imports_another_in_a_circle():
    assert import_cycles(app_modules()) == []


@pytest.mark.parametrize("app", ["lobby", "referrals"])
def test_views_and_pushes_share_screens_and_never_import_each_other(app):
    modules = app_modules()
    views = {n for n, _r in imports_of(f"{app}.views", modules[f"{app}.views"])}
    push = {n for n, _r in imports_of(f"{app}.push", modules[f"{app}.push"])}
    assert f"{app}.screens" in views and f"{app}.screens" in push
    assert not any(n.startswith(f"{app}.push") for n in views)
    assert not any(n.startswith(f"{app}.views") for n in push)


# ---- the checkers catch what they are meant to (positive controls) ----------------------


@pytest.mark.parametrize(
    ("module", "source", "expected"),
    [
        (
            "products.models",
            "from lobby.choices import Role\n",
            ("products.models", "lobby.choices"),
        ),
        ("products.admin", "import referrals.models\n", ("products.admin", "referrals.models")),
        (
            "lobby.views",
            "from referrals.models import Referral\n",
            ("lobby.views", "referrals.models"),
        ),
        (
            "lobby.screens",
            "def f():\n    from referrals import screens\n",
            ("lobby.screens", "referrals.screens"),
        ),
        (
            "lobby.push",
            "from typing import TYPE_CHECKING\n"
            "if TYPE_CHECKING:\n    from referrals.models import Referral\n",
            ("lobby.push", "referrals.models"),
        ),
    ],
)
def test_the_checker_finds_a_planted_upward_import(module, source, expected):
    modules = {
        "products.models": "",
        "products.admin": "",
        "lobby.choices": "",
        "lobby.views": "",
        "lobby.screens": "",
        "lobby.push": "",
        "referrals.models": "",
        "referrals.screens": "",
        module: source,
    }
    assert upward_imports(modules) == {expected}


def test_the_checker_allows_downward_and_sideways_imports():
    modules = {
        "products.models": "import datetime\nfrom django.db import models\n",
        "lobby.models": "from products.models import Product\nfrom lobby import choices\n",
        "lobby.choices": "",
        "referrals.models": "from lobby.models import Visit\nfrom products import models\n",
    }
    assert upward_imports(modules) == set()


def test_the_checker_finds_a_planted_circle_even_inside_a_function():
    modules = {
        "lobby.services": "from lobby import push\n",
        "lobby.push": "def context():\n    from lobby.views import board_context\n",
        "lobby.views": "from lobby import services\n",
    }
    assert import_cycles(modules) == [["lobby.push", "lobby.views", "lobby.services", "lobby.push"]]


def test_type_only_imports_make_no_circle():
    modules = {
        "lobby.services": "from lobby import screens\n",
        "lobby.screens": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
        "    from lobby.services import Route\n",
    }
    assert import_cycles(modules) == []
