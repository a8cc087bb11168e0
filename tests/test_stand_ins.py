"""``reader.stand_ins``: ftfy without wcwidth and feedparser without chardet until called, with
the same results; a library that wants more of its dependency gets the real one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SPARED = r'''
import json, sys
import reader.feeds.parse
from reader.text import load_mojibake_repair, repair_mojibake
load_mojibake_repair()
loaded = {"chardet": "chardet" in sys.modules, "wcwidth": "wcwidth" in sys.modules}
import feedparser.encodings, ftfy.formatting
text = "\u00e9t\u00e9 \u00e0 Paris, caf\u00e9 cr\u00e8me, na\u00efve".encode("latin-1") * 10
guess = feedparser.encodings.lazy_chardet_encoding(text)
formatting = ftfy.formatting
widths = [formatting.display_ljust("\u65e5\u672c", 6, "."), formatting.character_width("\u65e5"),
          formatting.monospaced_width("a\u65e5b")]
import chardet, wcwidth
real = {"chardet": hasattr(chardet, "UniversalDetector"),
        "wcwidth": hasattr(wcwidth, "list_versions")}
real_widths = [wcwidth.wcswidth("\u65e5\u672c"), wcwidth.wcwidth("\u65e5")]
print(json.dumps({"loaded": loaded, "guess": guess, "real_guess": chardet.detect(text)["encoding"],
                  "widths": widths, "real_widths": real_widths, "real": real,
                  "repaired": repair_mojibake("it\u00e2\u20ac\u2122s")}))
'''


def test_feedparser_and_ftfy_load_their_dependencies_only_when_called() -> None:
    done = subprocess.run([sys.executable, "-c", SPARED], capture_output=True, text=True,
                          check=True, timeout=120)
    found = json.loads(done.stdout)
    assert found["loaded"] == {"chardet": False, "wcwidth": False}
    assert found["guess"] == found["real_guess"] == "ISO-8859-1"
    assert found["widths"] == ["\u65e5\u672c..", 2, 4]
    assert found["real_widths"] == [4, 2]
    assert found["real"] == {"chardet": True, "wcwidth": True}
    assert found["repaired"] == "it\u2019s"


LIBRARY = r'''
import json, sys
sys.path.insert(0, sys.argv[1])
from reader.stand_ins import import_sparing
wants_one = import_sparing("wants_one", "dep", ("one",))
spared = "dep" not in sys.modules
first = wants_one.call()
wants_two = import_sparing("wants_two", "dep_b", ("one",))
uses_two = import_sparing("uses_two", "dep_c", ("one",))
print(json.dumps({"spared": spared, "first": first, "two": wants_two.two(),
                  "used": uses_two.VALUE,
                  "dep_real": [hasattr(sys.modules[name], "two")
                               for name in ("dep", "dep_b", "dep_c")]}))
'''


def test_a_library_that_wants_more_gets_the_real_dependency(tmp_path: Path) -> None:
    for name in ("dep", "dep_b", "dep_c"):
        (tmp_path / f"{name}.py").write_text(
            "def one(x=1):\n    return ('one', x)\n\n\ndef two():\n    return 'two'\n")
    (tmp_path / "wants_one.py").write_text("from dep import one\n\n\ndef call():\n"
                                           "    return one(x=5)\n")
    (tmp_path / "wants_two.py").write_text("from dep_b import one, two\n")
    # Uses more of it at import by attribute (AttributeError, not ImportError, on a stand-in)
    (tmp_path / "uses_two.py").write_text("import dep_c\n\nVALUE = dep_c.two()\n")
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run([sys.executable, "-c", LIBRARY, str(tmp_path)], capture_output=True,
                          text=True, check=True, timeout=60, env=env)
    assert json.loads(done.stdout) == {"spared": True, "first": ["one", 5], "two": "two",
                                       "used": "two", "dep_real": [True, True, True]}

