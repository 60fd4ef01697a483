"""The target-accounts CSV: read and check it, then look accounts up fast on every request.

Marketers export the list from a CRM or save it from Excel, so the reader is forgiving about
encodings (UTF-8 with or without BOM, GBK/GB18030, UTF-16) and header spelling, and strict about
values: every bad cell becomes a RowProblem, all of them in one run.
"""

from __future__ import annotations

import csv
import io
import ipaddress
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from personalize.errors import ConfigError, UserError
from personalize.iprange import IpRangeIndex
from personalize.orgnames import normalize

if TYPE_CHECKING:
    from personalize.taxonomy import Taxonomy

#: Column -> the header spellings accepted for it (compared case-insensitively, trimmed).
COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "account_id", "account id", "编号", "客户编号"),
    "name": ("name", "account", "account name", "company", "名称", "客户名称", "公司名称"),
    "domains": ("domains", "domain", "域名"),
    "industry": ("industry", "行业"),
    "tier": ("tier", "等级", "层级"),
    "ip_ranges": ("ip_ranges", "ip ranges", "ip_range", "ip段", "ip 段"),
    "owner": ("owner", "负责人", "销售"),
    "stage": ("stage", "阶段"),
    "aliases": ("aliases", "alias", "别名"),
}
REQUIRED = ("id", "name", "domains", "industry", "tier")

#: Tier cell values (lower-cased, spaces and dashes removed) -> tier number.
TIERS: dict[str, int] = {
    "1": 1, "2": 2, "3": 3,
    "tier1": 1, "tier2": 2, "tier3": 3, "t1": 1, "t2": 2, "t3": 3,
    "onetoone": 1, "onetofew": 2, "onetomany": 3, "1:1": 1, "1:few": 2, "1:many": 3,
    "一对一": 1, "一对少": 2, "一对多": 3,
}  # fmt: skip
TIER_HELP = "1, 2 or 3 (also one-to-one / one-to-few / one-to-many, 一对一 / 一对少 / 一对多)"

_DOMAIN_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
SEPARATOR = ";"


@dataclass(frozen=True)
class Account:
    id: str
    name: str
    domains: tuple[str, ...]
    industry: str
    tier: int
    ip_ranges: tuple[str, ...]
    owner: str
    stage: str
    aliases: tuple[str, ...] = ()  # other names GeoIP organizations may use for this account


@dataclass(frozen=True)
class RowProblem:
    row: int  # line number in the file, header = 1; 0 = the whole file
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row else "file"
        if self.column:
            where += f", {self.column}"
        if self.value:
            where += f" {self.value!r}"
        return f"{where}: {self.message}"


class AccountsError(UserError):
    """The accounts CSV has bad rows; the message lists every one of them."""

    def __init__(self, path: Path, problems: list[RowProblem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  {path}: {problem}" for problem in problems)
        super().__init__(
            f"{path}: {len(problems)} problem(s) in the accounts CSV; fix them and try again:\n{lines}"
        )


def decode(data: bytes) -> str | None:
    """The text of a CSV in any encoding Excel or a CRM writes; None if it is none of them."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def normalize_domain(value: str) -> str | None:
    """``https://WWW.Example.com/`` -> ``example.com``; IDNs become punycode; None if invalid."""
    text = value.strip().lower()
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text).split("/", 1)[0].rstrip(".")
    text = text.removeprefix("www.")
    try:
        text = text.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    labels = text.split(".")
    if len(labels) < 2 or not all(_DOMAIN_LABEL.match(label) for label in labels):
        return None
    return text


def read_accounts(path: Path, taxonomy: Taxonomy) -> tuple[list[Account], list[RowProblem]]:
    """Every good account and every problem of the file; raises only if it cannot be read."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ConfigError(f"{path}: cannot read the accounts CSV ({error.strerror or error})") from error
    text = decode(data)
    if text is None:
        return [], [RowProblem(0, "", "", "not UTF-8, GBK/GB18030 or UTF-16 text; save the CSV as UTF-8")]
    return _parse(text, taxonomy)


def _parse(text: str, taxonomy: Taxonomy) -> tuple[list[Account], list[RowProblem]]:
    records = list(_records(text))
    if not records:
        return [], [RowProblem(0, "", "", "the file is empty; expected a header row: " + ",".join(COLUMNS))]
    _, header = records[0]
    columns, problems = _columns(header)
    if problems:
        return [], problems
    accounts: list[Account] = []
    first_row: dict[str, int] = {}
    for row, cells in records[1:]:
        account_id = cells[columns["id"]] if columns["id"] < len(cells) else ""
        if account_id in first_row:
            problems.append(RowProblem(row, "id", account_id, f"duplicate id: row {first_row[account_id]} has it already"))
        elif account_id:
            first_row[account_id] = row
        account = _account(row, cells[len(header) :], cells, columns, taxonomy, problems)
        if account is not None and first_row.get(account.id) == row:
            accounts.append(account)
    problems.extend(_clashes(accounts, first_row))
    return accounts, problems


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(first line number, cells) of every non-blank record; quoted cells may span lines."""
    reader = csv.reader(io.StringIO(text, newline=""))
    line = 1
    for cells in reader:
        if any(cell.strip() for cell in cells):
            yield line, [cell.strip() for cell in cells]
        line = reader.line_num + 1


def _columns(header: list[str]) -> tuple[dict[str, int], list[RowProblem]]:
    spelled = {spelling: column for column, spellings in COLUMNS.items() for spelling in spellings}
    columns: dict[str, int] = {}
    problems: list[RowProblem] = []
    for index, cell in enumerate(header):
        column = spelled.get(" ".join(cell.lower().split()).replace("_", " ")) or spelled.get(cell.lower())
        if column is None:
            continue
        if column in columns:
            problems.append(RowProblem(1, column, cell, "this column appears twice in the header"))
        columns[column] = index
    for column in REQUIRED:
        if column not in columns:
            problems.append(
                RowProblem(1, column, "", f"missing required column {column!r}; the header has: {', '.join(header)}")
            )
    return columns, problems


def _account(
    row: int, extra_cells: list[str], cells: list[str], columns: dict[str, int], taxonomy: Taxonomy,
    problems: list[RowProblem],
) -> Account | None:
    """One row as an Account, or None after appending its problems (`extra_cells`: those past the header)."""
    before = len(problems)
    if any(extra_cells):  # columns the header does not name (e.g. Region) are read past, not errors
        extra = ",".join(extra_cells)
        problems.append(RowProblem(row, "", extra, "more cells than the header has columns (quote cells with commas)"))

    def cell(column: str) -> str:
        index = columns.get(column)
        return cells[index] if index is not None and index < len(cells) else ""

    for column in ("id", "name", "industry", "tier"):
        if not cell(column):
            problems.append(RowProblem(row, column, "", f"{column} is required"))
    industry = _industry(row, cell("industry"), taxonomy, problems) if cell("industry") else ""
    tier = _tier(row, cell("tier"), problems) if cell("tier") else 0
    domains = tuple(_split(row, "domains", cell("domains"), normalize_domain, problems,
                           "not a domain name; write it like example.com"))  # fmt: skip
    ip_ranges = tuple(_split(row, "ip_ranges", cell("ip_ranges"), _cidr, problems,
                             "not an IP range; write CIDR like 203.0.113.0/24 or 2001:db8::/48"))  # fmt: skip
    if len(problems) > before:
        return None
    aliases = tuple(alias.strip() for alias in cell("aliases").split(SEPARATOR) if alias.strip())
    return Account(cell("id"), cell("name"), domains, industry, tier, ip_ranges, cell("owner"), cell("stage"), aliases)


def _industry(row: int, value: str, taxonomy: Taxonomy, problems: list[RowProblem]) -> str:
    industry = taxonomy.resolve("industries", value)
    if industry is None or industry == "all":
        allowed = ", ".join(i for i in taxonomy.ids("industries") if i != "all")
        suggestion = taxonomy.suggest("industries", value)
        hint = f"; did you mean {suggestion!r}?" if suggestion and suggestion != "all" else ""
        why = "an account belongs to one industry" if industry == "all" else "unknown industry"
        problems.append(RowProblem(row, "industry", value, f"{why}; allowed: {allowed} (or their display names){hint}"))
        return ""
    return industry


def _tier(row: int, value: str, problems: list[RowProblem]) -> int:
    tier = TIERS.get(re.sub(r"[\s_-]", "", value.lower()))
    if tier is None:
        problems.append(RowProblem(row, "tier", value, f"unknown tier; allowed: {TIER_HELP}"))
        return 0
    return tier


def _cidr(value: str) -> str | None:
    try:
        return str(ipaddress.ip_network(value.strip(), strict=False))
    except ValueError:
        return None


def _split(
    row: int, column: str, value: str, parse: Callable[[str], str | None], problems: list[RowProblem], message: str
) -> Iterator[str]:
    for item in value.split(SEPARATOR):
        if not item.strip():
            continue
        parsed = parse(item)
        if parsed is None:
            problems.append(RowProblem(row, column, item.strip(), message))
        else:
            yield parsed


def _clashes(accounts: list[Account], rows: dict[str, int]) -> Iterator[RowProblem]:
    """A domain or an identical IP range claimed by two accounts would make matching a guess."""
    for column, values in (("domains", lambda a: a.domains), ("ip_ranges", lambda a: a.ip_ranges)):
        owner: dict[str, Account] = {}
        for account in accounts:
            for value in values(account):
                first = owner.setdefault(value, account)
                if first is not account:
                    yield RowProblem(rows[account.id], column, value,
                                     f"also belongs to {first.id} (row {rows[first.id]}); each must identify one account")  # fmt: skip


def load_accounts(path: Path, taxonomy: Taxonomy) -> AccountBook:
    """The accounts of a CSV without problems; AccountsError lists every bad row otherwise."""
    accounts, problems = read_accounts(path, taxonomy)
    if problems:
        raise AccountsError(path, problems)
    return AccountBook(accounts)


class AccountBook:
    """Accounts indexed for the lookups the resolver makes on every request (dicts and bisect)."""

    def __init__(self, accounts: Iterable[Account]) -> None:
        self.accounts = list(accounts)
        self._by_id = {account.id: account for account in self.accounts}
        self._by_domain = {domain: account for account in self.accounts for domain in account.domains}
        self._by_name = _unambiguous(
            (normalize(name), account) for account in self.accounts for name in (account.name, *account.aliases)
        )
        self._ranges = IpRangeIndex(
            (cidr, account) for account in self.accounts for cidr in account.ip_ranges
        )

    def __len__(self) -> int:
        return len(self.accounts)

    def get(self, account_id: str) -> Account | None:
        return self._by_id.get(account_id)

    def by_ip(self, ip: str) -> Account | None:
        """The account whose most specific IP range holds ``ip``."""
        return self._ranges.get(ip)

    def by_org_name(self, organization: str) -> Account | None:
        key = normalize(organization)
        return self._by_name.get(key) if key else None

    def by_domain(self, domain: str) -> Account | None:
        """The account of ``domain`` or of the closest parent domain (mail.example.com -> example.com)."""
        labels = domain.strip().lower().rstrip(".").split(".")
        for start in range(len(labels) - 1):
            account = self._by_domain.get(".".join(labels[start:]))
            if account is not None:
                return account
        return None

    def by_email(self, email: str) -> Account | None:
        _, at, domain = email.rpartition("@")
        return self.by_domain(domain) if at and domain else None


def _unambiguous(pairs: Iterable[tuple[str, Account]]) -> dict[str, Account]:
    """Name -> account, leaving out empty names and names that two accounts share."""
    index: dict[str, Account] = {}
    shared: set[str] = set()
    for key, account in pairs:
        if not key:
            continue
        if index.setdefault(key, account) is not account:
            shared.add(key)
    return {key: account for key, account in index.items() if key not in shared}
