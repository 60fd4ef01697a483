"""The six journey stages of an account, in order, with their Chinese names: the words every report shares."""

from __future__ import annotations

STAGES = ("unaware", "aware", "engaged", "qualified", "opportunity", "customer")
STAGES_ZH = {
    "unaware": "未知",
    "aware": "认知",
    "engaged": "互动",
    "qualified": "合格",
    "opportunity": "商机",
    "customer": "客户",
}
