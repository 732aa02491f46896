from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = _("Referrals")

    def ready(self) -> None:
        from lobby import live
        from referrals import ticker

        # The referral clock starts with the first screen that connects in this process.
        live.on_socket_open(ticker.ensure_running)
