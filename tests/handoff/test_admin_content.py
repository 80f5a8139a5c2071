"""The content editor (handoff/admin_content.py) through real requests: administrators
only; a draft never changes what the NLG endpoint answers, publishing does at once; the
content check blocks a bad change; versions restore; export and import round-trip; a
broken import changes nothing; every change is in the audit log."""

from __future__ import annotations

import copy
import io
import zipfile
from typing import Any

import yaml
from aiohttp import FormData
from aiohttp.test_utils import TestClient

from tests.bot.test_nlg_and_internal_api import nlg_body
from tests.handoff.conftest import Member, MemberFactory, origin, store_of

NLG = "/nlg?token=" + "n" * 32
KEY = "utter_ask_province"  # one variation per language, no buttons, no variables
BASE = "/staff/admin/content"


async def nlg_text(client: TestClient, key: str, language: str) -> str:
    resp = await client.post(NLG, json=nlg_body(key, language))
    assert resp.status == 200
    body: dict[str, Any] = await resp.json()
    return str(body["text"])


def form_for(entry: dict[str, Any]) -> dict[str, str]:
    """The edit form's fields for a response entry, as the page would submit them."""
    form: dict[str, str] = {}
    for lang in ("vi", "en"):
        for i, item in enumerate(entry.get(lang) or []):
            form[f"{lang}-{i}-text"] = item["text"]
            for j, button in enumerate(item.get("buttons") or []):
                form[f"{lang}-{i}-b{j}-title"] = button["title"]
                form[f"{lang}-{i}-b{j}-payload"] = button["payload"]
    return form


async def live_entry(client: TestClient, key: str) -> dict[str, Any]:
    entry: dict[str, Any] = (await store_of(client).load_documents())["responses"][key]
    return entry


async def audit_actions(client: TestClient) -> list[tuple[str, str | None, str | None]]:
    entries = await store_of(client).staff.audit_entries()
    return [(e.action, e.username, e.target) for e in entries if e.action.startswith("content_")]


async def test_only_administrators(member: MemberFactory) -> None:
    for role in ("counsellor", "supervisor"):
        someone: Member = await member(f"x{role}", role)
        for path in (BASE, f"{BASE}/{KEY}", f"{BASE}/versions", f"{BASE}/export"):
            resp = await someone.client.get(path, allow_redirects=False)
            assert resp.status == 403, (role, path)
        for path in (f"{BASE}/{KEY}", f"{BASE}/versions/1/restore", f"{BASE}/import"):
            resp = await someone.post(path, {"action": "publish", "vi-0-text": "x"})
            assert resp.status == 403, (role, path)


async def test_list_groups_search_and_draft_marker(
    client: TestClient, member: MemberFactory
) -> None:
    ada = await member("ada", "administrator")
    html = await (await ada.client.get(BASE)).text()
    for heading in ("Menus", "utter_*", "gw_*", "gw_tg_*", "canned_*"):
        assert heading in html
    for key in ("utter_menu", "utter_greet", "gw_unavailable", "gw_tg_start", "canned_greeting"):
        assert f'href="{BASE}/{key}"' in html
    assert "has a draft" not in html
    found = await (await ada.client.get(BASE, params={"q": "tỉnh hoặc thành phố"})).text()
    assert f"{BASE}/{KEY}" in found and f"{BASE}/gw_tg_start" not in found
    entry = await live_entry(client, KEY)
    form = form_for(entry) | {"vi-0-text": "Bản nháp: bạn ở tỉnh nào?", "action": "draft"}
    assert (await ada.post(f"{BASE}/{KEY}", form)).status == 200
    html = await (await ada.client.get(BASE)).text()
    assert html.count("has a draft") == 1 and "A draft (version 2)" in html


async def test_draft_then_publish_changes_the_next_nlg_reply(
    client: TestClient, member: MemberFactory
) -> None:
    ada = await member("ada", "administrator")
    before = await nlg_text(client, KEY, "vi")
    entry = await live_entry(client, KEY)
    new_text = "Bạn đang ở tỉnh hay thành phố nào vậy?\nViết tên là đủ."
    form = form_for(entry) | {"vi-0-text": new_text}

    preview = await ada.post(f"{BASE}/{KEY}", form | {"action": "preview"})
    assert preview.status == 200
    html = await preview.text()
    assert "As Telegram shows it" in html and "As the widget shows it" in html
    assert html.count("Bạn đang ở tỉnh hay thành phố nào vậy?") >= 3  # form + two previews
    assert await nlg_text(client, KEY, "vi") == before

    draft = await ada.post(f"{BASE}/{KEY}", form | {"action": "draft"})
    assert draft.status == 200 and "Draft saved as version 2" in await draft.text()
    assert await nlg_text(client, KEY, "vi") == before  # drafts never reach the bot
    page = await (await ada.client.get(f"{BASE}/{KEY}")).text()
    assert "Bạn đang ở tỉnh hay thành phố nào vậy?" in page  # editing goes on from the draft

    published = await ada.post(f"{BASE}/{KEY}", form | {"action": "publish"})
    assert published.status == 200, await published.text()
    assert "Published as version 3" in await published.text()
    assert await nlg_text(client, KEY, "vi") == new_text  # the very next reply
    assert await nlg_text(client, KEY, "en") == entry["en"][0]["text"]
    assert [a for a, _, _ in await audit_actions(client)] == [
        "content_published",
        "content_draft_saved",
    ]
    assert ("content_published", "ada", f"responses:3 {KEY}") in await audit_actions(client)


async def test_previews_fill_variables_from_content(member: MemberFactory) -> None:
    ada = await member("ada", "administrator")
    html = await (await ada.client.get(f"{BASE}/utter_services_found")).text()
    assert "{province}" in html  # in the form
    assert "Thành phố Hà Nội" in html or "Hà Nội" in html  # in the preview
    html = await (await ada.client.get(f"{BASE}/utter_hotlines")).text()
    assert "113" in html  # {hotline.police} filled


async def test_check_blocks_a_dropped_variable_or_a_missing_language(
    client: TestClient, member: MemberFactory
) -> None:
    ada = await member("ada", "administrator")
    key = "utter_services_found"
    entry = await live_entry(client, key)
    before = await nlg_text(client, "utter_services_found", "vi")
    form = form_for(entry) | {"vi-0-text": "Đây là những nơi có thể hỗ trợ bạn ở {province}."}
    resp = await ada.post(f"{BASE}/{key}", form | {"action": "publish"})
    assert resp.status == 400
    html = await resp.text()
    assert "Not published" in html and "use different variables" in html
    assert "only in en: {services}" in html
    assert "the text never shows {services}" in html

    form = form_for(await live_entry(client, KEY))
    form = {k: v for k, v in form.items() if not k.startswith("en-")}
    resp = await ada.post(f"{BASE}/{KEY}", form | {"action": "publish"})
    assert resp.status == 400
    assert "no en text" in await resp.text()

    bad = form_for(await live_entry(client, "utter_menu")) | {"vi-0-b0-payload": "find service"}
    resp = await ada.post(f"{BASE}/utter_menu", bad | {"action": "draft"})
    assert resp.status == 400 and "must look like /intent_name" in await resp.text()

    assert await _versions(client) == [1]  # nothing was saved
    assert await nlg_text(client, "utter_services_found", "vi") == before
    assert await audit_actions(client) == []


async def _versions(client: TestClient) -> list[int]:
    from handoff.admin_content import _versions as versions

    return [v.version for v in await versions(store_of(client))]


async def test_restore_an_old_version(client: TestClient, member: MemberFactory) -> None:
    ada = await member("ada", "administrator")
    original = await nlg_text(client, KEY, "vi")
    form = form_for(await live_entry(client, KEY)) | {"vi-0-text": "Bạn ở đâu nhỉ?"}
    assert (await ada.post(f"{BASE}/{KEY}", form | {"action": "publish"})).status == 200
    assert await nlg_text(client, KEY, "vi") == "Bạn ở đâu nhỉ?"
    page = await (await ada.client.get(f"{BASE}/versions")).text()
    assert "published (live)" in page and "ada" in page and "content files (start-up)" in page
    resp = await ada.post(f"{BASE}/versions/1/restore")
    assert resp.status == 303
    assert await nlg_text(client, KEY, "vi") == original
    assert await _versions(client) == [3, 2, 1]
    assert ("content_restored", "ada", "responses:3 from:1") in await audit_actions(client)
    assert (await ada.post(f"{BASE}/versions/99/restore")).status == 404


async def test_restore_is_checked(client: TestClient, member: MemberFactory) -> None:
    ada = await member("ada", "administrator")
    broken = dict((await store_of(client).load_documents())["responses"])
    del broken["utter_goodbye"]
    await store_of(client).save_document("responses", broken, published=False)
    resp = await ada.post(f"{BASE}/versions/2/restore")
    assert resp.status == 400
    assert "utter_goodbye" in await resp.text() and "Rasa domain uses" in await resp.text()
    assert await _versions(client) == [2, 1]


def _zip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


async def _upload(ada: Member, files: dict[str, bytes]) -> Any:
    form = FormData()
    form.add_field("csrf", await ada.csrf())
    for name, data in files.items():
        form.add_field("files", data, filename=name, content_type="application/octet-stream")
    return await ada.client.post(
        f"{BASE}/import", data=form, headers={"Origin": origin(ada.client)}, allow_redirects=False
    )


async def test_export_then_import_round_trips(client: TestClient, member: MemberFactory) -> None:
    ada = await member("ada", "administrator")
    before = await store_of(client).load_documents()
    resp = await ada.client.get(f"{BASE}/export")
    assert resp.status == 200 and resp.content_type == "application/zip"
    data = await resp.read()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = sorted(archive.namelist())
        exported = {n: yaml.safe_load(archive.read(n)) for n in names}
    assert names == [f"content/{n}.yml" for n in sorted(before)]
    assert {
        n.removeprefix("content/").removesuffix(".yml"): d for n, d in exported.items()
    } == before

    # edit the exported responses, as an organisation would in its own repository
    responses = exported["content/responses.yml"]
    responses[KEY]["vi"][0]["text"] = "Tỉnh nào vậy bạn?"
    changed = {**{n: yaml.safe_dump(d, allow_unicode=True).encode() for n, d in exported.items()}}
    changed["content/responses.yml"] = yaml.safe_dump(responses, allow_unicode=True).encode()
    resp = await _upload(ada, {"content.zip": _zip(changed)})
    assert resp.status == 200, await resp.text()
    assert "Imported and published" in await resp.text()
    assert await nlg_text(client, KEY, "vi") == "Tỉnh nào vậy bạn?"
    after = await store_of(client).load_documents()
    assert {k: v for k, v in after.items() if k != "responses"} == {
        k: v for k, v in before.items() if k != "responses"
    }
    actions = await audit_actions(client)
    assert actions[0][0] == "content_imported" and "responses:2" in str(actions[0][2])
    assert ("content_exported", "ada", "content.zip") in actions

    # a single YAML file is enough
    resp = await _upload(ada, {"hotlines.yml": yaml.safe_dump(before["hotlines"]).encode()})
    assert resp.status == 200, await resp.text()


async def test_broken_import_changes_nothing(client: TestClient, member: MemberFactory) -> None:
    ada = await member("ada", "administrator")
    before = await store_of(client).load_documents()
    hotlines = copy.deepcopy(before["hotlines"])
    hotlines["police"]["source"] = "nowhere"
    responses = copy.deepcopy(before["responses"])
    del responses["utter_greet"]["en"]
    cases: list[tuple[dict[str, bytes], str]] = [
        ({"responses.yml": b"utter_greet: [unclosed"}, "not valid YAML"),
        ({"notes.txt": b"hello"}, "not one of"),
        ({"content.zip": b"PK not a zip"}, "not a readable zip"),
        (
            {
                "content.zip": _zip(
                    {
                        "content/hotlines.yml": yaml.safe_dump(hotlines).encode(),
                        "content/responses.yml": yaml.safe_dump(responses).encode(),
                    }
                )
            },
            "hotlines.police: source &#39;nowhere&#39; does not exist",
        ),
    ]
    for files, message in cases:
        resp = await _upload(ada, files)
        assert resp.status == 400, files
        html = await resp.text()
        assert "Nothing was imported" in html and message in html, html
    assert "responses.utter_greet.en: no en text" in html
    assert await store_of(client).load_documents() == before
    assert await _versions(client) == [1]
    assert not [a for a in await audit_actions(client) if a[0] == "content_imported"]


async def test_texts_are_escaped(client: TestClient, member: MemberFactory) -> None:
    ada = await member("ada", "administrator")
    form = form_for(await live_entry(client, KEY))
    form |= {"vi-0-text": "<script>alert(1)</script>", "en-0-text": "<b>x</b>"}
    resp = await ada.post(f"{BASE}/{KEY}", form | {"action": "draft"})
    html = await resp.text()
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    listing = await (await ada.client.get(BASE, params={"q": "<script>"})).text()
    assert "<script>alert" not in listing and "&lt;script&gt;" in listing


async def test_without_the_domain_file_the_live_keys_stand_in(
    client: TestClient, member: MemberFactory, monkeypatch: Any, tmp_path: Any
) -> None:
    from bot import content_check

    monkeypatch.setattr(content_check, "DOMAIN_FILE", tmp_path / "missing.yml")
    ada = await member("ada", "administrator")
    responses = copy.deepcopy((await store_of(client).load_documents())["responses"])
    del responses["utter_goodbye"]
    resp = await _upload(ada, {"responses.yml": yaml.safe_dump(responses).encode()})
    assert resp.status == 400
    assert "utter_goodbye: the Rasa domain uses this key" in await resp.text()
    assert await _versions(client) == [1]


async def test_the_audit_log_page_shows_content_changes(
    client: TestClient, member: MemberFactory
) -> None:
    ada = await member("ada", "administrator")
    form = form_for(await live_entry(client, KEY)) | {"action": "publish"}
    assert (await ada.post(f"{BASE}/{KEY}", form)).status == 200
    page = await ada.client.get("/staff/admin/audit", params={"action": "content_published"})
    html = await page.text()
    assert page.status == 200 and f"responses:2 {KEY}" in html
