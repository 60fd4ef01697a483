"""The lead form, once for both wings: its fields, its consent text and the one template that draws it.

The build renders it into every gated page (the static first view); the edge renders the same
template with the same facts for the visitors it serves and again, with the visitor's values and
errors, after an invalid submit. So the labels, limits and consent a visitor sees never depend on
which of the two drew the form, and the consent id in the form names exactly the text shown.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Final

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

#: Shown when neither mkdocs.yml (`plugins: abm: consent_text`) nor the edge settings name another.
DEFAULT_CONSENT: Final = (
    "我同意贵公司按照隐私政策处理我提交的信息，用于发送我申请的资料并就相关产品与我联系；"
    "我可以随时撤回同意。"
)
LEAD_PATH: Final = "/abm/lead"
HONEYPOT: Final = "website"


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str  # the input type
    required: bool
    max_length: int
    autocomplete: str
    half: bool = True  # half a row on wide screens


FIELDS: Final = (
    Field("name", "姓名", "text", True, 100, "name"),
    Field("company", "公司", "text", True, 200, "organization"),
    Field("email", "工作邮箱", "email", True, 200, "email", half=False),
    Field("phone", "手机", "tel", False, 30, "tel"),
    Field("role", "职位", "text", True, 100, "organization-title"),
)
FIELD_NAMES: Final = tuple(field.name for field in FIELDS)


def consent_id(text: str) -> str:
    """The id of a consent text; it travels in the form so the text stored is the one that was shown."""
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class FormFacts:
    """What one page's form says: where it posts, which page and asset it is for, and its consent."""

    page: str  # the page's request path, as pageviews store it: "/resources/x/"
    asset: str  # the asset's URL path: "/downloads/x.pdf"
    title: str  # the resource's title
    webinar: bool
    consent: str
    action: str = LEAD_PATH
    privacy: str = ""  # the URL of the privacy policy the consent text refers to (PIPL: the visitor can read it first)

    @property
    def heading(self) -> str:
        return f"获取《{self.title}》"

    @property
    def button(self) -> str:
        return "提交并报名" if self.webinar else "提交并获取"


def page_path(url: str) -> str:
    """A site-relative page URL ("resources/x/", "" for home) as the request path the edge logs."""
    return "/" + url.lstrip("/")


_templates = Environment(
    loader=PackageLoader("personalize", "templates"), autoescape=select_autoescape(["html"]), keep_trailing_newline=False
)


def render(
    facts: FormFacts,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    request_fields: str = "",
) -> str:
    """The form's HTML; `request_fields` (CSRF token, campaign) are the only per-visitor part."""
    return (
        _templates.get_template("lead-form.html")
        .render(
            form=facts,
            fields=FIELDS,
            honeypot=HONEYPOT,
            consent_id=consent_id(facts.consent),
            values=values or {},
            errors=errors or {},
            request_fields=Markup(request_fields),  # built by the edge from escaped hidden inputs
        )
        .strip()
    )
