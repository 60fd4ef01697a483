"""Signed links and cookies: round trips, and every way a token can be forged, broken or old."""

from __future__ import annotations

from pathlib import Path

import pytest

from personalize.edge.links import (
    LINK_PARAM,
    CookieClaims,
    LinkClaims,
    add_token,
    load_secret,
    sign_cookie,
    sign_link,
    verify_cookie,
    verify_link,
)
from personalize.errors import ConfigError

SECRET = b"0123456789abcdef0123456789abcdef"
NOW = 1_800_000_000


def token(**claims: object) -> str:
    return sign_link(SECRET, expires_at=NOW + 3600, **claims)  # type: ignore[arg-type]


def test_a_share_link_round_trips_with_unicode_owner() -> None:
    value = token(account="ACC-001", owner="张伟")
    assert verify_link(SECRET, value, now=NOW) == (LinkClaims("ACC-001", None, "张伟", NOW + 3600, False), None)
    assert len(value) < 100 and all(ch.isalnum() or ch in "-_." for ch in value)


def test_a_preview_link_may_carry_only_an_industry() -> None:
    claims, reason = verify_link(SECRET, token(industry="retail", preview=True), now=NOW)
    assert reason is None and claims == LinkClaims(None, "retail", None, NOW + 3600, True)


def test_a_link_needs_an_account_unless_it_previews_an_industry() -> None:
    with pytest.raises(ValueError):
        token(industry="retail")
    with pytest.raises(ValueError):
        token(owner="张伟")


def test_every_flipped_byte_is_refused() -> None:
    value = token(account="ACC-001", owner="李娜")
    for index in range(len(value)):
        for flip in (1, 2, 32):
            forged = value[:index] + chr(ord(value[index]) ^ flip) + value[index + 1 :]
            claims, reason = verify_link(SECRET, forged, now=NOW)
            assert claims is None and reason in ("tampered", "malformed"), (index, forged)


def test_a_changed_payload_with_the_old_signature_is_tampered() -> None:
    honest = token(account="ACC-001")
    other = token(account="ACC-002")
    forged = other.split(".")[0] + "." + honest.split(".")[1]
    assert verify_link(SECRET, forged, now=NOW) == (None, "tampered")
    assert verify_link(b"another secret of 32 bytes......", honest, now=NOW) == (None, "tampered")


def test_expired_links_are_refused_and_the_last_second_still_works() -> None:
    value = token(account="ACC-001")
    assert verify_link(SECRET, value, now=NOW + 3600)[0] is not None
    assert verify_link(SECRET, value, now=NOW + 3601) == (None, "expired")


@pytest.mark.parametrize("value", ["", ".", "abc", "a.b.c", "%%%.###", "abc.def", "YQ.YQ", "x" * 5000,
                                   "é.é"])
def test_malformed_tokens(value: str) -> None:
    assert verify_link(SECRET, value, now=NOW) == (None, "malformed")


def test_a_signed_payload_of_the_wrong_shape_is_malformed() -> None:
    from personalize.edge.links import _sign

    for fields in ([], ["ACC-001"], ["ACC-001", None, None, "soon", 0]):
        assert verify_link(SECRET, _sign(SECRET, b"link", fields), now=NOW) == (None, "malformed")


def test_a_cookie_cannot_be_used_as_a_link_and_the_other_way_round() -> None:
    cookie = sign_cookie(SECRET, visitor_id="v1", account="ACC-001", owner=None, lead=False)
    assert verify_link(SECRET, cookie, now=NOW) == (None, "tampered")
    assert verify_cookie(SECRET, token(account="ACC-001")) is None


def test_cookie_round_trip() -> None:
    value = sign_cookie(SECRET, visitor_id="v-123", account="ACC-001", owner="张伟", lead=True)
    assert verify_cookie(SECRET, value) == CookieClaims("v-123", "ACC-001", "张伟", True)
    anonymous = sign_cookie(SECRET, visitor_id="v-9", account=None, owner=None, lead=False)
    assert verify_cookie(SECRET, anonymous) == CookieClaims("v-9", None, None, False)


@pytest.mark.parametrize("value", [None, "", "garbage", "a.b"])
def test_foreign_cookies_are_ignored(value: str | None) -> None:
    assert verify_cookie(SECRET, value) is None


def test_a_flipped_cookie_byte_is_refused() -> None:
    value = sign_cookie(SECRET, visitor_id="v-123", account="ACC-001", owner=None, lead=True)
    for index in range(len(value)):
        forged = value[:index] + chr(ord(value[index]) ^ 1) + value[index + 1 :]
        assert verify_cookie(SECRET, forged) is None


@pytest.mark.parametrize(("url", "expected"), [
    ("https://x.cn/a/", "https://x.cn/a/?abm=T"),
    ("https://x.cn/a/?utm_source=wx&utm_campaign=a%20b+c", "https://x.cn/a/?utm_source=wx&utm_campaign=a%20b+c&abm=T"),
    ("https://x.cn/a/?abm=OLD&utm_medium=email#agenda", "https://x.cn/a/?utm_medium=email&abm=T#agenda"),
    ("/resources/x/?", "/resources/x/?abm=T"),
    ("https://x.cn/?abmx=1&abm", "https://x.cn/?abmx=1&abm=T"),
])
def test_add_token_keeps_every_other_parameter_as_it_was(url: str, expected: str) -> None:
    assert LINK_PARAM == "abm"
    assert add_token(url, "T") == expected


def test_load_secret(tmp_path: Path) -> None:
    path = tmp_path / "secret.key"
    path.write_text("  " + "s" * 32 + "\n")
    assert load_secret(path) == b"s" * 32
    path.write_text("\n")
    with pytest.raises(ConfigError, match="is empty.*secrets.token_hex"):
        load_secret(path)
    path.write_text("short")
    with pytest.raises(ConfigError, match="holds only 5 bytes; it needs at least 32"):
        load_secret(path)
    with pytest.raises(ConfigError, match="does not exist; create one with"):
        load_secret(tmp_path / "missing.key")
    with pytest.raises(ConfigError, match="cannot read"):
        load_secret(tmp_path)
