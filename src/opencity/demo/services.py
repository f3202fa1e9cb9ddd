"""Load the Huế demo pack: reference data, people and a year of report history.

``make run`` calls this on every start, so :func:`demo_is_loaded` is one indexed query and a
loaded pack is never touched again. Everything is written in one transaction: a pack is either
fully there or not at all, which is what makes that single query a sufficient marker.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX, make_password
from django.db import transaction
from django.utils import timezone

from opencity.accounts.models import Role, User
from opencity.geo.models import Area
from opencity.geo.selectors import reset_index
from opencity.geo.services import areas_load_city
from opencity.lib.phone import normalize_phone
from opencity.orgs.models import Membership, Unit, UnitLevel
from opencity.reports.models import (
    Category,
    CategoryQuestion,
    ResponseTemplate,
    RoutingRule,
    Status,
)

from . import history, texts
from .images import ensure_images
from .life import Context, Ward
from .pack import (
    AUTOMATIC_WARD_RULES,
    CATEGORIES,
    DEMO_LOGINS,
    DEMO_PASSWORD,
    STAFF,
    TEMPLATES,
    UNITS,
    WARD_UNITS,
    StaffRow,
)

CITIZEN_COUNT = 150
# The last login created; the pack is written in one transaction, so its presence means the
# whole pack is there.
MARKER_PHONE = DEMO_LOGINS[-1].phone


@dataclass
class DemoSummary:
    loaded: bool
    seconds: float = 0.0
    statuses: Counter[str] = field(default_factory=Counter)
    counts: dict[str, int] = field(default_factory=dict)


def demo_is_loaded() -> bool:
    """One indexed lookup: cheap enough to run on every start."""
    return User.objects.filter(phone=normalize_phone(MARKER_PHONE)).exists()


def _city() -> Area:
    return Area.objects.get(code="46")


def _units(city: Area, wards: dict[str, Area]) -> dict[str, Unit]:
    units = {}
    for row in UNITS:
        area = wards[row.ward] if row.ward else city
        unit, _created = Unit.objects.get_or_create(
            code=row.code,
            defaults={
                "name": row.name,
                "short_name": row.short_name,
                "kind": row.kind,
                "level": UnitLevel.WARD if row.ward else UnitLevel.CITY,
                "area": area,
                "requires_result_approval": row.requires_result_approval,
            },
        )
        units[row.code] = unit
    return units


def _categories() -> dict[str, Category]:
    categories = {}
    for order, row in enumerate(CATEGORIES, start=1):
        category, created = Category.objects.get_or_create(
            code=row.code,
            defaults={
                "name_vi": row.name_vi,
                "name_en": row.name_en,
                "group": row.group,
                "icon": row.icon,
                "deadline_hours": row.deadline_hours,
                "duplicate_radius_m": row.duplicate_radius_m,
                "order": order * 10,
            },
        )
        if created:
            for q_order, q in enumerate(row.questions, start=1):
                question = CategoryQuestion(
                    category=category,
                    code=q.code,
                    label_vi=q.label_vi,
                    label_en=q.label_en,
                    kind=q.kind,
                    required=q.required,
                    public=q.public,
                    choices=list(q.choices),
                    order=q_order,
                )
                question.full_clean()
                question.save()
        categories[row.code] = category
    return categories


def _rules(categories: dict[str, Category], units: dict[str, Unit], wards: dict[str, Area]) -> int:
    """City-wide rules for every category, ward rules for the wards with their own UBND unit.
    Existing rules (an administrator's) are kept."""
    created = 0
    for row in CATEGORIES:
        category = categories[row.code]
        _rule, new = RoutingRule.objects.get_or_create(
            category=category,
            area=None,
            defaults={"unit": units[row.unit], "automatic": row.automatic},
        )
        created += new
        if not row.ward_rules:
            continue
        for ward_row in WARD_UNITS:
            _rule, new = RoutingRule.objects.get_or_create(
                category=category,
                area=wards[ward_row.ward],
                defaults={
                    "unit": units[ward_row.code],
                    "automatic": row.code in AUTOMATIC_WARD_RULES,
                },
            )
            created += new
    return created


def _templates(categories: dict[str, Category], units: dict[str, Unit]) -> None:
    for row in TEMPLATES:
        ResponseTemplate.objects.get_or_create(
            unit=units[row.unit] if row.unit else None,
            category=categories[row.category] if row.category else None,
            title=row.title,
            defaults={"text": row.text},
        )


def _citizen_ids(r: random.Random, count: int) -> list[str]:
    taken = set(User.objects.values_list("citizen_id", flat=True))
    ids: list[str] = []
    while len(ids) < count:
        candidate = f"{r.randrange(10**11, 10**12):012d}"
        if candidate not in taken:
            taken.add(candidate)
            ids.append(candidate)
    return ids


def _staff(units: dict[str, Unit], wards: dict[str, Area], r: random.Random) -> dict[str, User]:
    """The demo logins (through ``create_user``, as a person would be created) and the other
    staff. Hashing is deliberately slow (~0.2 s per password), so the other staff share one
    hash of the public demo password instead of forty."""
    users: dict[str, User] = {}
    existing = {
        u.phone: u
        for u in User.objects.filter(
            phone__in=[normalize_phone(s.phone) for s in DEMO_LOGINS + STAFF]
        )
    }

    def extra(row: StaffRow) -> dict:
        fields: dict = {"full_name": row.full_name, "role": row.role}
        if row.home_area:
            fields["home_area"] = wards[row.home_area]
        if row.is_admin:
            fields.update(is_staff=True, is_superuser=True)
        return fields

    for row in DEMO_LOGINS:
        user = existing.get(normalize_phone(row.phone))
        if user is None:
            user = User.objects.create_user(row.phone, DEMO_PASSWORD, **extra(row))
        users[row.phone] = user
    shared_hash = make_password(DEMO_PASSWORD)
    new = [row for row in STAFF if normalize_phone(row.phone) not in existing]
    ids = _citizen_ids(r, len(new))
    User.objects.bulk_create(
        [
            User(
                phone=normalize_phone(row.phone),
                password=shared_hash,
                citizen_id=ids[i],
                **extra(row),
            )
            for i, row in enumerate(new)
        ]
    )
    for user in User.objects.filter(phone__in=[normalize_phone(s.phone) for s in STAFF]):
        users[_national(user.phone)] = user
    memberships = [
        Membership(unit=units[row.unit], user=users[row.phone], is_head=row.is_head)
        for row in DEMO_LOGINS + STAFF
        if row.unit
        and not Membership.objects.filter(unit=units[row.unit], user=users[row.phone]).exists()
    ]
    Membership.objects.bulk_create(memberships)
    return users


def _national(phone: str) -> str:
    return "0" + phone[3:] if phone.startswith("+84") else phone


def _citizens(r: random.Random, wards: list[Ward], now: dt.datetime) -> list[User]:
    """About 150 people who sent the history's reports. They cannot log in (no password)."""
    taken = set(User.objects.values_list("phone", flat=True))
    ids = _citizen_ids(r, CITIZEN_COUNT)
    weights = [w.weight for w in wards]
    people = []
    for i in range(CITIZEN_COUNT):
        while True:
            phone = "+84" + r.choice(texts.MOBILE_PREFIXES)[1:] + f"{r.randrange(10**6):06d}"
            if phone not in taken:
                taken.add(phone)
                break
        people.append(
            User(
                phone=phone,
                citizen_id=ids[i],
                full_name=history.person_name(r),
                role=Role.CITIZEN,
                home_area=r.choices(wards, weights)[0].area,
                password=UNUSABLE_PASSWORD_PREFIX
                + "".join(r.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(40)),
                date_joined=now - dt.timedelta(days=r.uniform(370, 900)),
            )
        )
    return User.objects.bulk_create(people)


def demo_load(*, reports: int = 2000, seed: int = 2025) -> DemoSummary:
    """Load the pack unless it is there already (then return ``loaded=False`` and do nothing)."""
    started = time.monotonic()
    if demo_is_loaded():
        from .privacy import demo_load_privacy

        demo_load_privacy()  # added after the pack: an installed demo gains it too (idempotent)
        return DemoSummary(loaded=False)
    r = random.Random(seed)
    with transaction.atomic():
        areas_load_city()
        reset_index()  # boundaries may have changed in this transaction
        city = _city()
        wards = {a.name: a for a in Area.objects.filter(parent=city)}
        units = _units(city, wards)
        categories = _categories()
        _rules(categories, units, wards)
        _templates(categories, units)
        staff = _staff(units, wards, r)
        ward_infos = history.load_wards()
        now = timezone.now().replace(second=0, microsecond=0)
        citizens = _citizens(r, ward_infos, now)
        images = ensure_images(seed)

        members = Membership.objects.filter(user__in=staff.values()).select_related("user")
        officers: dict[int, list[User]] = {}
        heads: dict[int, list[User]] = {}
        for m in members.order_by("user__phone"):
            (heads if m.is_head else officers).setdefault(m.unit_id, []).append(m.user)
        by_area: dict[int, list[User]] = {}
        for person in citizens:
            by_area.setdefault(person.home_area_id, []).append(person)
        rules = {
            (rule.category_id, rule.area_id): rule
            for rule in RoutingRule.objects.select_related("unit").filter(unit__is_active=True)
        }
        rows = {row.code: row for row in CATEGORIES}
        cats = {
            c.code: (c, rows[c.code])
            for c in Category.objects.prefetch_related("questions")
            if c.code in rows
        }
        ctx = Context(
            now=now,
            wards=ward_infos,
            categories=cats,
            rules=rules,
            units=units,
            officers=officers,
            heads=heads,
            operators=[u for u in staff.values() if u.role == Role.OPERATOR],
            hotline=[u for u in staff.values() if u.role == Role.HOTLINE],
            citizens=citizens,
            demo_citizen=staff[DEMO_LOGINS[0].phone],
            images=images,
            city_units=[u for u in units.values() if u.level == UnitLevel.CITY],
            citizens_by_area=by_area,
        )
        from .press import PRESS_REPORTS

        # the press story files its own reports (demo/press.py): the history leaves room for them
        press_reports = reports >= 10 * PRESS_REPORTS
        runs = history.generate(ctx, count=reports - PRESS_REPORTS if press_reports else reports,
                                seed=r.getrandbits(64))
        counts = history.persist(runs)

        from opencity.alerts.demo import demo_load_warnings

        demo_load_warnings()  # the floods of October–November last year
        from opencity.emergency.demo import demo_load_rescue

        demo_load_rescue()  # and the rescue requests of those floods
        from opencity.hotline.demo import demo_load_calls

        demo_load_calls()  # and the hotline's calls, linked to what it filed
        from .incident import demo_load_incident

        demo_load_incident(year=timezone.localdate().year - 1)  # the flood as one incident, through its services
        from .monitoring import demo_load_monitoring

        demo_load_monitoring(year=timezone.localdate().year - 1)  # what the sensors said, then and now
        from .dossiers import demo_load_dossiers

        demo_load_dossiers()  # six months of one-stop dossiers, through the import service
        from .press import demo_load_press

        demo_load_press(reports=press_reports)  # a few days of news and social posts, two turned into reports
        from .privacy import demo_load_privacy

        demo_load_privacy()  # the record of processing, privacy requests (one overdue), a breach drill
        from .catalog import demo_load_catalog

        demo_load_catalog()  # the home of services (50+ of Huế's) and the city's news
        from .identity import demo_load_identity

        demo_load_identity()  # the public-services portal signs in with the city's identity

        from opencity.reports import kpi

        kpi.rollups_rebuild()  # bulk rows skip the hooks that keep the figures current
    counts.update(
        units=len(units),
        categories=len(categories),
        rules=RoutingRule.objects.count(),
        staff=len(staff),
        citizens=len(citizens),
    )
    statuses = Counter({str(s): 0 for s in Status.values})
    statuses.update(str(run.status) for run in runs)
    return DemoSummary(
        loaded=True, seconds=time.monotonic() - started, statuses=statuses, counts=counts
    )
