"""What lobby changes show on which screens. Rendering and sending live in lobby.live.

Every change re-renders whole regions (the waiting board and the lobby-at-a-glance panel) rather
than patching rows: a late or repeated message can only ever show the current state, and every
receiver may see all of it (only the branch's lobby roles listen). The regions are built by
lobby.screens, the same builders the views use.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lobby import live, screens
from lobby.choices import LOBBY_ROLES, TELLER_ROLES
from lobby.models import Branch, Staff, Window

# Out-of-band regions, the one way both apps send them: see the template's comment.
TEMPLATE = "lobby/_lobby_oob.html"


def lobby_groups(branch_id: int) -> list[str]:
    return [live.role_group(branch_id, role) for role in sorted(LOBBY_ROLES)]


def lobby_changed(branch_id: int) -> None:
    """Refresh the board and the at-a-glance panel on every lobby screen of the branch."""
    live.push_fragment(lobby_groups(branch_id), TEMPLATE, lambda: _context(branch_id))


def _context(branch_id: int) -> dict[str, Any]:
    branch = Branch.objects.get(pk=branch_id)
    return {
        "regions": {"board", "glance"},
        **screens.board_context(branch),
        **screens.glance_context(branch),
    }


# ---------------------------------------------------------------------------------------------
# Counter and public display
#
#     region              element id          group                          who
#     windows picker      #counter-windows    branch.<b>.role.teller_*       every teller
#     own window bar      #counter-window     staff.<teller>                 the teller at it
#     current customer    #counter-current    staff.<teller>                 the teller at it
#     display board       #display-board      display.<b>                    the public TV
#     no-shows of today   #no-shows           branch.<b>.role.lobby_*        lobby staff
#
# The display's frames carry ticket numbers and windows only (templates/lobby/display.html).

COUNTER_TEMPLATE = "lobby/_counter_oob.html"
DISPLAY_TEMPLATE = "lobby/_display_oob.html"


def display_group(branch_id: int) -> str:
    return f"display.{branch_id}"


def teller_groups(branch_id: int) -> list[str]:
    return [live.role_group(branch_id, role) for role in sorted(TELLER_ROLES)]


def counter_changed(branch_id: int, *, tellers: Iterable[int] = (), windows: bool = False) -> None:
    """After a change to tickets or windows: `tellers`' whole counter (window bar and current
    customer), every other open window's bar (its queue lengths), the display, and with
    `windows` the picker of every teller."""
    tellers = list(dict.fromkeys(tellers))
    if windows:
        live.push_fragment(
            teller_groups(branch_id),
            COUNTER_TEMPLATE,
            lambda: {"regions": {"windows"}, **screens.windows_context(branch_id)},
        )
    for staff_id in tellers:
        push_counter(staff_id, {"window", "current"})
    others = (
        Window.objects.filter(branch_id=branch_id, teller__isnull=False)
        .exclude(teller_id__in=tellers)
        .values_list("teller_id", flat=True)
    )
    for staff_id in others:
        push_counter(staff_id, {"window"})
    live.push_fragment(
        [display_group(branch_id)], DISPLAY_TEMPLATE, lambda: screens.display_context(branch_id)
    )


def push_counter(staff_id: int, regions: set[str]) -> None:
    def context() -> dict[str, Any]:
        staff = Staff.objects.select_related("branch").get(pk=staff_id)
        return screens.counter_regions(staff, regions)

    live.push_fragment([live.staff_group(staff_id)], COUNTER_TEMPLATE, context)


def no_shows_changed(branch_id: int) -> None:
    live.push_fragment(
        lobby_groups(branch_id),
        TEMPLATE,
        lambda: {"regions": {"no_shows"}, **screens.no_shows_context(branch_id)},
    )
