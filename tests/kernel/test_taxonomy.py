"""The taxonomy: ids in file order, display names and aliases resolve, suggestions, bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from personalize.errors import ConfigError
from personalize.taxonomy import DIMENSIONS, Taxonomy, default_taxonomy_path

REPO = Path(__file__).resolve().parents[2]

SMALL = """\
languages: [zh, en]
industries:
  manufacturing: {zh: 制造, en: Manufacturing, aliases: [制造业, 工业]}
  retail: {zh: 零售, en: Retail}
  all: {zh: 全行业, en: All industries}
stages:
  tofu: {zh: 认知阶段, en: Awareness}
personas:
  it: {zh: IT 与数字化, en: IT}
types:
  case-study: {zh: 客户案例, en: Case study}
tiers:
  "1": {zh: 一对一}
"""


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return Taxonomy.load(REPO / "taxonomy.yml")


@pytest.fixture
def small(tmp_path: Path) -> Taxonomy:
    path = tmp_path / "taxonomy.yml"
    path.write_text(SMALL, encoding="utf-8")
    return Taxonomy.load(path)


def test_the_repo_taxonomy_has_the_values_the_issue_asks_for(taxonomy: Taxonomy) -> None:
    assert taxonomy.languages == ("zh", "en")
    assert taxonomy.ids("industries") == [
        "manufacturing", "high-tech", "fmcg", "healthcare", "finance", "retail", "all"
    ]
    assert taxonomy.ids("stages") == ["tofu", "mofu", "bofu"]
    assert taxonomy.ids("personas") == ["executive", "it", "sales", "marketing", "operations"]
    assert set(taxonomy.ids("types")) >= {"ebook", "whitepaper", "case-study", "webinar", "datasheet", "article"}
    assert taxonomy.ids("tiers") == ["1", "2", "3"]
    assert taxonomy.label("industries", "manufacturing") == "制造"


@pytest.mark.parametrize(
    ("dimension", "value", "expected"),
    [
        ("industries", "manufacturing", "manufacturing"),
        ("industries", "制造", "manufacturing"),
        ("industries", "Manufacturing", "manufacturing"),
        ("industries", "MANUFACTURING", "manufacturing"),
        ("industries", "  manufacturing \t", "manufacturing"),
        ("industries", "ＭＡＮＵＦＡＣＴＵＲＩＮＧ", "manufacturing"),  # full width
        ("industries", "High tech", "high-tech"),
        ("industries", "high tech", "high-tech"),
        ("industries", "HIGH_TECH", "high-tech"),
        ("industries", "全行业", "all"),
        ("stages", "认知阶段", "tofu"),
        ("stages", "ToFu – awareness", "tofu"),
        ("types", "白皮书", "whitepaper"),
        ("types", "Case study", "case-study"),
        ("personas", "IT 与数字化", "it"),
        ("personas", "IT与数字化", "it"),
        ("tiers", "1", "1"),
        ("tiers", "一对多", "3"),
    ],
)
def test_ids_and_display_names_in_every_language_resolve(
    taxonomy: Taxonomy, dimension: str, value: str, expected: str
) -> None:
    assert taxonomy.resolve(dimension, value) == expected


@pytest.mark.parametrize(
    ("dimension", "value"),
    [("industries", "manufacturin"), ("industries", "制造业"), ("industries", ""), ("stages", "whitepaper"),
     ("industries", "tofu")],
)
def test_values_that_are_not_an_id_or_a_name_do_not_resolve(taxonomy: Taxonomy, dimension: str, value: str) -> None:
    assert taxonomy.resolve(dimension, value) is None


@pytest.mark.parametrize(
    ("dimension", "value", "expected"),
    [
        ("industries", "manufacturin", "manufacturing"),
        ("industries", "manufactoring", "manufacturing"),
        ("industries", "Finanse", "finance"),
        ("industries", "制造业", "manufacturing"),  # a longer Chinese name
        ("industries", "快销", "fmcg"),  # one wrong character (a homophone)
        ("industries", "hi-tech", "high-tech"),
        ("stages", "tof", "tofu"),
        ("types", "case-studies", "case-study"),
        ("types", "white paper", "whitepaper"),  # resolves, so it is its own suggestion
        ("personas", "exec", "executive"),
    ],
)
def test_suggest_finds_the_closest_id(taxonomy: Taxonomy, dimension: str, value: str, expected: str) -> None:
    assert taxonomy.suggest(dimension, value) == expected


@pytest.mark.parametrize("value", ["xyz", "", "   ", "quantum computing"])
def test_suggest_is_none_when_nothing_is_close(taxonomy: Taxonomy, value: str) -> None:
    assert taxonomy.suggest("industries", value) is None


def test_aliases_resolve_but_stay_out_of_labels_and_the_manifest(small: Taxonomy) -> None:
    assert small.resolve("industries", "制造业") == "manufacturing"
    assert small.resolve("industries", "工业") == "manufacturing"
    assert small.as_dict()["industries"]["manufacturing"] == {"zh": "制造", "en": "Manufacturing"}


def test_labels_per_language_fall_back_to_the_site_language(small: Taxonomy) -> None:
    assert small.label("industries", "retail") == "零售"
    assert small.label("industries", "retail", "en") == "Retail"
    assert small.label("tiers", "1", "en") == "一对一"  # no English name: the first language's
    with pytest.raises(KeyError):
        small.label("industries", "bakery")


def test_as_dict_has_every_dimension_and_value_in_order(taxonomy: Taxonomy) -> None:
    data = taxonomy.as_dict()
    assert tuple(data) == DIMENSIONS
    assert list(data["industries"]) == taxonomy.ids("industries")
    assert data["stages"]["mofu"] == {"zh": "考虑阶段", "en": "MoFu – consideration"}
    data["stages"]["mofu"]["zh"] = "changed"
    assert taxonomy.label("stages", "mofu") == "考虑阶段"  # a copy, not the taxonomy's own


def test_an_unknown_dimension_is_a_programming_error(taxonomy: Taxonomy) -> None:
    with pytest.raises(KeyError, match="unknown taxonomy dimension 'industry'"):
        taxonomy.ids("industry")
    with pytest.raises(KeyError):
        taxonomy.resolve("industry", "制造")


def test_default_path_is_the_taxonomy_of_the_current_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert default_taxonomy_path() == tmp_path / "taxonomy.yml"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("languages: [zh, en]\nindustries: [a, b\n", r"taxonomy\.yml:3: the taxonomy is not valid YAML"),
        ("- zh\n- en\n", "expected `languages:` and one mapping per dimension"),
        (SMALL.replace("languages: [zh, en]", "languages: zh"), "`languages:` must list language codes"),
        (SMALL.replace("tiers:", "levels:"), "`tiers:` must map each allowed id"),
        (SMALL.replace("retail: {zh: 零售, en: Retail}", "retail: 零售"), r"industries\.retail: expected display names"),
        (SMALL.replace("en: Retail", "fr: Détail"), r"industries\.retail: unknown key 'fr'"),
        (SMALL.replace("en: Retail", "en: ''"), "the en name must be non-empty text"),
        (SMALL.replace("aliases: [制造业, 工业]", "aliases: 制造业"), "`aliases:` must be a list of names"),
        (SMALL.replace("{zh: 零售, en: Retail}", "{zh: 制造, en: Retail}"),
         r"taxonomy\.yml: industries: the name '制造' is used by both 'manufacturing' and 'retail'"),
        (SMALL + "regions: {}\n", "unknown section"),
    ],
)
def test_a_bad_taxonomy_file_is_a_config_error_that_says_what_to_fix(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "taxonomy.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as raised:
        Taxonomy.load(path)
    assert raised.value.exit_code == 2


def test_a_missing_or_unreadable_taxonomy_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no taxonomy file here"):
        Taxonomy.load(tmp_path / "taxonomy.yml")
    (tmp_path / "gbk.yml").write_bytes("languages: [中文]".encode("gbk"))
    with pytest.raises(ConfigError, match="cannot read the taxonomy"):
        Taxonomy.load(tmp_path / "gbk.yml")
