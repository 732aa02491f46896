"""What lobby changes show on which screens. Rendering and sending live in lobby.live.

Every change re-renders whole regions (the waiting board and the lobby-at-a-glance panel) rather
than patching rows: a late or repeated message can only ever show the current state, and every
receiver may see all of it (only the branch's lobby roles listen). The regions are built by
lobby.screens, the same builders the views use.
"""

from __future__ import annotations

from typing import Any

from lobby import live, screens
from lobby.choices import LOBBY_ROLES
from lobby.models import Branch

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
