"""bot/content_check.py: the shipped content passes; a broken copy of it fails with a
problem that names the rule. The same check gates publishing in the admin area."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot import content_check
from bot.content_check import Problem, check, domain_response_keys
from tests.content import test_content_files as files

ROOT = Path(__file__).resolve().parents[2]


def shipped() -> dict[str, Any]:
    return {name: copy.deepcopy(files.load(name)) for name in content_check.DOCUMENTS}


def domain() -> set[str]:
    return domain_response_keys(ROOT / "rasa_project" / "domain.yml")


def test_shipped_content_passes() -> None:
    problems = check(shipped(), domain())
    assert problems == [], "\n".join(map(str, problems))


def test_the_rules_are_the_ones_the_content_tests_apply() -> None:
    from bot.core import PAYLOAD

    for name in ("LAW_NUMBER", "DATE", "YEAR", "PHONE_LIKE", "VARIABLE_NAME"):
        assert getattr(content_check, name).pattern == getattr(files, name).pattern, name
    assert content_check.PAYLOAD.pattern == PAYLOAD.pattern
    assert dict(content_check.KEY_VARIABLES) == files.KEY_VARIABLES
    contract = files.contract_response_keys()
    assert content_check.GATEWAY_KEYS == {k for k in contract if not k.startswith("utter_")}
    assert domain() == {k for k in contract if k.startswith("utter_")}


def test_domain_path_is_configurable(tmp_path: Path) -> None:
    path = tmp_path / "domain.yml"
    path.write_text(yaml.safe_dump({"responses": {"utter_x": [{"text": "utter_x"}]}}))
    assert domain_response_keys(path) == {"utter_x"}


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(docs: dict[str, Any]) -> None:
        *parents, last = path.split("/")
        node: Any = docs
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if value is _DELETE:
            del node[int(last) if isinstance(node, list) else last]
        elif isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value

    return edit


_DELETE = object()
_T = "responses/utter_greet/vi/0/text"

BROKEN: dict[str, tuple[Callable[[dict[str, Any]], None], str, str]] = {
    "no en text": (_set("responses/utter_greet/en", _DELETE), "utter_greet.en", "no en text"),
    "empty vi list": (_set("responses/utter_greet/vi", []), "utter_greet.vi", "no vi text"),
    "variable dropped in one language": (
        _set("responses/utter_services_found/vi/0/text", "Ở {province}:"),
        "utter_services_found",
        "use different variables",
    ),
    "unknown hotline": (_set(_T, "Gọi {hotline.nobody} nhé"), "utter_greet", "no such hotline"),
    "variable with no value": (_set(_T, "Chào {name}"), "utter_greet", "has no value"),
    "literal phone number": (_set(_T, "Chào bạn, gọi 113 nhé"), "utter_greet", "phone number"),
    "bad button payload": (
        _set("responses/utter_greet/vi/0/buttons/0/payload", "find service"),
        "utter_greet",
        "payload",
    ),
    "domain key missing": (
        _set("responses/utter_goodbye", _DELETE),
        "utter_goodbye",
        "Rasa domain uses",
    ),
    "gateway key missing": (
        _set("responses/gw_unavailable", _DELETE),
        "gw_unavailable",
        "gateway sends",
    ),
    "orphan utter key": (
        lambda d: d["responses"].update(utter_orphan=copy.deepcopy(d["responses"]["utter_ok"])),
        "utter_orphan",
        "orphan",
    ),
    "legal statement with unknown source": (
        _set("responses/utter_legal_rights/sources", ["nowhere"]),
        "utter_legal_rights",
        "does not exist",
    ),
    "law cited without sources": (
        _set("responses/utter_legal_rights/sources", _DELETE),
        "utter_legal_rights",
        "lists no sources",
    ),
    "hotline without source": (_set("hotlines/police/source", _DELETE), "police", "no source"),
    "hotline with unknown source": (
        _set("hotlines/police/source", "nowhere"),
        "police",
        "does not exist",
    ),
    "hotline without verified date": (
        _set("hotlines/police/verified_on", "last year"),
        "police",
        "verified_on",
    ),
    "service without source": (_set("services/0/source", None), "services.", "no source"),
    "service without verified date": (
        _set("services/0/verified_on", None),
        "services.",
        "verified_on",
    ),
    "source without verified date": (
        lambda d: d["sources"][next(iter(d["sources"]))].pop("verified_on"),
        "sources.",
        "verified_on",
    ),
    "document missing": (lambda d: d.pop("provinces"), "provinces", "missing"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_each_rule_is_caught(case: str) -> None:
    edit, where, words = BROKEN[case]
    docs = shipped()
    edit(docs)
    problems: list[Problem] = check(docs, domain())
    assert any(where in p.where and words in p.message for p in problems), (
        f"{case}: not reported; got {[str(p) for p in problems]}"
    )
