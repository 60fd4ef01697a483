"""PostgreSQL stopped and started again under a real `abm serve` while several visitors browse and fill forms.

Pages keep being served; events wait in the spool and reach the store once it is back,
each once; `/healthz` says the store cannot be written, and why, while it is down; a lead posted
meanwhile is refused with the form again (503), and leads go in again afterwards, through the same pool.
"""

from __future__ import annotations

import time
from pathlib import Path

from tests.conftest import free_port
from tests.edge.edge_site import write_edge_site
from tests.edge.serve_process import health, start, wait_until_written, write_settings
from tests.edge.traffic import Traffic, check_store
from tests.postgres import PostgresCluster, postgres_cluster, postgres_url

__all__ = ["postgres_cluster", "postgres_url"]  # fixtures
PAGE_VISITORS = 3  # and one more who fills a form every few pages (a lead waits up to 3 s while the store is down)


def test_postgres_restart_under_traffic_loses_and_doubles_nothing(
    tmp_path: Path, postgres_url: str, postgres_cluster: PostgresCluster
) -> None:
    root = write_edge_site(tmp_path)
    port = free_port()
    settings = write_settings(root, "edge.toml", db=postgres_url, spool_dir="spool", rate_limit=100_000)
    edge = start(root, settings, port)
    try:
        base = f"http://127.0.0.1:{port}"
        with Traffic(base, PAGE_VISITORS, lead_every=0, name="p") as pages, Traffic(base, 1, lead_every=4, name="f") as forms:
            time.sleep(1.0)
            postgres_cluster.stop()
            try:
                served_before = len(pages.outcomes.served)
                time.sleep(1.5)
                down = health(port)
                served_while_down = len(pages.outcomes.served) - served_before
                assert forms.lead_once("down") == 503
            finally:
                postgres_cluster.start()
            time.sleep(1.5)
        assert forms.lead_once("after") == 200
        after = wait_until_written(port)
        edge.terminate()
        edge.wait(15)
    finally:
        if edge.poll() is None:
            edge.kill()
            edge.wait(10)
    events = down["events"]
    assert events["store_failing_since"] and "event store write failed" in events["last_error"]
    assert down["counters"]["write_failures"] >= 1 and down["buffer_depth"] > 0 and events["spool_bytes"] > 0
    assert after["events"]["store_failing_since"] is None and after["counters"]["events_dropped"] == 0
    assert served_while_down > 0 and not pages.outcomes.errors and not forms.outcomes.errors
    assert set(pages.outcomes.statuses) == {("GET", 200)} and set(forms.outcomes.statuses) <= {("GET", 200), ("POST", 200), ("POST", 503)}
    assert ("down@hengrui-precision.cn", 503) in forms.outcomes.leads_refused and "after@hengrui-precision.cn" in forms.outcomes.leads_shown
    stored = check_store(postgres_url, pages.outcomes, forms.outcomes)
    print(f"PostgreSQL restart: {len(pages.outcomes.served)} + {len(forms.outcomes.served)} pages "
          f"({served_while_down} while it was down) and {len(forms.outcomes.leads_shown)} leads answered, "
          f"{dict(forms.outcomes.statuses)}; stored {stored}; {after['counters']['write_failures']} failed writes")
