"""The accounts CSV as marketers export it: encodings, header spellings, every kind of bad row,
and the lookups the resolver makes (IP ranges, domains, emails, organization names)."""

from __future__ import annotations

import ipaddress
import random
from pathlib import Path

import pytest

from personalize.accounts import Account, AccountBook, AccountsError, RowProblem, load_accounts, read_accounts
from personalize.errors import ConfigError, UserError
from personalize.iprange import IpRangeIndex
from personalize.taxonomy import Taxonomy

REPO = Path(__file__).resolve().parents[2]
HEADER = "id,name,domains,industry,tier,ip_ranges,owner,stage\n"
GOOD = HEADER + "ACC-1,恒锐精工,hengrui.cn;HRJG.com.cn,制造,1,203.0.113.0/26,张伟,opportunity\n"


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return Taxonomy.load(REPO / "taxonomy.yml")


def read(tmp_path: Path, taxonomy: Taxonomy, data: str | bytes) -> tuple[list[Account], list[RowProblem]]:
    path = tmp_path / "accounts.csv"
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return read_accounts(path, taxonomy)


def test_the_demo_accounts_load(taxonomy: Taxonomy) -> None:
    book = load_accounts(REPO / "demo" / "accounts.csv", taxonomy)
    assert len(book) == len(book.accounts) > 0
    assert {account.tier for account in book.accounts} == {1, 2, 3}
    assert all(account.industry in taxonomy.ids("industries") for account in book.accounts)


def test_a_good_row_becomes_an_account(tmp_path: Path, taxonomy: Taxonomy) -> None:
    accounts, problems = read(tmp_path, taxonomy, GOOD)
    assert problems == []
    assert accounts == [Account("ACC-1", "恒锐精工", ("hengrui.cn", "hrjg.com.cn"), "manufacturing", 1,
                                ("203.0.113.0/26",), "张伟", "opportunity")]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_excel_encodings_are_read(tmp_path: Path, taxonomy: Taxonomy, encoding: str) -> None:
    accounts, problems = read(tmp_path, taxonomy, GOOD.replace("\n", "\r\n").encode(encoding))
    assert problems == []
    assert accounts[0].name == "恒锐精工" and accounts[0].owner == "张伟"


def test_headers_are_case_insensitive_trimmed_and_may_be_chinese(tmp_path: Path, taxonomy: Taxonomy) -> None:
    text = " ID ,Name,DOMAINS, Industry,Tier\nA,Acme,acme.example,Retail,one-to-few\n"
    assert read(tmp_path, taxonomy, text)[0][0].tier == 2
    chinese = "编号,客户名称,域名,行业,等级,IP段,负责人\nB,鲜丰,xf.cn,快消,一对多,10.0.0.0/8,王磊\n"
    (account,), problems = read(tmp_path, taxonomy, chinese.encode("gbk"))
    assert problems == []
    assert (account.industry, account.tier, account.ip_ranges, account.owner) == ("fmcg", 3, ("10.0.0.0/8",), "王磊")


def test_cells_are_normalised(tmp_path: Path, taxonomy: Taxonomy) -> None:
    text = HEADER + 'A,"Acme, Inc.",https://WWW.Acme.example/;例子.中国,high tech,T1,10.1.2.3/16; 2001:db8::/32 ,,\n'
    (account,), problems = read(tmp_path, taxonomy, text)
    assert problems == []
    assert account.name == "Acme, Inc."
    assert account.domains == ("acme.example", "xn--fsqu00a.xn--fiqs8s")
    assert account.ip_ranges == ("10.1.0.0/16", "2001:db8::/32")
    assert account.industry == "high-tech" and account.tier == 1


BAD_ROWS = [
    ("A,Acme,acme.example,manufacturing,1,10.0.0.0/33,,", "ip_ranges", "10.0.0.0/33", "CIDR"),
    ("A,Acme,acme.example,manufacturing,1,not-an-ip,,", "ip_ranges", "not-an-ip", "CIDR"),
    ("A,Acme,acme_example,manufacturing,1,,,", "domains", "acme_example", "domain"),
    ("A,Acme,localhost,manufacturing,1,,,", "domains", "localhost", "domain"),
    ("A,Acme,acme.example,manufactoring,1,,,", "industry", "manufactoring", "did you mean 'manufacturing'"),
    ("A,Acme,acme.example,全行业,1,,,", "industry", "全行业", "one industry"),
    ("A,Acme,acme.example,retail,4,,,", "tier", "4", "1, 2 or 3"),
    ("A,Acme,acme.example,retail,,,,", "tier", "", "required"),
    (",Acme,acme.example,retail,1,,,", "id", "", "required"),
    ("A,,acme.example,retail,1,,,", "name", "", "required"),
    ("A,Acme,acme.example,retail,1,,,,surplus", "", "surplus", "more cells"),
]


@pytest.mark.parametrize(("row", "column", "value", "message"), BAD_ROWS)
def test_each_bad_cell_is_one_problem_with_row_column_value(
    tmp_path: Path, taxonomy: Taxonomy, row: str, column: str, value: str, message: str
) -> None:
    accounts, problems = read(tmp_path, taxonomy, GOOD + row + "\n")
    assert [account.id for account in accounts] == ["ACC-1"]  # the good row is still read
    assert len(problems) == 1, problems
    problem = problems[0]
    assert (problem.row, problem.column, problem.value) == (3, column, value)
    assert message in problem.message
    assert str(problem).startswith("row 3")


def test_every_problem_of_the_file_is_reported_in_one_run(tmp_path: Path, taxonomy: Taxonomy) -> None:
    text = GOOD + "\n".join(row for row, *_ in BAD_ROWS) + "\n"
    _, problems = read(tmp_path, taxonomy, text)
    # every bad row also reuses id A: each after the first is a duplicate too
    assert {problem.row for problem in problems} == set(range(3, 3 + len(BAD_ROWS)))


def test_unknown_columns_with_values_and_trailing_empty_columns_are_read_past(tmp_path: Path, taxonomy: Taxonomy) -> None:
    """An Excel export with a Region column left of nothing and two empty columns at the end."""
    data = ("ID , Account Name ,Domains,Industry,Tier,IP Ranges,Owner,Stage,Region,,\r\n"
            '"A1","Acme, Inc.","acme.com; acme.cn",Manufacturing,Tier 1,2001:db8::/32,Zhang,engaged,华东,,\r\n'
            ",,,,,,,,,,\r\n")
    accounts, problems = read(tmp_path, taxonomy, data.encode("gbk"))
    assert problems == []
    assert accounts == [Account("A1", "Acme, Inc.", ("acme.com", "acme.cn"), "manufacturing", 1,
                                ("2001:db8::/32",), "Zhang", "engaged")]


def test_cells_past_the_header_are_still_a_problem(tmp_path: Path, taxonomy: Taxonomy) -> None:
    _, problems = read(tmp_path, taxonomy, GOOD.replace("opportunity", "opportunity,Acme, Inc."))
    assert [(p.row, p.value) for p in problems] == [(2, "Acme,Inc.")]  # cells trimmed, joined back


def test_duplicate_ids_name_the_first_row(tmp_path: Path, taxonomy: Taxonomy) -> None:
    text = GOOD + "\nACC-1,Other,other.example,retail,2,,,\n"  # a blank line does not count as a row
    _, problems = read(tmp_path, taxonomy, text)
    assert problems == [RowProblem(4, "id", "ACC-1", "duplicate id: row 2 has it already")]


def test_row_numbers_are_file_lines_even_with_multiline_cells(tmp_path: Path, taxonomy: Taxonomy) -> None:
    text = HEADER + 'A,"Acme\nGroup",acme.example,retail,1,,,\nB,Beta,beta.example,retail,9,,,\n'
    accounts, problems = read(tmp_path, taxonomy, text)
    assert accounts[0].name == "Acme\nGroup"
    assert [(p.row, p.column) for p in problems] == [(4, "tier")]


def test_a_domain_or_range_claimed_twice_is_a_problem(tmp_path: Path, taxonomy: Taxonomy) -> None:
    text = GOOD + "B,Beta,hengrui.cn,retail,2,203.0.113.0/26,,\n"
    _, problems = read(tmp_path, taxonomy, text)
    assert [(p.row, p.column, p.value) for p in problems] == [
        (3, "domains", "hengrui.cn"), (3, "ip_ranges", "203.0.113.0/26")
    ]
    assert "also belongs to ACC-1 (row 2)" in problems[0].message


def test_missing_required_columns_are_named_once_each(tmp_path: Path, taxonomy: Taxonomy) -> None:
    accounts, problems = read(tmp_path, taxonomy, "id,name,industry\nA,Acme,retail\n")
    assert accounts == []
    assert [(p.row, p.column) for p in problems] == [(1, "domains"), (1, "tier")]
    assert "missing required column 'domains'" in problems[0].message


def test_a_column_twice_in_the_header_is_a_problem(tmp_path: Path, taxonomy: Taxonomy) -> None:
    _, problems = read(tmp_path, taxonomy, "id,name,domains,industry,tier,Tier\n")
    assert [(p.row, p.column, p.value) for p in problems] == [(1, "tier", "Tier")]


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b"\n\n , ,\n"])
def test_an_empty_file_is_one_problem(tmp_path: Path, taxonomy: Taxonomy, data: bytes) -> None:
    accounts, problems = read(tmp_path, taxonomy, data)
    assert accounts == [] and len(problems) == 1
    assert problems[0].row == 0 and "empty" in problems[0].message


def test_bytes_in_no_known_encoding_are_one_problem(tmp_path: Path, taxonomy: Taxonomy) -> None:
    _, problems = read(tmp_path, taxonomy, HEADER.encode() + b"\x81\x20\xff\xfe\x00junk\n")
    assert len(problems) == 1 and "UTF-8" in problems[0].message
    assert str(problems[0]).startswith("file: ")


def test_load_raises_with_every_problem_and_unreadable_files_are_config_errors(tmp_path: Path, taxonomy: Taxonomy) -> None:
    path = tmp_path / "accounts.csv"
    path.write_text(GOOD + "B,Beta,beta.example,retial,7,,,\n", encoding="utf-8")
    with pytest.raises(AccountsError) as raised:
        load_accounts(path, taxonomy)
    assert isinstance(raised.value, UserError) and len(raised.value.problems) == 2
    assert f"{path}: row 3, industry 'retial'" in str(raised.value)
    assert f"{path}: row 3, tier '7'" in str(raised.value)
    with pytest.raises(ConfigError, match="cannot read the accounts CSV"):
        load_accounts(tmp_path / "missing.csv", taxonomy)


def account(id_: str, *, name: str = "", domains: tuple[str, ...] = (), ip_ranges: tuple[str, ...] = (),
            aliases: tuple[str, ...] = ()) -> Account:
    return Account(id_, name or id_, domains, "retail", 1, ip_ranges, "", "", aliases)


def id_of(found: Account | None) -> str | None:
    """The id of the account a lookup found, None for a miss."""
    return found.id if found is not None else None


def test_by_ip_finds_the_most_specific_range_in_ipv4_and_ipv6() -> None:
    book = AccountBook([
        account("WIDE", ip_ranges=("10.0.0.0/8",)),
        account("NARROW", ip_ranges=("10.20.0.0/16", "2001:db8:1::/48")),
        account("V6", ip_ranges=("2001:db8::/32",)),
    ])
    assert id_of(book.by_ip("10.1.2.3")) == "WIDE"
    assert id_of(book.by_ip("10.20.255.255")) == "NARROW"
    assert id_of(book.by_ip("10.21.0.0")) == "WIDE"
    assert id_of(book.by_ip("::ffff:10.20.0.1")) == "NARROW"
    assert id_of(book.by_ip("2001:db8:1::5")) == "NARROW"
    assert id_of(book.by_ip("2001:db8:2::5")) == "V6"
    for miss in ("11.0.0.0", "9.255.255.255", "2001:db9::1", "", "junk", "10.0.0.0/8"):
        assert book.by_ip(miss) is None


def test_the_ip_index_agrees_with_a_brute_force_search() -> None:
    rng = random.Random(7)
    networks = {ipaddress.ip_network(f"10.{rng.randrange(4)}.{rng.randrange(256)}.0/{rng.choice([16, 20, 24, 28])}",
                                     strict=False) for _ in range(300)}
    index = IpRangeIndex((str(network), network) for network in networks)
    for _ in range(3000):
        ip = ipaddress.ip_address(f"10.{rng.randrange(5)}.{rng.randrange(256)}.{rng.randrange(256)}")
        holding = [network for network in networks if ip in network]
        expected = max(holding, key=lambda network: network.prefixlen) if holding else None
        assert index.get(str(ip)) == expected


def test_by_domain_matches_subdomains_case_insensitively_but_not_lookalikes() -> None:
    book = AccountBook([account("A", domains=("acme.example",)), account("B", domains=("shop.acme.example",))])
    assert id_of(book.by_domain("acme.example")) == "A"
    assert id_of(book.by_domain("Mail.ACME.example.")) == "A"
    assert id_of(book.by_domain("x.shop.acme.example")) == "B"
    assert book.by_domain("notacme.example") is None
    assert book.by_domain("example") is None
    assert id_of(book.by_email("Li.Na@Sales.Acme.Example")) == "A"
    assert id_of(book.by_email("li.na@shop.acme.example")) == "B"
    for bad in ("acme.example", "", "@", "li@"):
        assert book.by_email(bad) is None


def test_by_org_name_uses_normalised_names_and_aliases_and_never_guesses() -> None:
    book = AccountBook([
        account("A", name="Lariat Software, Inc."),
        account("B", name="鲜丰食品集团", aliases=("Xianfeng Foods Co., Ltd.",)),
        account("C1", name="Twin GmbH"),
        account("C2", name="TWIN AG"),
    ])
    assert id_of(book.by_org_name("LARIAT SOFTWARE")) == "A"
    assert id_of(book.by_org_name("鲜丰食品股份有限公司")) == "B"
    assert id_of(book.by_org_name("xianfeng foods")) == "B"
    assert book.by_org_name("Twin") is None  # two accounts share the name: no match rather than a guess
    assert book.by_org_name("") is None and book.by_org_name("Inc.") is None
    lariat = book.get("A")
    assert lariat is not None and lariat.name == "Lariat Software, Inc." and book.get("Z") is None
