"""The admin home and privacy-safe statistics (issue 5). Routes /staff/admin/ and
/staff/admin/stats (``?format=csv``), for administrators and supervisors (counsellors 403).

Statistics come from aggregate queries (``store.stats``: counts per code or UTC day, never
a message body) and every count passes through ``display`` before it reaches a table, a
chart or the CSV: a count under ``THRESHOLD`` (5; zero included) is shown as ``< 5`` and
drawn as a grey bar of one fixed length, so neither the text nor a bar reveals it.

Totals: a total of a table is derived from its cells by ``total``. It is exact only when no
cell of the table is suppressed (it is then the sum of what is shown anyway); otherwise it
is ``≥ S``, S being the sum of the shown cells, which again adds nothing to what is on the
page. An exact total next to a suppressed cell would give the cell away (total minus the
rest), and rounding a total only narrows the range instead of closing it, so we suppress.
Waiting-time percentiles are shown only when at least THRESHOLD episodes were claimed (a
p90 of three waits is nearly one person's wait). Known limit: two breakdowns of the same
population (conversations by day and channel, by risk level) each sum to the same number
of conversations; when one of them has no suppressed cell, its sum and the other's shown
cells bound the other's suppressed cells together (not one cell alone when it has several).

The live summary on the home page (waiting now, high-risk waiting) is shown exactly: it is
the queue that these same roles see conversation by conversation in the console; the
conversations started today are a statistic and pass through ``display``.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Final

from aiohttp import web

from bot.services_admin import stale_services
from bot.storage.stats import OPEN_OUTCOME, RISK_ORDER
from bot.storage.types import Channel
from handoff.access import access_role, access_staff
from handoff.accounts import StaffSession
from handoff.roles import OVERSIGHT
from handoff.web import STATE, accounts_of, content_of, render, settings_of, store_of

THRESHOLD: Final = 5
SUPPRESSED: Final = f"< {THRESHOLD}"
DEFAULT_DAYS: Final = 30
MAX_DAYS: Final = 366
CHART_WIDTH: Final = 320  # the longest bar, in SVG user units
_BAR: Final = 16
_GAP: Final = 4
_CSV_RISKY: Final = ("=", "+", "-", "@", "\t", "\r")


# -- suppression: the one place a count becomes something shown --------------------------


@dataclass(frozen=True, slots=True)
class Shown:
    """A count as every output shows it: ``text`` for tables and CSV, ``bar`` for charts
    (None: suppressed, drawn at a fixed length)."""

    text: str
    bar: int | None

    @property
    def suppressed(self) -> bool:
        return self.bar is None


def display(count: int) -> Shown:
    """THE suppression rule: a count under THRESHOLD is shown as "< 5"."""
    if count < THRESHOLD:
        return Shown(SUPPRESSED, None)
    return Shown(str(count), count)


def total(cells: Iterable[Shown]) -> str:
    """The total of a table's cells, derived from what is shown (see the module docstring):
    exact without a suppressed cell, else "≥ sum of the shown cells"."""
    cells = list(cells)
    visible = sum(c.bar for c in cells if c.bar is not None)
    if any(c.suppressed for c in cells):
        return f"≥ {visible}"
    return str(visible)


# -- the statistics page model ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Row:
    label: str
    detail: str
    value: Shown


@dataclass(frozen=True, slots=True)
class Bar:
    y: int
    text_y: int
    width: int
    label: str
    value: str
    suppressed: bool


@dataclass(frozen=True, slots=True)
class Table:
    key: str  # the CSV's first column
    title: str
    label_heading: str
    detail_heading: str | None
    rows: list[Row]

    @property
    def total(self) -> str:
        return total(r.value for r in self.rows)

    @property
    def chart_height(self) -> int:
        return max(1, len(self.rows)) * (_BAR + _GAP)

    @property
    def bars(self) -> list[Bar]:
        """Horizontal bars, one per row; suppressed rows are a fixed THRESHOLD long."""
        top = max([THRESHOLD, *(r.value.bar or 0 for r in self.rows)])
        bars = []
        for i, row in enumerate(self.rows):
            length = row.value.bar if row.value.bar is not None else THRESHOLD
            label = f"{row.label} {row.detail}".strip()
            bars.append(
                Bar(
                    y=i * (_BAR + _GAP),
                    text_y=i * (_BAR + _GAP) + _BAR - 4,
                    width=max(1, round(CHART_WIDTH * length / top)),
                    label=label,
                    value=row.value.text,
                    suppressed=row.value.suppressed,
                )
            )
        return bars


@dataclass(frozen=True, slots=True)
class Waits:
    claimed: Shown
    p50: str
    p90: str
    p50_seconds: str
    p90_seconds: str


def _rows(counts: Mapping[str, int], order: Sequence[str] = ()) -> list[Row]:
    keys = [*order, *(k for k in counts if k not in order)]
    return [Row(k, "", display(counts.get(k, 0))) for k in keys]


def percentile(histogram: Mapping[int, int], fraction: float) -> int | None:
    """Nearest-rank percentile of a histogram (value → how many); None when empty."""
    n = sum(histogram.values())
    if n == 0:
        return None
    rank = max(1, math.ceil(fraction * n))
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    return max(histogram)  # pragma: no cover - the loop always reaches rank


def _duration(seconds: int) -> str:
    minutes, secs = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {secs} s"
    return f"{secs} s"


def waits_of(histogram: Mapping[int, int]) -> Waits:
    claimed = display(sum(histogram.values()))
    if claimed.suppressed:
        return Waits(claimed, SUPPRESSED, SUPPRESSED, SUPPRESSED, SUPPRESSED)
    p50, p90 = percentile(histogram, 0.5), percentile(histogram, 0.9)
    assert p50 is not None and p90 is not None
    return Waits(claimed, _duration(p50), _duration(p90), str(p50), str(p90))


@dataclass(frozen=True, slots=True)
class Period:
    first: date  # inclusive
    last: date  # inclusive

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, datetime.min.time(), UTC)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.last + timedelta(days=1), datetime.min.time(), UTC)

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1)]


class PeriodError(ValueError):
    pass


def parse_period(query: Mapping[str, str], today: date) -> Period:
    """``from``/``to`` (YYYY-MM-DD, inclusive); by default the last 30 days up to today;
    at most MAX_DAYS days."""
    try:
        last = date.fromisoformat(query["to"]) if query.get("to") else today
        first = (
            date.fromisoformat(query["from"])
            if query.get("from")
            else last - timedelta(days=DEFAULT_DAYS - 1)
        )
    except ValueError as exc:
        raise PeriodError("Dates must be written YYYY-MM-DD.") from exc
    if first > last:
        raise PeriodError("The first day must not be after the last day.")
    if (last - first).days + 1 > MAX_DAYS:
        raise PeriodError(f"The period can be at most {MAX_DAYS} days.")
    return Period(first, last)


async def build_tables(request: web.Request, period: Period) -> tuple[list[Table], Waits]:
    stats = store_of(request).stats
    start, end = period.start, period.end
    per_day = {(d, c): n for d, c, n in await stats.conversations_per_day(start, end)}
    channels = [c.value for c in Channel]
    day_rows = [
        Row(day.isoformat(), channel, display(per_day.get((day, channel), 0)))
        for day in period.days
        for channel in channels
    ]
    outcomes = await stats.outcomes(start, end)
    tables = [
        Table(
            "conversations_per_day",
            "Conversations per day and channel",
            "Day (UTC)",
            "Channel",
            day_rows,
        ),
        Table(
            "risk_levels",
            "Conversations by highest risk level",
            "Risk level",
            None,
            _rows(await stats.max_risk(start, end), RISK_ORDER),
        ),
        Table(
            "intents", "Messages by intent", "Intent", None, _rows(await stats.intents(start, end))
        ),
        Table(
            "handoffs",
            "Handoffs (queue episodes) by reason",
            "Reason",
            None,
            _rows(await stats.handoff_reasons(start, end)),
        ),
        Table(
            "outcomes",
            "Handoffs by outcome",
            "Outcome",
            None,
            _rows(outcomes, [k for k in outcomes if k != OPEN_OUTCOME]),
        ),
    ]
    return tables, waits_of(await stats.waits(start, end))


def _oversight(request: web.Request) -> StaffSession:
    session = access_staff(request)
    access_role(session, *OVERSIGHT)
    return session


def _today(request: web.Request) -> date:
    return request.config_dict[STATE].clock().astimezone(UTC).date()


def _csv_cell(value: str) -> str:
    """Keep a spreadsheet from reading a cell as a formula."""
    return f"'{value}" if value.startswith(_CSV_RISKY) else value


def stats_csv(tables: Sequence[Table], waits: Waits, period: Period) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["table", "label", "detail", "count"])
    for table in tables:
        for row in table.rows:
            writer.writerow(
                [table.key, _csv_cell(row.label), _csv_cell(row.detail), row.value.text]
            )
        writer.writerow([table.key, "total", "", table.total])
    writer.writerow(["waits", "claimed_episodes", "", waits.claimed.text])
    writer.writerow(["waits", "p50_seconds", "", waits.p50_seconds])
    writer.writerow(["waits", "p90_seconds", "", waits.p90_seconds])
    writer.writerow(["period", period.first.isoformat(), period.last.isoformat(), ""])
    return out.getvalue()


async def stats_page(request: web.Request) -> web.StreamResponse:
    session = _oversight(request)
    today = _today(request)
    try:
        period = parse_period(request.query, today)
    except PeriodError as exc:
        default = parse_period({}, today)
        return render(
            request,
            "admin_stats.html",
            status=400,
            error=str(exc),
            period=default,
            tables=[],
            waits=None,
            threshold=THRESHOLD,
            max_days=MAX_DAYS,
        )
    tables, waits = await build_tables(request, period)
    if request.query.get("format") == "csv":
        await accounts_of(request).audit(session, "stats_exported")
        name = f"statistics-{period.first.isoformat()}-{period.last.isoformat()}.csv"
        return web.Response(
            text=stats_csv(tables, waits, period),
            content_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    return render(
        request,
        "admin_stats.html",
        error=None,
        period=period,
        tables=tables,
        waits=waits,
        threshold=THRESHOLD,
        max_days=MAX_DAYS,
    )


async def admin_home(request: web.Request) -> web.StreamResponse:
    _oversight(request)
    today = _today(request)
    midnight = datetime.combine(today, datetime.min.time(), UTC)
    live = await store_of(request).stats.live(midnight)
    days = settings_of(request).services_stale_days
    stale = stale_services(content_of(request).library, today, days)
    return render(
        request,
        "admin_home.html",
        today_count=display(live.conversations_today),
        waiting=live.waiting,
        high_risk_waiting=live.high_risk_waiting,
        stale=stale,
        stale_days=days,
    )


def install(app: web.Application) -> None:
    """Add this area's routes to the staff sub-application."""
    app.router.add_get("/admin/", admin_home)
    app.router.add_get("/admin/stats", stats_page)
