"""The demo branch that `seed_demo` writes. Running it again updates, never duplicates."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from lobby.choices import BusinessType as B
from lobby.choices import Cue as C
from lobby.choices import Prejudgement as P
from lobby.choices import Role, ZoneKind
from lobby.models import (
    Branch,
    CallingSettings,
    RoutingRule,
    Staff,
    TicketQueue,
    Tier,
    Visit,
    Window,
    WindowQueue,
    Zone,
)
from products import demo_catalogue
from products.models import Product, Script

DEMO_PASSWORD = "lobby-demo"


@dataclass(frozen=True)
class DemoStaff:
    username: str
    role: str
    display_name: str
    station: str = ""
    sells_investments: bool = False  # a low-counter teller with the sales qualification
    serves_vip_room: bool = False  # a wealth manager who receives VIP-room referrals


ROSTER = [
    DemoStaff("manager", Role.LOBBY_MANAGER, "李经理"),
    DemoStaff("assistant", Role.LOBBY_ASSISTANT, "小周"),
    DemoStaff("teller1", Role.TELLER_HIGH, "陈柜员", "1号窗口"),
    DemoStaff("teller2", Role.TELLER_HIGH, "赵柜员", "2号窗口"),
    DemoStaff("teller3", Role.TELLER_LOW, "孙柜员", "5号窗口", sells_investments=True),
    DemoStaff("wealth1", Role.WEALTH_MANAGER, "王经理", "理财室1", serves_vip_room=True),
    DemoStaff("wealth2", Role.WEALTH_MANAGER, "刘经理", "理财室2"),
    DemoStaff("admin", Role.BRANCH_ADMIN, "张行长"),
]

TIERS = [
    # code, zh, en, threshold in yuan, VIP?
    ("regular", "普通客户", "Regular", 0, False),
    ("gold", "金卡客户", "Gold", 50_000, True),
    ("platinum", "白金客户", "Platinum", 200_000, True),
    ("diamond", "钻石客户", "Diamond", 1_000_000, True),
    ("private", "私人银行客户", "Private banking", 6_000_000, True),
]

QUEUES = [
    # prefix, zh, en, counter, VIP?, business types
    (
        "A",
        "个人现金业务",
        "Personal cash",
        ZoneKind.COUNTER_CASH,
        False,
        [B.CASH_LARGE, B.TRANSFER_REMIT, B.FX_EXCHANGE],
    ),
    (
        "B",
        "个人非现金业务",
        "Personal non-cash",
        ZoneKind.COUNTER_NONCASH,
        False,
        [
            B.CARD_ACCOUNT_OPEN,
            B.LOSS_REPORT_PASSWORD,
            B.EBANK_ACTIVATION,
            B.LOAN_CONSULT,
            B.CORPORATE,
        ],
    ),
    ("V", "贵宾业务", "VIP", ZoneKind.COUNTER_CASH, True, []),
    ("Y", "预约业务", "Appointments", ZoneKind.COUNTER_NONCASH, False, []),
]

SELF_SERVICE = {B.CASH_SMALL, B.BILL_PAYMENT, B.PASSBOOK_UPDATE}
# business type → (queue prefix, needs a form)
TICKETED: dict[str, tuple[str, bool]] = {
    B.CASH_LARGE: ("A", True),
    B.TRANSFER_REMIT: ("A", True),
    B.FX_EXCHANGE: ("A", True),
    B.CARD_ACCOUNT_OPEN: ("B", True),
    B.LOSS_REPORT_PASSWORD: ("B", True),
    B.EBANK_ACTIVATION: ("B", False),
    B.LOAN_CONSULT: ("B", False),
    B.CORPORATE: ("B", True),
}


def default_rule(business: str, prejudgement: str) -> dict:
    """The domain's default routing for one cell of the table (a branch may change any cell)."""
    vip = prejudgement == P.VIP
    if business == B.COMPLAINT:
        return {"destination": ZoneKind.GREETING, "queue": None, "needs_form": False}
    if business in (B.WEALTH_CONSULT, B.WEALTH_PURCHASE):
        return {
            "destination": ZoneKind.VIP_ROOM if vip else ZoneKind.WEALTH,
            "queue": None,
            "needs_form": False,
            "wealth_handoff": True,
        }
    if vip:
        # VIPs are served in the VIP area, from the VIP queue, whatever the business.
        return {"destination": ZoneKind.VIP_ROOM, "queue": "V", "needs_form": False}
    if business in SELF_SERVICE:
        return {"destination": ZoneKind.SELF_SERVICE, "queue": None, "needs_form": False}
    prefix, needs_form = TICKETED[business]
    return {
        "destination": ZoneKind.FORM_DESK if needs_form else ZoneKind.WAITING,
        "queue": prefix,
        "needs_form": needs_form,
    }


# number, zh, en, zone, queue prefixes in order of priority
WINDOWS = [
    (1, "1号窗口", "Window 1", ZoneKind.COUNTER_CASH, ["A"]),
    (2, "2号窗口", "Window 2", ZoneKind.COUNTER_CASH, ["A"]),
    (3, "3号窗口", "Window 3", ZoneKind.COUNTER_NONCASH, ["B", "Y"]),
    # The VIP window serves VIPs first and helps with the other queues when none wait.
    (5, "5号窗口", "Window 5", ZoneKind.VIP_ROOM, ["V", "A", "B"]),
]


def seed_windows(branch: Branch, queues: dict[str, TicketQueue]) -> None:
    CallingSettings.for_branch(branch)
    for number, zh, en, zone, prefixes in WINDOWS:
        window, _ = Window.objects.update_or_create(
            branch=branch, number=number, defaults={"name_zh": zh, "name_en": en, "zone": zone}
        )
        for priority, prefix in enumerate(prefixes, start=1):
            WindowQueue.objects.update_or_create(
                window=window, queue=queues[prefix], defaults={"priority": priority}
            )


def seed_branch(code: str = "demo") -> Branch:
    branch, _ = Branch.objects.update_or_create(
        code=code, defaults={"name_zh": "演示支行", "name_en": "Demo Branch"}
    )
    for kind in ZoneKind.values:
        Zone.objects.get_or_create(branch=branch, kind=kind)
    for rank, (tcode, zh, en, threshold, vip) in enumerate(TIERS):
        Tier.objects.update_or_create(
            branch=branch,
            code=tcode,
            defaults={
                "name_zh": zh,
                "name_en": en,
                "min_assets_yuan": threshold,
                "is_vip": vip,
                "rank": rank,
            },
        )
    queues = {}
    for prefix, zh, en, counter, vip, types in QUEUES:
        queues[prefix], _ = TicketQueue.objects.update_or_create(
            branch=branch,
            prefix=prefix,
            defaults={
                "name_zh": zh,
                "name_en": en,
                "counter": counter,
                "is_vip": vip,
                "business_types": [str(t) for t in types],
            },
        )
    for business in B.values:
        for prejudgement in P.values:
            rule = default_rule(business, prejudgement)
            RoutingRule.objects.update_or_create(
                branch=branch,
                business_type=business,
                prejudgement=prejudgement,
                defaults={
                    "destination": rule["destination"],
                    "queue": queues[rule["queue"]] if rule["queue"] else None,
                    "needs_form": rule["needs_form"],
                    "wealth_handoff": rule.get("wealth_handoff", False),
                },
            )
    seed_windows(branch, queues)
    return branch


def seed_staff(branch: Branch) -> list[tuple[DemoStaff, Staff]]:
    User = get_user_model()
    made = []
    for person in ROSTER:
        user, _ = User.objects.get_or_create(username=person.username)
        user.is_active = True
        # The branch admin configures the branch in Django admin.
        user.is_staff = user.is_superuser = person.role == Role.BRANCH_ADMIN
        user.set_password(DEMO_PASSWORD)
        user.save()
        staff, _ = Staff.objects.update_or_create(
            user=user,
            defaults={
                "branch": branch,
                "role": person.role,
                "display_name": person.display_name,
                "station": person.station,
                "sells_investments": person.sells_investments,
                "serves_vip_room": person.serves_vip_room,
            },
        )
        made.append((person, staff))
    return made


def seed_catalogue() -> None:
    for item in demo_catalogue.PRODUCTS:
        Product.objects.update_or_create(
            code=item["code"],
            defaults={k: v for k, v in item.items() if k != "code"},
        )
    # Scripts have no natural key; the demo set is replaced as a whole.
    Script.objects.all().delete()
    Script.objects.bulk_create(
        Script(
            situation=s["situation"],
            roles=list(s["roles"]),
            text_zh=s["text_zh"],
            text_en=s["text_en"],
            sort=s["sort"],
        )
        for s in demo_catalogue.SCRIPTS
    )


# A lobby that has just opened: a few customers checked in at the door, so the board, the
# glance and the wealth managers' pool have something to show. (tier, businesses, cues, label)
MORNING = [
    (P.REGULAR, [B.CASH_LARGE], [], "王先生"),
    (P.REGULAR, [B.CARD_ACCOUNT_OPEN], [C.BROWSING_BROCHURE], "李女士"),
    (P.POTENTIAL_VIP, [B.WEALTH_CONSULT], [C.DEPOSIT_MATURING], "赵先生"),
    (P.VIP, [B.TRANSFER_REMIT], [C.VIP_CARD_SHOWN], "陈女士"),
    (P.UNKNOWN, [B.EBANK_ACTIVATION], [C.ELDERLY_NEEDS_HELP], ""),
    (P.REGULAR, [B.FX_EXCHANGE], [], "周先生"),
    (P.REGULAR, [B.LOSS_REPORT_PASSWORD], [C.ANXIOUS], "吴女士"),
    # A risk case: the counter shows the no-marketing banner for it.
    (P.UNKNOWN, [B.CASH_LARGE], [C.FRAUD_RISK_LARGE_WITHDRAWAL_ELDERLY], "郑大爷"),
    (P.REGULAR, [B.TRANSFER_REMIT], [], ""),
]


def seed_morning(branch: Branch, at_door: Staff) -> int:
    """Check the morning's customers in through the real service, once a day."""
    from lobby import services

    if Visit.objects.today(branch).exists():
        return 0
    for prejudgement, business, cues, label in MORNING:
        services.check_in(
            actor=at_door,
            prejudgement=prejudgement,
            business_types=business,
            cues=cues,
            label=label,
        )
    return len(MORNING)


@transaction.atomic
def seed_demo() -> tuple[Branch, list[tuple[DemoStaff, Staff]]]:
    branch = seed_branch()
    staff = seed_staff(branch)
    seed_catalogue()
    assistant = next(member for person, member in staff if person.role == Role.LOBBY_ASSISTANT)
    seed_morning(branch, assistant)
    return branch, staff
