"""Both languages complete: every translatable string of the code has its Simplified Chinese translation."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (installed by .ci/run)")
def test_chinese_catalog_covers_every_string(tmp_path):
    locale = tmp_path / "locale"
    shutil.copytree(ROOT / "locale", locale)
    # makemessages writes into the first LOCALE_PATHS entry: point it at the copy, extract, then compare.
    script = (
        "import django, os;"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings');"
        "from django.conf import settings;"
        f"settings.LOCALE_PATHS = [{str(locale)!r}];"
        "django.setup();"
        "from django.core.management import call_command;"
        "call_command('makemessages', locale=['zh_Hans'], no_obsolete=True, verbosity=0,"
        " ignore_patterns=['.venv/*', 'node_modules/*', '.data/*', 'tests/*'])"
    )
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True)
    po = polib.pofile(str(locale / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    missing = [e.msgid for e in po.untranslated_entries()] + [e.msgid for e in po.fuzzy_entries()]
    assert missing == [], "strings without a Chinese translation (see README, 'Translations')"


def test_compiled_catalog_matches_the_source():
    po = polib.pofile(str(ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    mo = polib.mofile(str(ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.mo"))
    compiled = {(e.msgctxt, e.msgid): e.msgstr for e in mo}
    stale = [
        e.msgid
        for e in po.translated_entries()
        if not e.msgid_plural and compiled.get((e.msgctxt, e.msgid)) != e.msgstr
    ]
    assert stale == []


def test_error_pages_render_in_both_languages(client, db):
    from django.utils import translation

    for code, text in (("zh-hans", "页面不存在"), ("en", "Page not found")):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = code
        response = client.get("/no/such/page/")
        assert response.status_code == 404
        assert text in response.content.decode()
    translation.activate(settings.LANGUAGE_CODE)


def test_server_error_page_renders_in_both_languages(rf, db):
    from django.utils import translation
    from django.views.defaults import server_error

    for code, text in (("zh-hans", "系统出错了"), ("en", "Something went wrong")):
        with translation.override(code):
            response = server_error(rf.get("/"))
        assert response.status_code == 500 and text in response.content.decode()
