"""`abm link`: share and preview links signed with the edge's secret, from flag, env or settings."""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from personalize.edge.links import LinkClaims, verify_link
from tests.analytics.abm_cli import run_abm

REPO = Path(__file__).resolve().parents[2]
SECRET = b"cli-link-test-secret-0123456789ab"
URL = "https://abm.example/resources/smart-factory/?utm_source=wechat&utm_campaign=q4%20plan"


@pytest.fixture
def secret_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("ABM_SECRET_FILE", "ABM_SETTINGS", "ABM_ACCOUNTS", "ABM_TAXONOMY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(REPO)  # taxonomy.yml of the project, as a user runs it
    path = tmp_path / "secret.key"
    path.write_bytes(SECRET + b"\n")
    return path


def claims_of(output: str) -> LinkClaims:
    url = output.strip().splitlines()[0]
    assert url.startswith(URL + "&abm=")
    (token,) = parse_qs(urlsplit(url).query)["abm"]
    claims, reason = verify_link(SECRET, token, now=int(time.time()))
    assert reason is None and claims is not None
    return claims


def test_a_share_link_keeps_utm_tags_and_carries_account_owner_and_expiry(secret_file: Path) -> None:
    before = int(time.time())
    result = run_abm("link", URL, "--account", "ACC-001", "--owner", "张伟", "--expires", "12h",
                     "--secret-file", secret_file, "--accounts", REPO / "demo" / "accounts.csv")
    assert result.exit_code == 0, result.output
    claims = claims_of(result.stdout)
    assert (claims.account, claims.owner, claims.preview, claims.industry) == ("ACC-001", "张伟", False, None)
    assert before + 12 * 3600 <= claims.expires <= int(time.time()) + 12 * 3600
    assert "account ACC-001, owner 张伟, valid until" in result.stderr


def test_the_default_expiry_is_14_days(secret_file: Path) -> None:
    result = run_abm("link", URL, "--account", "ACC-001", "--secret-file", secret_file)
    assert abs(claims_of(result.stdout).expires - (time.time() + 14 * 86400)) < 60


def test_a_preview_link_by_industry_display_name(secret_file: Path) -> None:
    result = run_abm("link", URL, "--preview", "--industry", "零售", "--secret-file", secret_file)
    assert result.exit_code == 0, result.output
    claims = claims_of(result.stdout)
    assert (claims.account, claims.industry, claims.preview) == (None, "retail", True)


def test_a_preview_link_by_account(secret_file: Path) -> None:
    result = run_abm("link", URL, "--preview", "--account", "ACC-002", "--secret-file", secret_file)
    assert claims_of(result.stdout).account == "ACC-002" and "preview of ACC-002" in result.stderr


def test_the_secret_comes_from_env_or_the_settings_file(secret_file: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ABM_SECRET_FILE", str(secret_file))
    assert claims_of(run_abm("link", URL, "--account", "A").stdout).account == "A"
    monkeypatch.delenv("ABM_SECRET_FILE")
    settings = tmp_path / "abm.toml"
    settings.write_text(f'secret_file = "{secret_file.name}"\naccounts = "{REPO / "demo" / "accounts.csv"}"\n')
    result = run_abm("link", URL, "--account", "ACC-003", "--settings", settings)
    assert claims_of(result.stdout).account == "ACC-003"
    result = run_abm("link", URL, "--account", "ACC-999", "--settings", settings)  # checked against the settings' CSV
    assert result.exit_code == 1 and "'ACC-999' is not in" in result.stderr


@pytest.mark.parametrize(("args", "message", "code"), [
    (["--account", "ACC-999", "--accounts", str(REPO / "demo" / "accounts.csv")], "account 'ACC-999' is not in", 1),
    (["--account", "ACC-001", "--expires", "2w"], "'2w' is not a duration: write a whole number and a unit s, m, h or d", 1),
    (["--account", "ACC-001", "--expires", "0s"], "longer than zero", 1),
    (["--preview", "--industry", "retial"], "unknown industry 'retial'; allowed: manufacturing", 1),
    (["--industry", "retail"], "--industry is for previews", 1),
    (["--preview"], "give --account ID, or --preview with --industry ID", 1),
    ([], "give --account ID", 1),
])
def test_bad_arguments_say_what_to_do(secret_file: Path, args: list[str], message: str, code: int) -> None:
    result = run_abm("link", URL, *args, "--secret-file", secret_file)
    assert result.exit_code == code
    assert message in result.stderr and result.stdout == ""


def test_secret_problems(secret_file: Path, tmp_path: Path) -> None:
    result = run_abm("link", URL, "--account", "A")
    assert result.exit_code == 1 and "no secret: pass --secret-file FILE" in result.stderr
    short = tmp_path / "short.key"
    short.write_text("tiny")
    result = run_abm("link", URL, "--account", "A", "--secret-file", short)
    assert result.exit_code == 2 and "needs at least 32" in result.stderr
    result = run_abm("link", URL, "--account", "A", "--secret-file", tmp_path / "none.key")
    assert result.exit_code == 2 and "does not exist; create one with" in result.stderr


def test_help() -> None:
    result = run_abm("link", "--help")
    assert result.exit_code == 0 and "--expires" in result.stdout and "--preview" in result.stdout


def _png_pixels(path: Path) -> tuple[int, int, bytes]:
    """Width, height and 8-bit grey pixels of a non-interlaced PNG as segno writes it (greyscale or palette)."""
    import struct
    import zlib

    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks: dict[bytes, bytes] = {}
    offset = 8
    while offset < len(data):
        (length,), kind = struct.unpack(">I", data[offset : offset + 4]), data[offset + 4 : offset + 8]
        chunks[kind] = chunks.get(kind, b"") + data[offset + 8 : offset + 8 + length]
        offset += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert colour in (0, 3) and depth in (1, 2, 4, 8)
    palette = chunks.get(b"PLTE", b"")
    grey = [palette[i] for i in range(0, len(palette), 3)] if colour == 3 else None
    stride, raw, rows, previous = (width * depth + 7) // 8, zlib.decompress(chunks[b"IDAT"]), [], bytearray()
    for y in range(height):
        line = raw[y * (stride + 1) : (y + 1) * (stride + 1)]
        assert line[0] in (0, 2), "only the None and Up filters are expected"
        row = bytearray(line[1:])
        if line[0] == 2 and previous:
            row = bytearray((a + b) & 0xFF for a, b in zip(row, previous, strict=True))
        previous = row
        bits = "".join(f"{byte:08b}" for byte in row)
        values = [int(bits[i * depth : (i + 1) * depth], 2) for i in range(width)]
        scale = 255 // ((1 << depth) - 1)
        rows.append(bytes(grey[v] if grey else v * scale for v in values))
    return width, height, b"".join(rows)


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_a_qr_code_of_the_tagged_link_decodes_back_to_it(secret_file: Path, tmp_path: Path, suffix: str) -> None:
    import zxingcpp

    qr = tmp_path / f"poster{suffix}"
    result = run_abm("link", "https://abm.example/", "--account", "ACC-001", "--owner", "张伟", "--secret-file", secret_file,
                     "--utm-source", "poster", "--utm-medium", "offline", "--utm-campaign", "2026智造峰会", "--qr", qr)  # fmt: skip
    assert result.exit_code == 0, result.output
    url = result.stdout.strip()
    assert url.startswith("https://abm.example/?utm_source=poster&utm_medium=offline&utm_campaign=2026%E6%99%BA")
    if suffix == ".svg":
        assert qr.read_text().startswith("<?xml") and "<svg" in qr.read_text()
        return
    width, height, pixels = _png_pixels(qr)
    (found,) = zxingcpp.read_barcodes(memoryview(pixels).cast("B", (height, width)))
    assert found.format == zxingcpp.BarcodeFormat.QRCode and found.text == url


def test_a_qr_file_must_be_svg_or_png(secret_file: Path, tmp_path: Path) -> None:
    result = run_abm("link", URL, "--account", "ACC-001", "--secret-file", secret_file, "--qr", tmp_path / "x.jpg")
    assert result.exit_code != 0 and "name an .svg or .png file" in result.output
