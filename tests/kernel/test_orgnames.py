"""Company-name keys: the spellings GeoIP databases and CRMs use for one company meet."""

from __future__ import annotations

import pytest

from personalize.orgnames import normalize


@pytest.mark.parametrize(("name", "key"), [
    ("Lariat Software", "lariatsoftware"),
    ("Lariat Software, Inc.", "lariatsoftware"),
    ("LARIAT  SOFTWARE INC", "lariatsoftware"),
    ("Ｌａｒｉａｔ　Ｓｏｆｔｗａｒｅ，Ｉｎｃ．", "lariatsoftware"),  # full-width letters, space, punctuation
    ("Bevtec AB", "bevtec"),
    ("GHD Pty Ltd", "ghd"),
    ("Effectiv Solutions GmbH", "effectivsolutions"),
    ("Acme Co., Ltd.", "acme"),
    ("Acme S.A.", "acme"),
    ("Acme Corporation", "acme"),
    ("Acme LLC", "acme"),
    ("Siemens AG", "siemens"),
    ("Philips B.V.", "philips"),
    ("Sony K.K.", "sony"),
    ("O'Reilly Media", "oreillymedia"),
    ("AT&T", "att"),
    ("恒锐精工有限公司", "恒锐精工"),
    ("恒锐精工（中国）有限公司", "恒锐精工"),
    ("恒锐精工(中国)", "恒锐精工"),
    ("鲜丰食品集团股份有限公司", "鲜丰食品"),
    ("鲜丰食品集团", "鲜丰食品"),
    ("北辰汽车零部件有限责任公司", "北辰汽车零部件"),
    ("星河半导体科技有限公司", "星河半导体科技"),  # 科技 says what the company is: it stays
    ("Huawei Technologies Co., Ltd. (China)", "huaweitechnologies"),
    ("Inc.", "inc"),  # a legal form alone is left as it is, never emptied
    ("有限公司", "有限公司"),
    ("", ""),
    ("  ,.; ", ""),
])
def test_normalize(name: str, key: str) -> None:
    assert normalize(name) == key


def test_different_companies_stay_different() -> None:
    assert normalize("Acme Software") != normalize("Acme Systems")
    assert normalize("星河半导体") != normalize("星河半导体科技")
