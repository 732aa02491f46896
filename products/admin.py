from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from products.models import Product


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name_zh",
        "name_en",
        "category",
        "risk_level",
        "recorded",
        "high_counter",
        "is_hot",
        "active",
    ]
    list_filter = ["category", "risk_level", "is_hot", "active"]
    search_fields = ["code", "name_zh", "name_en"]
    list_editable = ["is_hot", "active"]

    @admin.display(boolean=True, description=_("recorded sale (双录)"))
    def recorded(self, obj: Product) -> bool:
        return obj.recorded_sale

    @admin.display(boolean=True, description=_("high counter may pitch"))
    def high_counter(self, obj: Product) -> bool:
        return obj.high_counter_may_pitch


class ScriptAdminBase(admin.ModelAdmin):
    """The script list; lobby/admin.py registers it with its role picker (roles are lobby's)."""

    list_display = ["situation", "sort", "text_zh", "text_en"]
    list_filter = ["situation"]
    search_fields = ["text_zh", "text_en"]
