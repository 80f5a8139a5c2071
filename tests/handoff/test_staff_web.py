"""The staff pages through real HTTP: setup links, sign-in, sessions, CSRF, access checks,
the audit log and the administration of accounts."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from aiohttp.test_utils import TestClient
from sqlalchemy import text

from bot.storage import Sender
from handoff import totp
from handoff.roles import Role
from tests.handoff.conftest import (
    PASSWORD,
    FakeClock,
    MemberFactory,
    accounts_of,
    complete_setup_page,
    csrf_of,
    enrol,
    origin,
    sign_in,
    staff_state,
    store_of,
)

LOGIN_ERROR = "Sign-in failed. Check the username, the password and the code."


async def _audit(client: TestClient) -> list[tuple[str, str | None, str | None]]:
    entries = await store_of(client).staff.audit_entries()
    return [(e.action, e.username, e.conversation_id) for e in reversed(entries)]


async def test_first_admin_setup_link_sign_in_and_home(client: TestClient) -> None:
    record, token = await accounts_of(client).create_first_admin("Admin")
    assert record.username == "admin" and record.role == Role.ADMINISTRATOR
    page = await client.get(f"/staff/setup/{token}")
    html = await page.text()
    assert page.status == 200
    assert "otpauth://totp/Staff%20console:admin?" in html
    assert "<script" not in html and "style=" not in html
    secret = await complete_setup_page(client, token)
    assert (await client.get(f"/staff/setup/{token}")).status == 404  # one time only

    resp = await sign_in(client, "admin", secret)
    assert resp.status == 303 and resp.headers["Location"] == "/staff/"
    cookie = resp.headers["Set-Cookie"]
    assert "staff_session=" in cookie and "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie and "Path=/staff" in cookie
    assert "Secure" not in cookie  # plain HTTP test server
    home = await client.get("/staff/")
    body = await home.text()
    assert home.status == 200
    assert 'id="me">admin<' in body and 'id="role">administrator<' in body
    assert 'id="queued">0<' in body
    assert home.headers["Referrer-Policy"] == "same-origin"
    assert "script-src 'self'" in home.headers["Content-Security-Policy"]
    assert [a for a, _, _ in await _audit(client)] == ["admin_created", "setup_completed", "login"]


async def test_create_admin_refuses_when_staff_exist(client: TestClient) -> None:
    import pytest

    from handoff.accounts import AccountsError

    await accounts_of(client).create_first_admin("first")
    with pytest.raises(AccountsError, match="exist already"):
        await accounts_of(client).create_first_admin("second")


async def test_secure_cookie_when_configured(aiohttp_client: Any, settings: Any) -> None:
    import dataclasses

    from bot.app import create_app
    from tests.bot.conftest import ScriptedDialogue

    app = create_app(
        dataclasses.replace(settings, staff_secure_cookies=True), dialogue=ScriptedDialogue()
    )
    secure = await aiohttp_client(app)
    resp = await secure.get("/staff/login")
    assert "Secure" in resp.headers["Set-Cookie"]


async def test_setup_rejects_bad_input_and_keeps_the_link(
    client: TestClient, clock: FakeClock
) -> None:
    _, token = await accounts_of(client).create_first_admin("admin")
    page = await client.get(f"/staff/setup/{token}")
    html = await page.text()
    raw = re.search(r'<code id="secret">([A-Z2-7]+)</code>', html)
    assert raw
    import base64

    secret = base64.b32decode(raw.group(1) + "=" * (-len(raw.group(1)) % 8))
    good = totp.code_at(secret, clock().timestamp())
    cases = [
        ({"password": "short", "confirm": "short", "code": good}, "at least 12"),
        ({"password": PASSWORD, "confirm": PASSWORD + "x", "code": good}, "differ"),
        ({"password": PASSWORD, "confirm": PASSWORD, "code": "000000"}, "code is not right"),
    ]
    for fields, message in cases:
        resp = await client.post(
            f"/staff/setup/{token}",
            data={"csrf": csrf_of(html), **fields},
            headers={"Origin": origin(client)},
        )
        assert resp.status == 400
        assert message in await resp.text()
    assert (await client.get(f"/staff/setup/{token}")).status == 200  # still valid
    clock.advance(hours=25)
    assert (await client.get(f"/staff/setup/{token}")).status == 404  # expired


async def test_one_error_for_unknown_user_wrong_password_and_wrong_code(
    client: TestClient, clock: FakeClock
) -> None:
    _, secret = await enrol(client, "ana", "counsellor")
    attempts = [
        ("nobody", PASSWORD, totp.code_at(secret, clock().timestamp())),
        ("ana", "wrong password!", totp.code_at(secret, clock().timestamp())),
        (
            "ana",
            PASSWORD,
            "123456" if totp.code_at(secret, clock().timestamp()) != "123456" else "654321",
        ),
    ]
    bodies = []
    for username, password, code in attempts:
        page = await client.get("/staff/login")
        resp = await client.post(
            "/staff/login",
            data={
                "csrf": csrf_of(await page.text()),
                "username": username,
                "password": password,
                "code": code,
            },
            headers={"Origin": origin(client)},
            allow_redirects=False,
        )
        assert resp.status == 401
        body = await resp.text()
        assert LOGIN_ERROR in body
        bodies.append(body.replace(f'value="{username}"', ""))
    assert bodies[0] == bodies[1] == bodies[2]
    assert "staff_session" not in str(
        client.session.cookie_jar.filter_cookies(client.make_url("/staff/"))
    )


async def test_a_code_cannot_be_used_twice(client: TestClient, aiohttp_client: Any) -> None:
    _, secret = await enrol(client, "ana", "counsellor")
    first = await sign_in(client, "ana", secret)
    assert first.status == 303
    other = await aiohttp_client(client.server)
    replay = await sign_in(other, "ana", secret)  # same clock, same step, same code
    assert replay.status == 401


async def test_throttling_after_five_failures_even_with_the_right_password(
    client: TestClient, clock: FakeClock
) -> None:
    _, secret = await enrol(client, "ana", "counsellor")
    for _ in range(5):
        assert (await sign_in(client, "ana", secret, password="not the password")).status == 401
    throttled = await sign_in(client, "ana", secret)
    assert throttled.status == 429
    assert throttled.headers["Retry-After"] == "1"
    assert "Too many attempts" in await throttled.text()
    clock.advance(seconds=30)
    staff_state(client).throttle.clock = lambda: 10_000.0  # the back-off has passed
    assert (await sign_in(client, "ana", secret)).status == 303


async def test_idle_and_absolute_timeouts(
    client: TestClient, member: MemberFactory, clock: FakeClock
) -> None:
    ana = await member("ana", "counsellor")
    assert (await ana.client.get("/staff/", allow_redirects=False)).status == 200
    clock.advance(minutes=29)
    assert (await ana.client.get("/staff/", allow_redirects=False)).status == 200
    clock.advance(minutes=29)  # active again within 30 minutes of the last request
    assert (await ana.client.get("/staff/", allow_redirects=False)).status == 200
    clock.advance(minutes=31)
    gone = await ana.client.get("/staff/", allow_redirects=False)
    assert gone.status == 302 and gone.headers["Location"] == "/staff/login"

    bao = await member("bao", "counsellor")
    started = clock.now
    for _ in range(30):  # active every 29 minutes: never idle, but 12 hours is the limit
        clock.advance(minutes=29)
        if (await bao.client.get("/staff/", allow_redirects=False)).status != 200:
            break
    assert timedelta(hours=12) <= clock.now - started < timedelta(hours=12, minutes=30)


async def test_logout_revokes_the_session(client: TestClient, member: MemberFactory) -> None:
    ana = await member("ana", "counsellor")
    cookie = ana.client.session.cookie_jar.filter_cookies(ana.client.make_url("/staff/"))[
        "staff_session"
    ].value
    resp = await ana.post("/staff/logout")
    assert resp.status == 303
    # the old cookie value is useless now, even if someone kept it
    again = await ana.client.get(
        "/staff/", cookies={"staff_session": cookie}, allow_redirects=False
    )
    assert again.status == 302


async def test_csrf_missing_wrong_or_cross_origin_is_refused_and_changes_nothing(
    client: TestClient, member: MemberFactory
) -> None:
    admin = await member("root", "administrator")
    target = await member("ana", "counsellor")
    path = f"/staff/admin/staff/{target.id}/disable"
    good = await admin.csrf()
    refused = [
        ({}, {"Origin": origin(admin.client)}),
        ({"csrf": "x" * len(good)}, {"Origin": origin(admin.client)}),
        ({"csrf": good}, {"Origin": "https://evil.example"}),
        ({"csrf": good}, {}),  # neither Origin nor Referer
        ({"csrf": good}, {"Referer": "https://evil.example/page"}),
        ({"csrf": await target.csrf()}, {"Origin": origin(admin.client)}),  # another session's
    ]
    for data, headers in refused:
        resp = await admin.client.post(path, data=data, headers=headers, allow_redirects=False)
        assert resp.status == 403, (data, headers)
    assert (await target.client.get("/staff/", allow_redirects=False)).status == 200
    assert not (await store_of(client).staff.get(target.id)).disabled  # type: ignore[union-attr]
    # a header token (for scripts of the console) and a same-origin Referer are accepted
    ok = await admin.client.post(
        path,
        headers={"X-CSRF-Token": good, "Referer": f"{origin(admin.client)}/staff/admin/staff"},
        allow_redirects=False,
    )
    assert ok.status == 303
    assert (await store_of(client).staff.get(target.id)).disabled  # type: ignore[union-attr]


async def test_login_form_needs_its_csrf_cookie(client: TestClient, clock: FakeClock) -> None:
    _, secret = await enrol(client, "ana", "counsellor")
    resp = await client.post(
        "/staff/login",
        data={
            "csrf": "forged",
            "username": "ana",
            "password": PASSWORD,
            "code": totp.code_at(secret, clock().timestamp()),
        },
        headers={"Origin": origin(client)},
        allow_redirects=False,
    )
    assert resp.status == 403


async def _conversation(client: TestClient, text_: str = "tôi cần giúp đỡ") -> str:
    store = store_of(client)
    conv = await store.create_conversation("web", "vi", None)
    await store.append_message(conv.id, Sender.USER, text_)
    await store.append_message(
        conv.id, Sender.BOT, "<b>Chào bạn</b>", buttons=[{"title": "Có", "payload": "/affirm"}]
    )
    return conv.id


async def test_counsellor_sees_only_assigned_conversations_and_404s_look_alike(
    client: TestClient, member: MemberFactory
) -> None:
    ana = await member("ana", "counsellor")
    assigned, other = await _conversation(client), await _conversation(client)
    await store_of(client).staff.assign(assigned, ana.id)

    opened = await ana.client.get(f"/staff/conversations/{assigned}")
    page = await opened.text()
    assert opened.status == 200
    assert "tôi cần giúp đỡ" in page
    assert "&lt;b&gt;Chào bạn&lt;/b&gt;" in page and "<b>Chào" not in page  # escaped
    home = await (await ana.client.get("/staff/")).text()
    assert f"/staff/conversations/{assigned}" in home and other not in home

    forbidden = await ana.client.get(f"/staff/conversations/{other}")
    missing = await ana.client.get(f"/staff/conversations/{'0' * 32}")
    malformed = await ana.client.get("/staff/conversations/nope")
    assert forbidden.status == missing.status == malformed.status == 404
    assert await forbidden.text() == await missing.text() == await malformed.text()
    assert forbidden.headers["Content-Type"] == missing.headers["Content-Type"]

    audit = await _audit(client)
    assert ("transcript_opened", "ana", assigned) in audit
    assert ("transcript_denied", "ana", other) in audit
    assert not any(a == "transcript_opened" and c == other for a, _, c in audit)


async def test_supervisor_opens_any_conversation_and_it_is_audited(
    client: TestClient, member: MemberFactory, clock: FakeClock
) -> None:
    sup = await member("sup", "supervisor")
    conv = await _conversation(client)
    resp = await sup.client.get(f"/staff/conversations/{conv}")
    assert resp.status == 200
    entries = await store_of(client).staff.audit_entries(action="transcript_opened")
    assert [(e.staff_id, e.conversation_id, e.at) for e in entries] == [(sup.id, conv, clock.now)]
    forgotten = await _conversation(client)
    await store_of(client).forget_conversation(forgotten)
    assert (await sup.client.get(f"/staff/conversations/{forgotten}")).status == 404


async def test_admin_invites_disables_enables_and_resets(
    client: TestClient, aiohttp_client: Any, member: MemberFactory, clock: FakeClock
) -> None:
    admin = await member("root", "administrator")
    resp = await admin.post("/staff/admin/staff", {"username": "Linh", "role": "counsellor"})
    page = await resp.text()
    assert resp.status == 200
    link = re.search(r'<code id="link">http://[^/]+(/staff/setup/[^<]+)</code>', page)
    assert link, page
    assert (
        await admin.post("/staff/admin/staff", {"username": "linh", "role": "counsellor"})
    ).status == 400
    assert (
        await admin.post("/staff/admin/staff", {"username": "x y", "role": "counsellor"})
    ).status == 400
    assert (
        await admin.post("/staff/admin/staff", {"username": "ok", "role": "root"})
    ).status == 400

    linh_client = await aiohttp_client(client.server)
    token = link.group(1).rsplit("/", 1)[1]
    secret = await complete_setup_page(linh_client, token)
    assert (await sign_in(linh_client, "linh", secret)).status == 303
    clock.advance(seconds=30)
    linh = next(s for s in await store_of(client).staff.all() if s.username == "linh")

    assert (await admin.post(f"/staff/admin/staff/{linh.id}/disable")).status == 303
    assert (await linh_client.get("/staff/", allow_redirects=False)).status == 302  # revoked
    assert (await sign_in(linh_client, "linh", secret)).status == 401
    clock.advance(seconds=30)
    assert (await admin.post(f"/staff/admin/staff/{linh.id}/enable")).status == 303
    assert (await sign_in(linh_client, "linh", secret)).status == 303
    clock.advance(seconds=30)

    reset = await admin.post(f"/staff/admin/staff/{linh.id}/reset-2fa")
    assert reset.status == 200 and 'id="link"' in await reset.text()
    assert (await linh_client.get("/staff/", allow_redirects=False)).status == 302
    assert (await sign_in(linh_client, "linh", secret)).status == 401  # old factor is gone

    own = await admin.post(f"/staff/admin/staff/{admin.id}/disable")
    assert own.status == 400 and "your own account" in await own.text()
    assert (await admin.post(f"/staff/admin/staff/{'0' * 32}/disable")).status == 404
    actions = [a for a, _, _ in await _audit(client)]
    for action in ("staff_invited", "staff_disabled", "staff_enabled", "staff_2fa_reset"):
        assert action in actions


async def test_audit_page_and_csv_export_for_administrators_only(
    client: TestClient, member: MemberFactory
) -> None:
    admin = await member("root", "administrator")
    sup = await member("sup", "supervisor")
    conv = await _conversation(client)
    await sup.client.get(f"/staff/conversations/{conv}")
    assert (await sup.client.get("/staff/admin/audit")).status == 403

    page = await admin.client.get("/staff/admin/audit?action=transcript_opened")
    html = await page.text()
    assert page.status == 200 and conv in html and ">sup<" in html
    csv_resp = await admin.client.get("/staff/admin/audit?format=csv")
    assert csv_resp.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in csv_resp.headers["Content-Disposition"]
    rows = (await csv_resp.text()).splitlines()
    assert rows[0] == "id,at,staff_id,username,action,conversation_id,target"
    assert any(f",sup,transcript_opened,{conv}," in row for row in rows)
    # there is no route that edits or deletes entries, and the database refuses it too
    assert not [
        r
        for r in client.app.router.routes()
        if "audit" in str(r.resource) and r.method != "GET" and r.method != "HEAD"
    ]
    async with store_of(client).engine.connect() as conn:
        try:
            await conn.execute(text("DELETE FROM audit_log"))
        except Exception as exc:
            assert "append-only" in str(exc)
        else:
            raise AssertionError("the audit log accepted a DELETE")


async def test_a_setup_link_can_be_completed_in_a_signed_in_browser(
    client: TestClient, member: MemberFactory
) -> None:
    admin = await member("root", "administrator")
    resp = await admin.post("/staff/admin/staff", {"username": "kim", "role": "supervisor"})
    link = re.search(r'<code id="link">[^<]+/staff/setup/([^<]+)</code>', await resp.text())
    assert link
    await complete_setup_page(admin.client, link.group(1))  # the form's token is pre-session
    assert (await admin.client.get("/staff/", allow_redirects=False)).status == 200


def test_templates_have_no_inline_script_or_style_and_escape_everything() -> None:
    from handoff.web import TEMPLATES, StaffState

    for page in TEMPLATES.glob("*.html"):
        html = page.read_text(encoding="utf-8")
        # scripts only from this site's files (CSP script-src 'self'), never inline
        for tag, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
            assert re.search(r'\ssrc="/staff/static/[a-z_-]+\.js"', tag) and not body.strip()
        assert html.count("<script") == len(re.findall(r"<script[^>]*>.*?</script>", html, re.S))
        assert "<style" not in html and "style=" not in html
        assert not re.search(r"\son[a-z]+\s*=", html)  # no inline event handlers
        assert "|safe" not in html and "autoescape false" not in html
    env = StaffState.__dataclass_fields__["templates"].default_factory()  # type: ignore[misc]
    assert env.autoescape is True


async def test_sign_in_logs_no_username_password_code_or_token(
    client: TestClient, clock: FakeClock, caplog: Any
) -> None:
    import logging

    caplog.set_level(logging.DEBUG)
    _, secret = await enrol(client, "secretname", "counsellor")
    code = totp.code_at(secret, clock().timestamp())
    resp = await sign_in(client, "secretname", secret)
    cookie = resp.cookies["staff_session"].value
    await sign_in(client, "secretname", secret, password="wrong password here")
    logged = caplog.text
    for value in ("secretname", PASSWORD, "wrong password here", code, cookie, totp.base32(secret)):
        assert value not in logged


async def test_an_old_password_hash_is_upgraded_at_sign_in(client: TestClient) -> None:
    from handoff import passwords

    staff_id, secret = await enrol(client, "ana", "counsellor")
    store = store_of(client)
    await store.staff.set_password_hash(staff_id, passwords.hash_password(PASSWORD, n=2**14))
    assert (await sign_in(client, "ana", secret)).status == 303
    creds = await store.staff.credentials("ana")
    assert creds is not None and creds.password_hash is not None
    assert creds.password_hash.startswith(f"scrypt${passwords.N}$")
    assert passwords.verify_password(PASSWORD, creds.password_hash)


async def test_setup_page_shows_a_qr_code_of_the_otpauth_address(client: TestClient) -> None:
    import base64
    import html as html_lib
    import xml.etree.ElementTree as ET

    import qrcode

    _, token = await accounts_of(client).create_first_admin("admin")
    page = await (await client.get(f"/staff/setup/{token}")).text()
    src = re.search(r'<img id="qr" src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', page)
    uri = re.search(r'<a href="([^"]+)" id="otpauth">', page)
    assert src and uri
    svg = ET.fromstring(base64.b64decode(src.group(1)))
    assert svg.tag.endswith("svg")
    # the same data gives the same module grid: size = modules of this address + 2 * border
    code = qrcode.QRCode(border=4)
    code.add_data(html_lib.unescape(uri.group(1)))
    code.make(fit=True)
    assert svg.get("viewBox") == f"0 0 {code.modules_count + 8} {code.modules_count + 8}"
