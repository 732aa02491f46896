"""Both catalogues are complete, and the compiled files shipped in git match them."""

import gettext
from pathlib import Path

import polib
import pytest

LOCALE = Path(__file__).resolve().parents[1] / "locale"


@pytest.mark.parametrize("lang", ["zh_Hans", "en"])
def test_catalogue_has_no_untranslated_or_fuzzy_entries(lang):
    po = polib.pofile(LOCALE / lang / "LC_MESSAGES" / "django.po")
    missing = [e.msgid for e in po if not e.translated()]
    assert missing == []
    assert [e.msgid for e in po.fuzzy_entries()] == []


@pytest.mark.parametrize("lang", ["zh_Hans", "en"])
def test_compiled_catalogue_matches_the_source(lang):
    folder = LOCALE / lang / "LC_MESSAGES"
    po = polib.pofile(folder / "django.po")
    with open(folder / "django.mo", "rb") as fh:
        mo = gettext.GNUTranslations(fh)

    def compiled(e):
        return mo.pgettext(e.msgctxt, e.msgid) if e.msgctxt else mo.gettext(e.msgid)

    stale = [e.msgid for e in po if not e.msgid_plural and e.msgstr and compiled(e) != e.msgstr]
    assert stale == [], "run: python manage.py compilemessages"
