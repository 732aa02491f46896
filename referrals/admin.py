from django.contrib import admin

from referrals.models import FollowUp, Referral, Sale, Transition


class TransitionInline(admin.TabularInline):
    model = Transition
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "actor", "at", "reason"]

    def has_add_permission(self, request, obj=None):
        return False


class SaleInline(admin.TabularInline):
    model = Sale
    extra = 0
    can_delete = False
    readonly_fields = ["product", "amount_band", "sold_by", "at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Referral)
class ReferralAdmin(admin.ModelAdmin):
    """The trail is append-only: referrals are read here and changed only through the screens."""

    list_display = ["id", "created_at", "stage", "referrer", "target_role", "status", "claimed_by"]
    list_filter = ["branch", "stage", "status", "target_role"]
    date_hierarchy = "created_at"
    inlines = [TransitionInline, SaleInline]
    list_select_related = ["referrer", "claimed_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    list_display = ["due_date", "owner", "referral", "done_at"]
    list_filter = ["owner__branch", "due_date"]
    list_select_related = ["owner", "referral"]
