from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from lobby.choices import Role
from products.models import Product, Script


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


class ScriptForm(forms.ModelForm):
    roles = forms.MultipleChoiceField(
        label=_("roles"), choices=Role.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Script
        fields = ["situation", "roles", "text_zh", "text_en", "sort"]


@admin.register(Script)
class ScriptAdmin(admin.ModelAdmin):
    form = ScriptForm
    list_display = ["situation", "sort", "text_zh", "text_en"]
    list_filter = ["situation"]
    search_fields = ["text_zh", "text_en"]
