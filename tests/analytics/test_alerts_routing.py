"""`abm alerts --settings`: every alert kind routed by owner and kind, the SLA breach sent once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from click.testing import Result

from analytics.period import iso
from analytics.store import Store
from tests.analytics.abm_cli import run_abm
from tests.conftest import REPO

if TYPE_CHECKING:
    from tests.receiver import Receiver

ACCOUNTS_CSV = """id,name,domains,industry,tier,owner
ACC-001,恒锐精工,hengrui.example,manufacturing,1,王芳
ACC-002,华东零售,huadong.example,retail,2,李雷
"""


def ago(**delta: float) -> str:
    return iso(datetime.now(UTC) - timedelta(**delta))


def _store(tmp_path: Path) -> Path:
    """Two leads whose 24-hour SLA ran out in the last day (one of them contacted), one still in time,
    and a tier-1 visit of 王芳's account."""
    leads = [
        {"lead_id": "L-1", "ts": ago(hours=30), "visitor_id": "v1", "name": "周杰", "email": "zhou@hengrui.example",
         "company": "恒锐精工"},
        {"lead_id": "L-2", "ts": ago(hours=26), "visitor_id": "v2", "name": "吴磊", "email": "wu@huadong.example",
         "company": "华东零售", "account_id": "ACC-002"},
        {"lead_id": "L-3", "ts": ago(hours=28), "visitor_id": "v3", "name": "孙丽", "email": "sun@huadong.example"},
        {"lead_id": "L-4", "ts": ago(hours=2), "visitor_id": "v4", "name": "钱进", "email": "qian@hengrui.example"},
    ]  # fmt: skip
    path = tmp_path / "abm.sqlite"
    with Store.open(path, create=True) as store:
        store.insert_events([{"ts": ago(minutes=30), "kind": "pageview", "visitor_id": "v9", "session_id": "s9",
                              "path": "/pricing/", "account_id": "ACC-001"}])  # fmt: skip
        store.insert_rows("leads", leads)
        store.insert_rows("lead_followups", [{"lead_key": "sun@huadong.example", "followed_up_at": ago(hours=27)}])
    (tmp_path / "accounts.csv").write_text(ACCOUNTS_CSV, encoding="utf-8")
    return path


def _settings(tmp_path: Path, wang: str, li: str, manager: str) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(f"""sla_hours = 24
dashboard_url = "https://abm.example.com/_abm/dashboard"

[[webhooks]]
url = "{wang}"
format = "wecom"
owners = ["王芳"]

[[webhooks]]
url = "{li}"
format = "dingtalk"
owners = ["李雷"]

[[webhooks]]
url = "{manager}"
format = "feishu"
kinds = ["sla_breach"]
""", encoding="utf-8")
    return path


def _alerts(store: Path, *args: object) -> Result:
    return run_abm("alerts", "--db", store, "--accounts", store.parent / "accounts.csv",
                   "--taxonomy", REPO / "taxonomy.yml", "--backoff", 0.01, *args)  # fmt: skip


def test_alerts_go_to_their_owners_and_an_sla_breach_is_sent_once(
    tmp_path: Path, receivers: Callable[..., Receiver]
) -> None:
    store = _store(tmp_path)
    wang, li = receivers(answer={"errcode": 0}), receivers(answer={"errcode": 0})
    manager = receivers(answer={"code": 0})
    settings = _settings(tmp_path, wang.url, li.url, manager.url)
    for _ in range(2):
        result = _alerts(store, "--settings", settings)
        assert result.exit_code == 0, result.stderr
    wang_text = [post["markdown"]["content"] for post in wang.posts]
    assert len(wang_text) == 2 and "重点账户访问" in wang_text[0] and "线索超时未跟进" in wang_text[1]
    assert "周杰" in wang_text[1] and "/accounts/ACC-001" in wang_text[1]  # L-1: account by e-mail domain
    assert [post["markdown"]["title"] for post in li.posts] == ["线索超时未跟进"]
    assert "吴磊" in li.posts[0]["markdown"]["text"]
    cards = [post["card"]["elements"][0]["content"] for post in manager.posts]
    assert len(cards) == 2 and any("周杰" in c for c in cards) and any("吴磊" in c for c in cards)
    assert not any("孙丽" in c or "钱进" in c for c in cards)  # contacted in time / still within the SLA


def test_a_refusing_robot_fails_the_run_and_only_it_is_tried_again(
    tmp_path: Path, receivers: Callable[..., Receiver]
) -> None:
    store = _store(tmp_path)
    wang = receivers(answer={"errcode": 0})
    li = receivers(answer={"errcode": 310000, "errmsg": "keywords not in content"})
    manager = receivers(answer={"code": 0})
    settings = _settings(tmp_path, wang.url, li.url, manager.url)
    failed = _alerts(store, "--settings", settings)
    assert failed.exit_code == 1 and "1 alert(s) not delivered" in failed.stderr
    assert "errcode 310000: keywords not in content" in failed.stderr
    assert len(manager.posts) == 2
    li.answer = {"errcode": 0}
    again = _alerts(store, "--settings", settings, "--since", ago(hours=12))
    assert again.exit_code == 0, again.stderr
    assert len(li.posts) == 2 and len(manager.posts) == 2  # the manager's robot took it the first time


def test_sla_hours_and_a_bad_settings_file(tmp_path: Path) -> None:
    store = _store(tmp_path)
    dry = _alerts(store, "--dry-run", "--sla-hours", 48)
    assert '"sla_breach"' not in dry.stdout
    bad = tmp_path / "bad.toml"
    bad.write_text('[[webhooks]]\nurl = "https://x.example.com/"\nformat = "wechat"\n', encoding="utf-8")
    result = _alerts(store, "--settings", bad)
    assert result.exit_code == 1 and "webhooks[0] (https://x.example.com/): format 'wechat'" in result.stderr
