"""Rewrite the role × action table in docs/access-matrix.md from ``accounts/roles.py``, and its
list of demo personas from ``demo/personas.py``.

`python scripts/access_matrix.py` (from the repository root); ``tests/core/test_docs.py`` fails
when the document and the role table differ.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opennrm.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from tests.core.test_docs import render_matrix, render_personas  # noqa: E402

doc = ROOT / "docs" / "access-matrix.md"
text = doc.read_text(encoding="utf-8")
text = re.sub(
    r"(<!-- matrix:start -->\n).*?(\n<!-- matrix:end -->)",
    lambda m: m.group(1) + render_matrix() + m.group(2),
    text,
    flags=re.S,
)
text = re.sub(
    r"(<!-- personas:start -->\n).*?(\n<!-- personas:end -->)",
    lambda m: m.group(1) + render_personas() + m.group(2),
    text,
    flags=re.S,
)
doc.write_text(text, encoding="utf-8")
