"""Demo data: a few days of what the news and social pages said about Huế, told through the press
services.

- Three sources as an administrator would enter them — a newspaper's RSS feed, a news sitemap and
  a social listening tool's import source — left inactive: their addresses are examples, and the
  demo never fetches anything. Their items come from the sample files kept in the app
  (``press/samples/``), read by the product's own parsers and stored by ``entries_store``.
- The topics (keyword sets) of the report categories the press most often raises: flooding,
  street lighting, waste, damaged roads, water, electricity, trees, pavements, noise.
- The samples' dates moved so that the newest item is two hours old; the items arrive at their
  moments (``lib.pastclock.played_at``) and the duty operator works them: the broken street
  lights of Kiệt 32 Lê Văn Hưu become a field report, the unit resolves it and the city publishes
  the result as its response; the Trần Phú flooding becomes a report in progress; a water outage
  is answered and the answer published; the festival news is dismissed.

Deterministic; running it again does nothing. About 20 items, well under a second.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from opencity.accounts.models import Role, User
from opencity.errors import DomainError
from opencity.lib.pastclock import played_at
from opencity.lib.phone import normalize_phone
from opencity.press import parse
from opencity.press import services as press
from opencity.press.models import PressItem, PressSource, SourceKind, Topic
from opencity.reports.models import Category

from .pack import DEMO_LOGINS

SAMPLES = Path(press.__file__).resolve().parent.parent / "samples"

SOURCES = (
    ("thoisu-hue", "Thời sự Huế", SourceKind.FEED, "https://thoisuhue.example.vn/rss/thoi-su.rss", False, 20000),
    ("tin-mien-trung", "Tin Miền Trung", SourceKind.SITEMAP, "https://tinmientrung.example.vn/sitemap-news.xml",
     False, 15000),
    ("lang-nghe-mxh", "Lắng nghe mạng xã hội", SourceKind.IMPORT, "", True, 0),
)

TOPICS = (
    ("ngap-ung", "Ngập úng", "ngập\nngập úng\nngập sâu\ntriều cường\nnước rút", "ngap-ung", 15),
    ("chieu-sang", "Chiếu sáng", "đèn đường\nchiếu sáng công cộng\ntối om", "chieu-sang", 15),
    ("rac-thai", "Rác thải, môi trường", "rác thải\nđổ trộm rác\nbốc mùi\nhôi thối", "rac-thai", 12),
    ("duong-hu-hong", "Đường hư hỏng", "ổ gà\nxuống cấp\nbong tróc\nsạt lở", "hu-hong-duong", 12),
    ("cap-nuoc", "Cấp nước", "mất nước\nnước sinh hoạt\ncấp nước", "cap-nuoc", 12),
    ("dien", "Điện", "mất điện\ncúp điện\nđường dây điện", "dien", 10),
    ("cay-xanh", "Cây xanh", "cây xanh\nbật gốc\ncây đổ", "cay-xanh", 12),
    ("via-he", "Lấn chiếm vỉa hè", "lấn chiếm vỉa hè\nlấn chiếm", "lan-chiem-via-he", 10),
    ("tieng-on", "Tiếng ồn", "tiếng ồn\nkaraoke", "tieng-on", 8),
    ("giao-thong", "Giao thông", "kẹt xe\nùn tắc\nđèn tín hiệu", "bien-bao-den-tin-hieu", 8),
)

# What the duty operator and the unit do, by the item's link (its start), hours after it arrives.
STORY = (
    ("https://thoisuhue.example.vn/do-thi/hang-loat-den-duong", 1.0, "report", "chieu-sang"),
    ("https://thoisuhue.example.vn/do-thi/hang-loat-den-duong", 20.0, "resolve",
     "Công ty đã thay 6 bộ đèn LED và sửa đường dây trên kiệt 32 Lê Văn Hưu; toàn tuyến đã sáng trở lại."),
    ("https://thoisuhue.example.vn/do-thi/hang-loat-den-duong", 22.0, "respond", ""),
    ("https://thoisuhue.example.vn/xa-hoi/duong-tran-phu", 0.7, "report", "ngap-ung"),
    ("https://thoisuhue.example.vn/xa-hoi/duong-tran-phu", 3.0, "accept", ""),
    ("https://thoisuhue.example.vn/van-hoa/festival-hue", 2.0, "dismiss", "Tin tích cực, không cần xử lý."),
    ("https://thoisuhue.example.vn/xa-hoi/khu-dan-cu-phuong-huong-thuy", 0.5, "answer",
     "Công ty Cấp nước Huế cho biết đường ống D300 bị vỡ khi thi công; đã sửa xong, nước cấp lại từ 17 giờ "
     "ngày 05/12 và sẽ thông báo trước cho người dân khi tạm ngừng cấp nước."),
    ("https://thoisuhue.example.vn/xa-hoi/khu-dan-cu-phuong-huong-thuy", 0.6, "respond", ""),
)


PRESS_REPORTS = 2  # the items the story turns into field reports (demo.services leaves room for them)


@dataclass
class DemoPress:
    loaded: bool
    items: int = 0
    reports: int = 0
    responses: int = 0


def _operator() -> User | None:
    row = next(row for row in DEMO_LOGINS if row.role == Role.OPERATOR)
    return User.objects.filter(phone=normalize_phone(row.phone)).first()


def _officer(unit_id: int) -> User | None:
    from opencity import policy

    return policy.unit_members(unit_id).filter(role=Role.OFFICER).order_by("phone").first()


def _entries(sources: dict[str, PressSource]) -> list[tuple[PressSource, parse.Entry]]:
    out = [(sources["thoisu-hue"], e) for e in parse.parse_feed((SAMPLES / "thoisu-hue.rss").read_bytes())]
    out += [(sources["tin-mien-trung"], e)
            for e in parse.parse_sitemap((SAMPLES / "tin-mien-trung-sitemap.xml").read_bytes())]
    for name, fmt in (("social-export.json", "json"), ("social-export.csv", "csv")):
        rows, _errors = parse.parse_export((SAMPLES / name).read_bytes(), fmt=fmt)
        out += [(sources["lang-nghe-mxh"], e) for _n, e in rows]
    return out


def _answers(category: Category) -> dict:
    """What the operator answers to the category's required questions, from the article."""
    from opencity.reports.models import QuestionKind

    answers: dict = {}
    for q in category.questions.filter(required=True):
        if q.kind == QuestionKind.SINGLE:
            answers[q.code] = q.choices[0]["key"]
        elif q.kind == QuestionKind.MULTIPLE:
            answers[q.code] = [q.choices[0]["key"]]
        elif q.kind == QuestionKind.NUMBER:
            answers[q.code] = "1"
        elif q.kind == QuestionKind.DATE:
            answers[q.code] = timezone.localdate().strftime("%d/%m/%Y")
        else:
            answers[q.code] = "Theo bài báo"
    return answers


def _act(action: str, arg: str, item: PressItem, operator: User, summary: DemoPress) -> None:
    item.refresh_from_db()
    if action == "report":
        category = Category.objects.filter(code=arg).first()
        if category is not None:
            press.item_to_report(actor=operator, item_id=item.pk, category_id=category.pk,
                                 answers=_answers(category))
            summary.reports += 1
    elif action in ("accept", "resolve") and item.report_id:
        from opencity.reports.services import report_accept, report_resolve

        report = item.report
        officer = _officer(report.unit_id) if report.unit_id else None
        if officer is None:
            return
        if report.status == "assigned":
            report_accept(report_id=report.pk, actor=officer)
        if action == "resolve":
            report_resolve(report_id=report.pk, actor=officer, result=arg)
    elif action == "dismiss":
        press.item_dismiss(actor=operator, item_id=item.pk, note=arg)
    elif action == "answer":
        press.item_answer(actor=operator, item_id=item.pk, answer=arg)
    elif action == "respond":
        press.item_respond(actor=operator, item_id=item.pk)
        summary.responses += 1


def demo_load_press(*, reports: bool = True, now: dt.datetime | None = None) -> DemoPress:
    """Load the sources, topics and a few days of items, and work some of them; ``reports``:
    whether the story files its :data:`PRESS_REPORTS` field reports (not when the demo loads
    reference data only). Does nothing if the demo's sources are there."""
    if PressSource.objects.filter(code="thoisu-hue").exists():
        return DemoPress(loaded=False)
    real_now = (now or timezone.now()).replace(microsecond=0)
    summary = DemoPress(loaded=True)
    sources = {}
    for code, name, kind, url, social, reach in SOURCES:
        sources[code] = PressSource.objects.create(code=code, name=name, kind=kind, url=url, is_social=social,
                                                   default_reach=reach, is_active=False)
    categories = {c.code: c for c in Category.objects.filter(code__in=[t[3] for t in TOPICS])}
    for code, name, keywords, category, weight in TOPICS:
        Topic.objects.create(code=code, name=name, keywords=keywords, category=categories.get(category), weight=weight)
    entries = _entries(sources)
    newest = max(e.published_at for _s, e in entries if e.published_at)
    shift = (real_now - dt.timedelta(hours=2)) - newest
    queue: list[tuple[dt.datetime, int, str, tuple]] = []
    order = itertools.count()
    for source, entry in entries:
        entry.published_at = (entry.published_at or newest) + shift
        heapq.heappush(queue, (entry.published_at + dt.timedelta(minutes=15), next(order), "collect",
                               (source, entry)))
    operator = _operator()
    with transaction.atomic(), played_at(queue[0][0]) as clock:
        while queue:
            moment, _n, kind, payload = heapq.heappop(queue)
            if moment > real_now - dt.timedelta(minutes=5):
                continue
            clock.set(max(clock.moment, moment))
            if kind == "collect":
                source, entry = payload
                stored = press.entries_store(source=source, entries=[entry], now=clock.moment)
                summary.items += stored.created
                for prefix, hours, action, arg in STORY:
                    if not reports and action in ("report", "accept", "resolve"):
                        continue
                    if entry.url.startswith(prefix) and stored.items and operator is not None:
                        heapq.heappush(queue, (clock.moment + dt.timedelta(hours=hours), next(order), action,
                                               (stored.items[0].pk, arg)))
            else:
                item_id, arg = payload
                try:
                    with transaction.atomic():
                        _act(kind, arg, PressItem.objects.get(pk=item_id), operator, summary)
                except DomainError:
                    pass  # a unit whose results wait for its head's approval: no response yet
    return summary
