"""Fill missing Simplified Chinese translations from a dict file, then compile: python locale/fill.py dict.py"""

import runpy
import sys
from pathlib import Path

import polib

PO = Path(__file__).parent / "zh_Hans" / "LC_MESSAGES" / "django.po"


def _key(entry) -> str:
    """A string with a context (pgettext) is keyed as gettext stores it: "context\x04msgid"."""
    return f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid


def main(source: str) -> None:
    data = runpy.run_path(source)
    po = polib.pofile(str(PO))
    po.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
    po.metadata["Language"] = "zh_Hans"
    po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    for entry in po:
        if entry.msgid_plural and entry.msgid in data.get("PLURAL", {}):
            entry.msgstr_plural = dict(enumerate(data["PLURAL"][entry.msgid]))
        elif _key(entry) in data.get("ZH", {}):
            entry.msgstr = data["ZH"][_key(entry)]
        if "fuzzy" in entry.flags and (entry.msgstr or entry.msgstr_plural):
            entry.flags.remove("fuzzy")
    po.save()
    po.save_as_mofile(str(PO.with_suffix(".mo")))
    missing = [e.msgid for e in po.untranslated_entries()]
    print(f"{po.percent_translated()}% translated; missing: {missing}")


if __name__ == "__main__":
    main(sys.argv[1])
