"""The product catalogue and the scripts (话术) staff say, both kept in Chinese and English."""

from __future__ import annotations

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from products.choices import INVESTMENT_CATEGORIES, ProductCategory, RiskLevel


def _pick(zh: str, en: str) -> str:
    lang = translation.get_language() or "zh-hans"
    return en if lang.startswith("en") and en else zh


class ProductQuerySet(models.QuerySet):
    def active(self) -> ProductQuerySet:
        return self.filter(active=True)


class Product(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=120)
    category = models.CharField(_("category"), max_length=20, choices=ProductCategory.choices)
    risk_level = models.PositiveSmallIntegerField(
        _("risk level"), choices=RiskLevel.choices, default=RiskLevel.R1
    )
    is_hot = models.BooleanField(
        _("hot"), default=False, help_text=_("Promoted in the waiting zone.")
    )
    pitch_zh = models.CharField(_("one-sentence pitch (Chinese)"), max_length=200, blank=True)
    pitch_en = models.CharField(_("one-sentence pitch (English)"), max_length=300, blank=True)
    # A structured deposit is a deposit (so the deposit row of the who-may-do-what table applies)
    # that is sold like an investment product. Neither category nor risk level can say so: these
    # products are commonly rated R1 or R2 like plain deposits, so it is the product's own flag.
    structured = models.BooleanField(
        _("structured (sold like an investment)"),
        default=False,
        help_text=_(
            "Its return is linked to an index: sold only within suitability, on a current risk "
            "assessment, with the recorded sale (双录)."
        ),
    )
    active = models.BooleanField(_("on sale"), default=True)

    objects = ProductQuerySet.as_manager()

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["category", "risk_level", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return _pick(self.name_zh, self.name_en)

    @property
    def pitch(self) -> str:
        return _pick(self.pitch_zh, self.pitch_en)

    @property
    def is_investment(self) -> bool:
        return self.category in INVESTMENT_CATEGORIES

    @property
    def needs_suitability(self) -> bool:
        """Sold within suitability (R ≤ C, current assessment) and recorded (双录): investment
        products and structured deposits (referrals.rules.suitability decides)."""
        return self.is_investment or self.structured

    @property
    def recorded_sale(self) -> bool:
        """Sold only in the audio-video recorded zone (双录)."""
        return self.needs_suitability

    @property
    def high_counter_may_pitch(self) -> bool:
        return self.category == ProductCategory.CHANNEL


class Situation(models.TextChoices):
    GREET_VIP = "greet_vip", _("Greeting a VIP")
    ASK_VIP_SERVICE = "ask_vip_service", _("Asking about VIP service")
    GREET_REGULAR = "greet_regular", _("Greeting a customer")
    ASK_NEED = "ask_need", _("Asking the need")
    INTRODUCE_WEALTH_MANAGER = "introduce_wealth_manager", _("Introducing a wealth manager")
    BRIEF_WEALTH_MANAGER = "brief_wealth_manager", _("Briefing the wealth manager")
    STEER_SELF_SERVICE = "steer_self_service", _("Steering to self-service")
    GUIDE_SELF_SERVICE_MACHINE = "guide_self_service_machine", _("Helping at a machine")
    SEND_TO_FORM_DESK = "send_to_form_desk", _("Sending to the form desk")
    GIVE_TICKET = "give_ticket", _("Handing over the ticket")
    WAITING_BROWSING_BROCHURE = "waiting_browsing_brochure", _("Waiting: browsing leaflets")
    WAITING_SMALL_CASH = "waiting_small_cash", _("Waiting: card or little cash")
    WAITING_LOOKING_AROUND = "waiting_looking_around", _("Waiting: looking around")
    WAITING_HOT_PRODUCT = "waiting_hot_product", _("Waiting: hot product")
    CALM_ANXIOUS = "calm_anxious", _("Calming an anxious customer")
    ANGRY_CUSTOMER = "angry_customer", _("An angry customer")
    ELDERLY_HELP = "elderly_help", _("Helping an elderly customer")
    STOP_MARKETING = "stop_marketing", _("Stop asking, politely")
    TELLER_ACCOUNT_SWING = "teller_account_swing", _("Counter: account swings")
    TELLER_IDLE_BALANCE = "teller_idle_balance", _("Counter: idle balance")
    TELLER_CHANNEL_PITCH = "teller_channel_pitch", _("Counter: channel product pitch")
    TELLER_WEALTH_ONE_LINER = "teller_wealth_one_liner", _("Counter: wealth one-liner")
    TELLER_REFER_TO_WEALTH = "teller_refer_to_wealth", _("Counter: referring to wealth")
    NEAR_VIP_INVITE = "near_vip_invite", _("Near-VIP invitation")
    VIP_ROOM_REFERRAL = "vip_room_referral", _("Inviting to the VIP room")
    FRAUD_RISK_CHECK = "fraud_risk_check", _("Fraud-risk check")
    WEALTH_MANAGER_WELCOME = "wealth_manager_welcome", _("Wealth manager's welcome")
    SUITABILITY_EXPLAIN = "suitability_explain", _("Explaining suitability")
    RECORDED_ZONE_NOTICE = "recorded_zone_notice", _("Recorded-sale notice")
    FOLLOW_UP_CALL = "follow_up_call", _("After-sale follow-up")


class Script(models.Model):
    situation = models.CharField(_("situation"), max_length=32, choices=Situation.choices)
    roles = models.JSONField(_("roles"), default=list, help_text=_("Roles that say this."))
    text_zh = models.TextField(_("text (Chinese)"))
    text_en = models.TextField(_("text (English)"))
    sort = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("script")
        verbose_name_plural = _("scripts")
        ordering = ["situation", "sort", "id"]

    def __str__(self) -> str:
        return f"{self.get_situation_display()} #{self.sort}"

    @property
    def text(self) -> str:
        return _pick(self.text_zh, self.text_en)

    def render(self, **values: str) -> str:
        """The text with {label} / {staff} filled in; unknown placeholders stay as they are."""
        text = self.text
        for key, value in values.items():
            text = text.replace("{" + key + "}", value)
        return text
