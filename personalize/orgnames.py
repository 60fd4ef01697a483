"""Company names reduced to a matching key, so "Lariat Software, Inc." finds "Lariat Software".

GeoIP organizations and CRM account names spell the same company differently: case, punctuation,
full-width characters, legal forms (Inc., GmbH, 有限公司, ...) and "(中国)"-style qualifiers.
The key keeps only what identifies the company; "科技" and similar words stay (they do).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

#: Legal forms dropped from the end of a Latin-script name (compared after dots are removed).
LEGAL_FORMS = frozenset(
    "inc incorporated ltd limited llc llp lp corp corporation co company plc gmbh ag kg ab sa sas "
    "sarl spa srl bv nv oy as asa aps pty kk gk pte sdn bhd".split()
)
#: Legal forms and group words dropped from the end of a Chinese name, longest first.
CHINESE_FORMS = ("股份有限公司", "有限责任公司", "有限公司", "股份公司", "集团", "公司")
#: Qualifiers in parentheses that say where, not who: "(中国)", "(China)".
QUALIFIERS = re.compile(r"\((?:中国|china|prc|hk|香港)\)")
_DROP = re.compile(r"[.'’]")


@lru_cache(maxsize=4096)
def normalize(name: str) -> str:
    """The matching key of a company name; "" when nothing identifying is left."""
    text = unicodedata.normalize("NFKC", name or "").casefold()
    text = QUALIFIERS.sub(" ", text)
    text = _DROP.sub("", text)
    text = "".join(" " if unicodedata.category(ch)[0] in "PSZC" else ch for ch in text)
    tokens = text.split()
    while len(tokens) > 1 and tokens[-1] in LEGAL_FORMS:
        tokens.pop()
    key = "".join(tokens)
    while True:
        form = next((form for form in CHINESE_FORMS if key.endswith(form)), None)
        if form is None or form == key:
            return key
        key = key[: -len(form)]
