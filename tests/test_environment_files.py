"""environment.yml (conda users) and pyproject.toml (pip users) must name the same dependencies."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
# A pip extra ("psycopg[binary]") names what conda-forge's package of the same name brings anyway.
REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9_.-]+)\s*(?:\[[A-Za-z0-9_,.-]+\])?\s*(.*)$")


def parse(requirements: list[str]) -> dict[str, str]:
    parsed = {}
    for requirement in requirements:
        name, spec = REQUIREMENT.match(requirement).groups()
        parsed[name.lower().replace("_", "-")] = spec.replace(" ", "")
    return parsed


def test_conda_and_pip_name_the_same_dependencies_and_bounds():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    pip_side = parse(project["dependencies"] + project["optional-dependencies"]["test"])
    conda = yaml.safe_load((REPO / "environment.yml").read_text())
    conda_side = parse([d for d in conda["dependencies"] if isinstance(d, str) and d.split("=")[0] not in
                        ("python", "pip")])
    assert conda_side == pip_side
    assert "python=3.11" in conda["dependencies"] and project["requires-python"] == ">=3.11"
    assert conda["channels"] == ["conda-forge"]
