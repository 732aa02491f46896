"""The wealth manager's queue, the referrer's "sent" panel, and the referral actions.

Screens: `queue` (wealth managers) and `sent` (anyone who refers). Each renders its regions with
the partials in templates/referrals/, and answers an htmx request for one region (`?part=`) with
that partial alone, which is how a screen re-reads its state after its socket reconnects.

Actions are POSTs that call one service each. For htmx they answer with the actor's refreshed
regions as out-of-band swaps plus a message, so the actor's screen is right even before (or
without) the push; everyone else's screens follow through referrals.push.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from lobby.access import require_roles
from lobby.choices import LOBBY_ROLES, Cue, Role
from lobby.models import Staff, Visit
from products.models import Product
from referrals import screens, services
from referrals.models import FollowUp, Referral, Stage, Status
from referrals.services import ReferralError

ANY_STAFF = tuple(Role.values)
QUEUE_PARTS = {"pool", "mine", "numbers", "follow_ups"}


def get_referral_for_staff(request: HttpRequest, pk: int) -> Referral:
    """The referral, if it is in the signed-in staff member's branch; 404 otherwise."""
    staff = request.staff  # type: ignore[attr-defined]
    referral = Referral.objects.filter(pk=pk, branch_id=staff.branch_id).first()
    if referral is None:
        raise Http404
    return referral


def _action(view: Callable[..., str | tuple[str, str]]) -> Callable[..., HttpResponse]:
    """Wrap a POST action: run it, turn a ReferralError into a message, answer for htmx or not.

    The wrapped function returns the success message; the answer re-renders the actor's regions.
    A function that acts on a referral other than the URL's `pk` (refer) sets
    `request.referral_id`, so the answer can show that referral's row.
    """

    @require_POST
    @require_roles(ANY_STAFF)
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        request.referral_id = kwargs.get("pk")  # type: ignore[attr-defined]
        try:
            result = view(request, *args, **kwargs)
            text, level = result if isinstance(result, tuple) else (result, "ok")
        except ReferralError as exc:
            text, level = str(exc), "error"
        # Acting on an existing referral (not making one) may change the lobby's overdue box.
        return _answer(request, text, level, overdue="pk" in kwargs)

    return wrapper


def _answer(request: HttpRequest, text: str, level: str, *, overdue: bool) -> HttpResponse:
    """For htmx: the message and the actor's regions, as out-of-band swaps; else a redirect.

    A wealth manager gets their whole queue screen's regions. Anyone else (a referrer) gets the
    row of the referral acted on, if it is one of theirs, and for lobby staff the overdue box if
    the action may have changed it; their other regions follow through the pushes.
    """
    staff: Staff = request.staff  # type: ignore[attr-defined]
    if not request.htmx:
        {"ok": messages.success, "warn": messages.warning}.get(level, messages.error)(request, text)
        fallback = "referrals:queue" if staff.role == Role.WEALTH_MANAGER else "referrals:sent"
        target = request.POST.get("next", "")
        return redirect(target if target.startswith("/") else reverse(fallback))
    if staff.role == Role.WEALTH_MANAGER:
        context = screens.regions_context(staff, {"pool", "mine", "numbers", "follow_ups"})
    else:
        context = {"regions": set(), "staff": staff}
        referral_id = getattr(request, "referral_id", None)
        if referral_id is not None:
            context["regions"].add("sent_row")
            context.update(screens.sent_row_context(referral_id, staff.pk))
        if overdue and staff.role in LOBBY_ROLES:
            context["regions"].add("overdue")
            context.update(screens.overdue_context(staff.branch))
    context["flash"] = {"text": text, "level": level}
    response = render(request, screens.OOB_TEMPLATE, context)
    response["HX-Reswap"] = "none"  # everything the answer shows is an out-of-band region
    return response


@require_GET
@require_roles(Role.WEALTH_MANAGER)
def queue(request: HttpRequest) -> HttpResponse:
    """The wealth manager's screen: the pool, my customers, my numbers, my follow-ups."""
    staff: Staff = request.staff  # type: ignore[attr-defined]
    part = request.GET.get("part", "")
    if request.htmx and part:
        if part not in QUEUE_PARTS:
            return HttpResponseBadRequest()
        context = screens.regions_context(staff, {part})
        return render(request, f"referrals/queue.html#{part}", context)
    context = screens.regions_context(staff, QUEUE_PARTS)
    return render(request, "referrals/queue.html", context)


@require_GET
@require_roles(ANY_STAFF)
def sent(request: HttpRequest) -> HttpResponse:
    """My referrals today, live (the lobby tablet embeds this); lobby staff also see overdue ones.

    For htmx it answers the panel's content alone (the embedding element keeps its own attributes);
    otherwise a page with a small form to hand a customer on, for screens without their own.
    """
    staff: Staff = request.staff  # type: ignore[attr-defined]
    context = screens.sent_context(staff)
    if request.htmx:
        return render(request, "referrals/sent.html#sent", context)
    context.update(refer_form_context(staff))
    return render(request, "referrals/sent.html", context)


def refer_form_context(staff: Staff) -> dict[str, Any]:
    colleagues = list(
        Staff.objects.in_branch(staff.branch)
        .filter(role=Role.WEALTH_MANAGER)
        .exclude(pk=staff.pk)
        .order_by("display_name")
    )
    return {
        "colleagues": colleagues,
        "stages": Stage.choices,
        "pool_roles": [(r.value, r.label) for r in Role if r != staff.role],
        "refer_products": list(Product.objects.active().pitchable_by(staff.role)),
    }


# ---- actions ------------------------------------------------------------------------------


@_action
def refer(request: HttpRequest) -> str:
    """Hand a customer on. Fields: stage, to ("role:<role>" or "staff:<id>"), need, product
    (code), note, vip, visit (id), signals (several)."""
    staff: Staff = request.staff  # type: ignore[attr-defined]
    data = request.POST
    target_role, target_staff = Role.WEALTH_MANAGER, None
    kind, _sep, value = data.get("to", "role:wealth_manager").partition(":")
    if kind == "staff":
        target_staff = Staff.objects.filter(branch_id=staff.branch_id, pk=_int(value)).first()
        if target_staff is None:
            raise ReferralError(_("Choose a colleague of your branch."))
    elif kind == "role":
        target_role = value
    else:
        raise ReferralError(_("Choose who should take the customer."))
    product = None
    if data.get("product"):
        product = Product.objects.filter(code=data["product"]).first()
        if product is None:
            raise ReferralError(_("Unknown product."))
    visit = None
    if data.get("visit"):
        visit = Visit.objects.filter(pk=_int(data["visit"]), branch_id=staff.branch_id).first()
        if visit is None:
            raise ReferralError(_("That customer is not in your branch."))
    signals = [s for s in data.getlist("signals") if s in Cue.values]
    referral = services.refer(
        actor=staff,
        stage=data.get("stage", Stage.FIRST),
        target_role=target_role,
        target_staff=target_staff,
        visit=visit,
        ticket=getattr(visit, "ticket", None) if visit else None,
        need=data.get("need", ""),
        product=product,
        signals=signals,
        note=data.get("note", ""),
        is_vip=data.get("vip") in ("1", "on", "true"),
    )
    request.referral_id = referral.pk  # type: ignore[attr-defined]
    return _("Referral sent.")


@_action
def claim(request: HttpRequest, pk: int) -> str:
    referral = get_referral_for_staff(request, pk)
    services.accept(referral_id=referral.pk, actor=request.staff)  # type: ignore[attr-defined]
    return _("The customer is yours: go and greet them.")


@_action
def start(request: HttpRequest, pk: int) -> str:
    referral = get_referral_for_staff(request, pk)
    services.start_consultation(referral_id=referral.pk, actor=request.staff)  # type: ignore[attr-defined]
    return _("Consultation started.")


@_action
def hand_back(request: HttpRequest, pk: int) -> str:
    referral = get_referral_for_staff(request, pk)
    services.hand_back(
        referral_id=referral.pk,
        actor=request.staff,  # type: ignore[attr-defined]
        reason=request.POST.get("reason", ""),
    )
    return _("Handed back to the pool.")


@_action
def decline(request: HttpRequest, pk: int) -> str:
    referral = get_referral_for_staff(request, pk)
    services.decline(
        referral_id=referral.pk,
        actor=request.staff,  # type: ignore[attr-defined]
        reason=request.POST.get("reason", ""),
    )
    return _("Passed on to your colleagues.")


@_action
def cancel(request: HttpRequest, pk: int) -> str:
    referral = get_referral_for_staff(request, pk)
    services.cancel(
        referral_id=referral.pk,
        actor=request.staff,  # type: ignore[attr-defined]
        reason=request.POST.get("reason", ""),
    )
    return _("Referral cancelled.")


@_action
def close(request: HttpRequest, pk: int) -> str | tuple[str, str]:
    """Close with an outcome. Sales come as pairs product_<n> (code) / band_<n>."""
    referral = get_referral_for_staff(request, pk)
    data = request.POST
    codes = [
        (data.get(f"product_{i}", ""), data.get(f"band_{i}", ""))
        for i in range(1, 4)
        if data.get(f"product_{i}")
    ]
    products = Product.objects.in_bulk([code for code, _band in codes], field_name="code")
    sales = []
    for code, band in codes:
        if code not in products:
            raise ReferralError(_("Unknown product."))
        sales.append((products[code], band))
    done = services.close(
        referral_id=referral.pk,
        actor=request.staff,  # type: ignore[attr-defined]
        outcome=data.get("outcome", ""),
        sales=sales,
        risk_tolerance=_int(data.get("risk_tolerance")),
        assessment_date=_date(data.get("assessment_date")),
        recorded_confirmed=data.get("recorded_confirmed") in ("1", "on", "true"),
        quality=_int(data.get("quality")),
        note=data.get("note", ""),
        follow_up_due=_date(data.get("follow_up_due")),
    )
    if done.status == Status.BLOCKED_SUITABILITY and data.get("outcome") != done.status:
        return (
            _(
                "Sale refused: the customer's risk tolerance does not cover the product. "
                "The referral is closed as blocked by suitability."
            ),
            "warn",
        )
    return _("Closed: %(outcome)s.") % {"outcome": done.get_status_display()}


@_action
def follow_up(request: HttpRequest, pk: int) -> str:
    referral = get_referral_for_staff(request, pk)
    due = _date(request.POST.get("due_date"))
    if due is None:
        raise ReferralError(_("Choose the day of the follow-up."))
    services.schedule_follow_up(
        referral_id=referral.pk,
        actor=request.staff,  # type: ignore[attr-defined]
        due_date=due,
        note=request.POST.get("note", ""),
    )
    return _("Follow-up planned.")


@_action
def follow_up_done(request: HttpRequest, pk: int) -> str:
    staff: Staff = request.staff  # type: ignore[attr-defined]
    request.referral_id = None  # type: ignore[attr-defined]  # `pk` is the follow-up's
    if not FollowUp.objects.filter(pk=pk, owner__branch_id=staff.branch_id).exists():
        raise Http404
    services.complete_follow_up(follow_up_id=pk, actor=staff)
    return _("Follow-up done.")


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        raise ReferralError(_("A number was expected.")) from None


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ReferralError(_("Enter the date as YYYY-MM-DD.")) from None
