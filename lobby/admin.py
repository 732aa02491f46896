from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lobby import services
from lobby.choices import BusinessType, Role
from lobby.models import (
    Branch,
    CallingSettings,
    RoutingRule,
    Staff,
    Ticket,
    TicketEvent,
    TicketQueue,
    Tier,
    Visit,
    Window,
    WindowQueue,
    Zone,
)
from products.admin import ScriptAdminBase
from products.models import Script

admin.site.site_header = _("Lobby · branch configuration")
admin.site.site_title = _("Lobby")
admin.site.index_title = _("Configuration")


class ZoneInline(admin.TabularInline):
    model = Zone
    extra = 0


class TierInline(admin.TabularInline):
    model = Tier
    extra = 0


class CallingSettingsInline(admin.StackedInline):
    model = CallingSettings
    can_delete = False
    readonly_fields = ["display_token"]


@admin.action(description=_("Give the public display a new address (old screens stop)"))
def rotate_display_token(modeladmin, request, queryset):
    for branch in queryset:
        services.rotate_display_token(branch=branch)
    modeladmin.message_user(request, _("New display addresses are set; open them on the TVs."))


@admin.register(Branch)
class BranchAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name_zh",
        "name_en",
        "referral_expiry_seconds",
        "waiting_warn_minutes",
        "waiting_target_minutes",
        "display_address",
    ]
    inlines = [ZoneInline, TierInline, CallingSettingsInline]
    actions = [rotate_display_token]

    @admin.display(description=_("public display"))
    def display_address(self, obj: Branch) -> str:
        return reverse("display", args=[CallingSettings.for_branch(obj).display_token])


class WindowQueueInline(admin.TabularInline):
    model = WindowQueue
    extra = 1
    ordering = ["priority"]


@admin.register(Window)
class WindowAdmin(admin.ModelAdmin):
    list_display = ["number", "name_zh", "name_en", "zone", "active", "teller", "branch"]
    list_filter = ["branch", "zone", "active"]
    readonly_fields = ["teller", "opened_at"]
    inlines = [WindowQueueInline]


@admin.register(TicketEvent)
class TicketEventAdmin(admin.ModelAdmin):
    """The calling trail: read-only, written by the counter's operations."""

    list_display = ["at", "ticket", "action", "actor", "window"]
    list_filter = ["action", "ticket__branch"]
    list_select_related = ["ticket__queue", "actor", "window"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Staff)
class StaffAdmin(admin.ModelAdmin):
    list_display = ["display_name", "user", "branch", "role", "station"]
    list_filter = ["branch", "role"]
    search_fields = ["display_name", "user__username"]
    autocomplete_fields = ["user"]


class TicketQueueForm(forms.ModelForm):
    business_types = forms.MultipleChoiceField(
        label=_("business types served"),
        choices=BusinessType.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = TicketQueue
        fields = ["branch", "prefix", "name_zh", "name_en", "business_types", "counter", "is_vip"]


@admin.register(TicketQueue)
class TicketQueueAdmin(admin.ModelAdmin):
    form = TicketQueueForm
    list_display = ["prefix", "name_zh", "name_en", "branch", "counter", "is_vip"]
    list_filter = ["branch"]


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = [
        "business_type",
        "prejudgement",
        "destination",
        "queue",
        "needs_form",
        "wealth_handoff",
        "branch",
    ]
    list_filter = ["branch", "prejudgement", "destination"]
    list_editable = ["destination", "queue", "needs_form", "wealth_handoff"]


@admin.register(Tier)
class TierAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "min_assets_yuan", "is_vip", "branch"]
    list_filter = ["branch"]


class TicketInline(admin.StackedInline):
    model = Ticket
    extra = 0
    readonly_fields = (
        "queue",
        "number",
        "service_date",
        "status",
        "issued_at",
        "called_at",
        "completed_at",
        "window",
        "recalls",
        "served_by",
    )
    fields = readonly_fields
    can_delete = False


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    """Visits are the lobby's record: read here, changed only through the screens."""

    list_display = ["arrived_at", "label", "prejudgement", "destination", "status", "branch"]
    list_filter = ["branch", "status", "destination", "prejudgement"]
    date_hierarchy = "arrived_at"
    inlines = [TicketInline]
    list_select_related = ["branch"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ScriptForm(forms.ModelForm):
    roles = forms.MultipleChoiceField(
        label=_("roles"), choices=Role.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Script
        fields = ["situation", "roles", "text_zh", "text_en", "sort"]


# Registered here, not in products/admin.py: a script is for a role, and roles are lobby's
# vocabulary, while products imports nothing from lobby (apps import downward only).
@admin.register(Script)
class ScriptAdmin(ScriptAdminBase):
    form = ScriptForm
