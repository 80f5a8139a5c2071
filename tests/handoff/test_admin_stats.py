"""The admin home and the statistics pages, with real requests over seeded data."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from aiohttp.test_utils import TestClient
from sqlalchemy import insert

from bot.storage.models import messages
from handoff.admin_stats import SUPPRESSED, display, parse_period, percentile, total
from tests.handoff.conftest import MemberFactory, store_of
from tests.storage.stats_seed import seed

SCRIPT = "<script>alert(1)</script>"


def _period_query(seeded: Any) -> str:
    return f"from={seeded.days[0].isoformat()}&to={seeded.days[2].isoformat()}"


async def _seed_with_script(client: TestClient) -> Any:
    store = store_of(client)
    seeded = await seed(store)
    # codes are validated on the way in; write one past the validation, as an attacker
    # with database access could, to prove the pages escape it anyway
    async with store.engine.begin() as conn:
        for seq in range(100, 106):
            await conn.execute(
                insert(messages).values(
                    conversation_id=seeded.conversation_ids[0],
                    seq=seq,
                    sender="user",
                    created_at=seeded.base,
                    body=b"x" * 40,
                    intent=SCRIPT,
                    risk=None,
                )
            )
    return seeded


def test_one_suppression_rule() -> None:
    assert [display(n).text for n in (0, 1, 4, 5, 17)] == [SUPPRESSED] * 3 + ["5", "17"]
    assert display(3).bar is None and display(5).bar == 5
    assert total([display(7), display(9)]) == "16"
    assert total([display(7), display(3), display(9)]) == "≥ 16"  # not 19: 3 stays hidden
    assert percentile({60: 1, 120: 1, 180: 1, 240: 1, 300: 1, 600: 1}, 0.5) == 180
    assert percentile({60: 1, 120: 1, 180: 1, 240: 1, 300: 1, 600: 1}, 0.9) == 600
    assert percentile({}, 0.5) is None


def test_period_defaults_and_limits() -> None:
    from datetime import date

    import pytest

    from handoff.admin_stats import PeriodError

    today = date(2025, 3, 31)
    period = parse_period({}, today)
    assert (period.first, period.last, len(period.days)) == (date(2025, 3, 2), today, 30)
    assert len(parse_period({"from": "2024-03-31", "to": "2025-03-31"}, today).days) == 366
    for bad in ({"from": "2024-03-30", "to": "2025-03-31"}, {"from": "x"}, {"from": "2025-04-02"}):
        with pytest.raises(PeriodError):
            parse_period(bad, today)


async def test_counsellor_is_refused(client: TestClient, member: MemberFactory) -> None:
    cora = await member("cora", "counsellor")
    for path in ("/staff/admin/", "/staff/admin/stats", "/staff/admin/stats?format=csv"):
        resp = await cora.client.get(path, allow_redirects=False)
        assert resp.status == 403, path
    assert 'href="/staff/admin/"' not in await (await cora.client.get("/staff/")).text()


async def test_supervisor_and_admin_see_the_statistics(
    client: TestClient, member: MemberFactory
) -> None:
    seeded = await _seed_with_script(client)
    for role in ("supervisor", "administrator"):
        who = await member(f"{role[:3]}-stats", role)
        resp = await who.client.get(f"/staff/admin/stats?{_period_query(seeded)}")
        assert resp.status == 200
        html = await resp.text()
        assert "<svg" in html and "<rect" in html  # charts, not only tables
        assert " style=" not in html and "<script" not in html  # CSP: no inline style/script
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # the stored code, escaped
        # small counts: 2 telegram conversations on the first day, 3 web on the second,
        # 1 elevated, 2 imminent, 3 ask_hotline, 2 risk_high, 1 referred, 2 open
        day0, day1 = seeded.days[0].isoformat(), seeded.days[1].isoformat()
        cells = re.findall(r"<tr><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", html)
        assert (day0, "telegram", "&lt; 5") in cells
        assert (day1, "web", "&lt; 5") in cells
        assert (day0, "web", "7") in cells and (day1, "telegram", "6") in cells
        pairs = re.findall(r"<tr><td>([^<]*)</td><td>([^<]*)</td></tr>", html)
        for label in ("elevated", "imminent", "ask_hotline", "risk_high", "referred", "open"):
            assert (label, "&lt; 5") in pairs, label
        for label, shown in (("none", "14"), ("high", "6"), ("greet", "8"), ("resolved", "5")):
            assert (label, shown) in pairs, label
        # suppressed counts never appear as numbers next to their bars either
        assert re.search(r">\s*[1-4]\s*</text>", html) is None
        # totals next to a suppressed cell are lower bounds, never exact
        assert "<td>≥ 20</td>" in html  # risk levels: 14 + 6 shown, 3 hidden
        assert "<td>23</td>" not in html
        # waits: 6 claimed, p50 3 min, p90 10 min
        assert "<td>3 min 0 s</td>" in html and "<td>10 min 0 s</td>" in html


async def test_csv_has_a_header_and_the_suppressed_cells(
    client: TestClient, member: MemberFactory
) -> None:
    seeded = await _seed_with_script(client)
    sam = await member("sam", "supervisor")
    resp = await sam.client.get(f"/staff/admin/stats?format=csv&{_period_query(seeded)}")
    assert resp.status == 200
    assert resp.content_type == "text/csv"
    assert "attachment" in resp.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(await resp.text())))
    assert rows[0] == ["table", "label", "detail", "count"]
    day0, day1 = seeded.days[0].isoformat(), seeded.days[1].isoformat()
    assert ["conversations_per_day", day0, "telegram", SUPPRESSED] in rows
    assert ["conversations_per_day", day1, "web", SUPPRESSED] in rows
    assert ["conversations_per_day", day0, "web", "7"] in rows
    assert ["risk_levels", "imminent", "", SUPPRESSED] in rows
    assert ["risk_levels", "total", "", "≥ 20"] in rows
    assert ["intents", SCRIPT, "", "6"] in rows  # CSV is not HTML; it is a download
    assert ["waits", "p50_seconds", "", "180"] in rows
    assert ["waits", "p90_seconds", "", "600"] in rows
    for row in rows[1:]:
        count = row[3]
        assert count == "" or count == SUPPRESSED or count.startswith("≥") or int(count) >= 5


async def test_too_long_a_period_is_refused(client: TestClient, member: MemberFactory) -> None:
    ada = await member("ada", "administrator")
    resp = await ada.client.get("/staff/admin/stats?from=2020-01-01&to=2021-06-01")
    assert resp.status == 400
    assert "at most 366 days" in await resp.text()


async def test_few_waits_hide_the_percentiles(client: TestClient, member: MemberFactory) -> None:
    ada = await member("ada", "administrator")
    html = await (await ada.client.get("/staff/admin/stats")).text()
    assert '<tr><th scope="row">Median (p50)</th><td>&lt; 5</td></tr>' in html


async def test_admin_home(client: TestClient, member: MemberFactory) -> None:
    store = store_of(client)
    await seed(store)
    sam = await member("sam", "supervisor")
    home = await (await sam.client.get("/staff/")).text()
    assert 'href="/staff/admin/"' in home  # the nav link
    resp = await sam.client.get("/staff/admin/")
    assert resp.status == 200
    html = await resp.text()
    for link in ("/staff/admin/stats", "/staff/admin/content", "/staff/admin/services"):
        assert f'href="{link}"' in html
    assert 'href="/staff/admin/staff"' not in html  # administrators only
    assert "<td>2</td>" in html  # waiting now: the two queued risk_high episodes
    ada = await member("ada", "administrator")
    html = await (await ada.client.get("/staff/admin/")).text()
    assert 'href="/staff/admin/staff"' in html and 'href="/staff/admin/audit"' in html
    assert "Services to check" in html
