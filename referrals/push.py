"""What referral changes show on which screens. Rendering and sending live in lobby.live."""

from __future__ import annotations

from lobby import live
from referrals.models import Referral


def referral_changed(referral: Referral) -> None:
    """Tell the receivers (the named person or the role pool) and the referrer."""
    groups = [live.staff_group(referral.referrer_id)]
    if referral.target_staff_id:
        groups.append(live.staff_group(referral.target_staff_id))
    else:
        groups.append(live.role_group(referral.branch_id, referral.target_role))
    if referral.claimed_by_id:
        groups.append(live.staff_group(referral.claimed_by_id))
    live.push_fragment(
        groups, "referrals/_referral_oob.html", lambda: {"referral": _fresh(referral.pk)}
    )


def _fresh(pk: int) -> Referral:
    return Referral.objects.select_related(
        "referrer", "claimed_by", "target_staff", "product", "visit", "ticket__queue"
    ).get(pk=pk)
