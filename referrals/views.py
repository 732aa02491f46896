"""The wealth manager's queue, the referrer's "sent" panel, and the referral actions.

Screens: `queue` (wealth managers) and `sent` (anyone who refers). Each renders its regions with
the partials in templates/referrals/, and answers an htmx request for one region (`?part=`) with
that partial alone, which is how a screen re-reads its state after its socket reconnects.

Actions are POSTs, each a plain function: check access, validate its form (referrals.forms),
call one service, answer through `_answer`. For htmx the answer is the actor's refreshed regions
as out-of-band swaps plus a message, so the actor's screen is right even before (or without) the
push; everyone else's screens follow through referrals.push. Bad input (an invalid form) and a
refusal (a DomainError from the service) answer the same way with a 4xx status and nothing
changed: 400, or 409 when someone else got there first, or 404 when it is not there.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from lobby.access import StaffRequest, require_roles
from lobby.answers import refused, status_for
from lobby.choices import LOBBY_ROLES, Role
from lobby.errors import DomainError
from lobby.models import Staff
from products.models import Product
from referrals import rules, screens, services
from referrals.forms import CloseForm, FollowUpForm, ReasonForm, ReferForm, form_message
from referrals.models import RECEIVING_ROLES, FollowUp, Referral, Stage, Status

ANY_STAFF = tuple(Role.values)
QUEUE_PARTS = {"pool", "mine", "numbers", "follow_ups"}


def get_referral_for_staff(request: StaffRequest, pk: int) -> Referral:
    """The referral, if it is in the signed-in staff member's branch; 404 otherwise."""
    referral = Referral.objects.filter(pk=pk, branch_id=request.staff.branch_id).first()
    if referral is None:
        raise Http404
    return referral


# ---- the one answer every action gives ----------------------------------------------------


def _answer(
    request: StaffRequest,
    text: str,
    *,
    level: str = "ok",
    status: int = 200,
    referral_id: int | None = None,
    overdue: bool = False,
) -> HttpResponse:
    """For htmx: the message and the actor's regions, as out-of-band swaps; else the screen.

    A wealth manager gets their whole queue screen's regions. Anyone else (a referrer) gets the
    row of `referral_id`, if it is one of theirs, and for lobby staff the overdue box if the
    action may have changed it (`overdue`); their other regions follow through the pushes.
    A refusal (status 4xx) answers the same way and carries X-Refused, which tells the page to
    swap it in like any answer (static/lobby/app.js), so the screen shows why.
    """
    staff = request.staff
    if not request.htmx:
        return _page_answer(request, text, level=level, status=status)
    if staff.role == Role.WEALTH_MANAGER:
        context = screens.regions_context(staff, QUEUE_PARTS)
    else:
        context = {"regions": set(), "staff": staff}
        if referral_id is not None:
            context["regions"].add("sent_row")
            context.update(screens.sent_row_context(referral_id, staff.pk))
        if overdue and staff.role in LOBBY_ROLES:
            context["regions"].add("overdue")
            context.update(screens.overdue_context(staff.branch))
    context["flash"] = {"text": text, "level": level}
    response = render(request, screens.OOB_TEMPLATE, context, status=status)
    response["HX-Reswap"] = "none"  # everything the answer shows is an out-of-band region
    return refused(response, status) if status >= 400 else response


def _page_answer(request: StaffRequest, text: str, *, level: str, status: int) -> HttpResponse:
    """Without htmx: done → back to the screen with the message; refused → the screen, 4xx."""
    staff = request.staff
    {"ok": messages.success, "warn": messages.warning}.get(level, messages.error)(request, text)
    if status < 400:
        fallback = "referrals:queue" if staff.role == Role.WEALTH_MANAGER else "referrals:sent"
        target = request.POST.get("next", "")
        return redirect(target if target.startswith("/") else reverse(fallback))
    if staff.role == Role.WEALTH_MANAGER:
        context = screens.regions_context(staff, QUEUE_PARTS)
        return render(request, "referrals/queue.html", context, status=status)
    context = {**screens.sent_context(staff), **refer_form_context(staff)}
    return render(request, "referrals/sent.html", context, status=status)


def _refused(
    request: StaffRequest, error: DomainError, *, referral_id: int | None = None
) -> HttpResponse:
    return _answer(
        request,
        error.message,
        level="error",
        status=status_for(error),
        referral_id=referral_id,
        overdue=referral_id is not None,
    )


def _invalid(request: StaffRequest, form: Any, *, referral_id: int | None = None) -> HttpResponse:
    """A form that does not validate: its messages, 400, nothing changed."""
    return _answer(request, form_message(form), level="error", status=400, referral_id=referral_id)


# ---- screens ------------------------------------------------------------------------------


@require_GET
@require_roles(Role.WEALTH_MANAGER)
def queue(request: StaffRequest) -> HttpResponse:
    """The wealth manager's screen: the pool, my customers, my numbers, my follow-ups."""
    part = request.GET.get("part", "")
    if request.htmx and part:
        if part not in QUEUE_PARTS:
            return HttpResponseBadRequest()
        context = screens.regions_context(request.staff, {part})
        return render(request, f"referrals/queue.html#{part}", context)
    context = screens.regions_context(request.staff, QUEUE_PARTS)
    return render(request, "referrals/queue.html", context)


@require_GET
@require_roles(ANY_STAFF)
def sent(request: StaffRequest) -> HttpResponse:
    """My referrals today, live (the lobby tablet embeds this); lobby staff also see overdue ones.

    For htmx it answers the panel's content alone (the embedding element keeps its own attributes);
    otherwise a page with a small form to hand a customer on, for screens without their own.
    """
    context = screens.sent_context(request.staff)
    if request.htmx:
        return render(request, "referrals/sent.html#sent", context)
    context.update(refer_form_context(request.staff))
    return render(request, "referrals/sent.html", context)


def refer_form_context(staff: Staff) -> dict[str, Any]:
    colleagues = list(
        Staff.objects.in_branch(staff.branch)
        .filter(role=Role.WEALTH_MANAGER)
        .exclude(pk=staff.pk)
        .order_by("display_name")
    )
    pitchable = rules.pitchable_categories(staff.role, qualified=staff.sells_investments)
    return {
        "colleagues": colleagues,
        "stages": Stage.choices,
        # Only pools with a screen behind them (services.refer refuses the others).
        "pool_roles": [(r.value, r.label) for r in Role if r in RECEIVING_ROLES],
        # What the sender may offer the customer themself (a high counter: channel products).
        "refer_products": list(Product.objects.active().filter(category__in=pitchable)),
    }


# ---- actions: check access, validate the form, call the service, answer -------------------


@require_POST
@require_roles(ANY_STAFF)
def refer(request: StaffRequest) -> HttpResponse:
    """Hand a customer on (fields: see ReferForm)."""
    form = ReferForm(request.POST, staff=request.staff)
    if not form.is_valid():
        return _invalid(request, form)
    data = form.cleaned_data
    target_role, target_staff = data["to"]
    visit = data["visit"]
    try:
        referral = services.refer(
            actor=request.staff,
            stage=data["stage"],
            target_role=target_role,
            target_staff=target_staff,
            visit=visit,
            ticket=getattr(visit, "ticket", None) if visit else None,
            need=data["need"],
            product=data["product"],
            signals=data["signals"],
            note=data["note"],
            is_vip=data["vip"],
        )
    except DomainError as error:
        return _answer(request, error.message, level="error", status=status_for(error))
    return _answer(request, _("Referral sent."), referral_id=referral.pk)


@require_POST
@require_roles(ANY_STAFF)
def claim(request: StaffRequest, pk: int) -> HttpResponse:
    referral = get_referral_for_staff(request, pk)
    try:
        services.accept(referral_id=referral.pk, actor=request.staff)
    except DomainError as error:
        return _refused(request, error, referral_id=pk)
    return _answer(
        request, _("The customer is yours: go and greet them."), referral_id=pk, overdue=True
    )


@require_POST
@require_roles(ANY_STAFF)
def start(request: StaffRequest, pk: int) -> HttpResponse:
    referral = get_referral_for_staff(request, pk)
    try:
        services.start_consultation(referral_id=referral.pk, actor=request.staff)
    except DomainError as error:
        return _refused(request, error, referral_id=pk)
    return _answer(request, _("Consultation started."), referral_id=pk, overdue=True)


@require_POST
@require_roles(ANY_STAFF)
def hand_back(request: StaffRequest, pk: int) -> HttpResponse:
    referral = get_referral_for_staff(request, pk)
    form = ReasonForm(request.POST, missing=_("Say why you hand the customer back."))
    if not form.is_valid():
        return _invalid(request, form, referral_id=pk)
    try:
        services.hand_back(
            referral_id=referral.pk, actor=request.staff, reason=form.cleaned_data["reason"]
        )
    except DomainError as error:
        return _refused(request, error, referral_id=pk)
    return _answer(request, _("Handed back to the pool."), referral_id=pk, overdue=True)


@require_POST
@require_roles(ANY_STAFF)
def decline(request: StaffRequest, pk: int) -> HttpResponse:
    referral = get_referral_for_staff(request, pk)
    form = ReasonForm(request.POST, missing=_("Say why you cannot take this customer."))
    if not form.is_valid():
        return _invalid(request, form, referral_id=pk)
    try:
        services.decline(
            referral_id=referral.pk, actor=request.staff, reason=form.cleaned_data["reason"]
        )
    except DomainError as error:
        return _refused(request, error, referral_id=pk)
    return _answer(request, _("Passed on to your colleagues."), referral_id=pk, overdue=True)


@require_POST
@require_roles(ANY_STAFF)
def cancel(request: StaffRequest, pk: int) -> HttpResponse:
    referral = get_referral_for_staff(request, pk)
    form = ReasonForm(request.POST)  # the reason is optional here
    if not form.is_valid():
        return _invalid(request, form, referral_id=pk)
    try:
        services.cancel(
            referral_id=referral.pk, actor=request.staff, reason=form.cleaned_data["reason"]
        )
    except DomainError as error:
        return _refused(request, error, referral_id=pk)
    return _answer(request, _("Referral cancelled."), referral_id=pk, overdue=True)


@require_POST
@require_roles(ANY_STAFF)
def close(request: StaffRequest, pk: int) -> HttpResponse:
    """Close with an outcome (fields: see CloseForm)."""
    referral = get_referral_for_staff(request, pk)
    form = CloseForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form, referral_id=pk)
    data = form.cleaned_data
    try:
        done = services.close(
            referral_id=referral.pk,
            actor=request.staff,
            outcome=data["outcome"],
            sales=data["sales"],
            risk_tolerance=data["risk_tolerance"],
            assessment_date=data["assessment_date"],
            recorded_confirmed=data["recorded_confirmed"],
            quality=data["quality"],
            note=data["note"],
            follow_up_due=data["follow_up_due"],
        )
    except DomainError as error:
        return _refused(request, error, referral_id=pk)
    if done.status == Status.BLOCKED_SUITABILITY and data["outcome"] != done.status:
        text = _(
            "Sale refused: the customer's risk tolerance does not cover the product. "
            "The referral is closed as blocked by suitability."
        )
        return _answer(request, text, level="warn", referral_id=pk, overdue=True)
    text = _("Closed: %(outcome)s.") % {"outcome": done.get_status_display()}
    return _answer(request, text, referral_id=pk, overdue=True)


@require_POST
@require_roles(ANY_STAFF)
def follow_up(request: StaffRequest, pk: int) -> HttpResponse:
    referral = get_referral_for_staff(request, pk)
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form, referral_id=pk)
    try:
        services.schedule_follow_up(
            referral_id=referral.pk,
            actor=request.staff,
            due_date=form.cleaned_data["due_date"],
            note=form.cleaned_data["note"],
        )
    except DomainError as error:
        return _refused(request, error, referral_id=pk)
    return _answer(request, _("Follow-up planned."), referral_id=pk, overdue=True)


@require_POST
@require_roles(ANY_STAFF)
def follow_up_done(request: StaffRequest, pk: int) -> HttpResponse:
    """Mark a follow-up done (`pk` is the follow-up's, not a referral's)."""
    staff = request.staff
    if not FollowUp.objects.filter(pk=pk, owner__branch_id=staff.branch_id).exists():
        raise Http404
    try:
        services.complete_follow_up(follow_up_id=pk, actor=staff)
    except DomainError as error:
        return _answer(request, error.message, level="error", status=status_for(error))
    return _answer(request, _("Follow-up done."))
