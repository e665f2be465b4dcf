"""A company profile (one JSON file per company) read strictly: a bad field is named, nothing is guessed.

    {"name": "示例焦化公司", "place": "介休市", "industry": ["焦化"],
     "facilities": [{"type": "焦炉", "count": 2, "attributes": {"炭化室高度": "4.3米", "运行年限": "12年"}}]}

Attribute values are written as people write them (`4.3米`, `60万吨/年`, `8000吨标准煤`) and read with the documents'
quantity pattern, so a profile and an obligation's condition compare in the same units.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from .. import places
from ..extract.applicability import attribute_of
from ..extract.binding import words as binding_words
from ..extract.quantities import QTY_RE, number_value


class ProfileError(ValueError):
    """A profile that cannot be used, with the field at fault and what to write instead."""


@dataclass(frozen=True)
class Quantity:
    value: float
    unit: str
    text: str


# a detail's value that says the company does not have it
_DENIED = re.compile(r"^(?:不涉及|无|没有|否|不适用|none|no)\b", re.I)


@dataclass
class Facility:
    type: str  # as the company names it (`燃煤锅炉`); matched to the documents' facility words by containment
    count: int
    attributes: dict[str, Quantity] = field(default_factory=dict)  # canonical measured attribute → value
    details: dict[str, str] = field(default_factory=dict)  # other attributes (`熄焦方式: 干法熄焦`), kept as written

    @property
    def stated(self) -> list[str]:
        """What the company says the facility is and has: its type, attributes, and the details it does not deny
        (`剧毒化学品: 不涉及` is left out; free-text values are too: `委托有资质的企业运输` is no carrier)."""
        return [self.type, *self.attributes, *(k for k, v in self.details.items() if not _DENIED.match(v.strip()))]


@dataclass
class Profile:
    name: str
    place: str  # the gazetteer's full name (`介休` → 介休市)
    industry: list[str]
    facilities: list[Facility]

    @cached_property
    def vocabulary(self) -> str:
        """What the profile says the company is and has, as one text: a kind of party a rule names
        (`危险化学品生产企业`, `铁路运输企业`) is the company's when its words occur here.  Free-text values are
        left out (`委托有资质的企业运输` does not make it a carrier), and so is an attribute it denies
        (`剧毒化学品: 不涉及`)."""
        return " ".join([self.name, *self.industry, *(w for f in self.facilities for w in f.stated)])

    @cached_property
    def roles(self) -> dict[str, str]:
        """The parts the company plays, each with the text of what it plays it towards: 生产 towards its industries
        (or the role an industry names: `危险化学品经营` → 经营 危险化学品), 使用 towards its facilities, 储存 and 贮存
        towards its storage facilities.  `特种设备生产单位` is then not this plant although it has 锅炉 and
        produces chemicals."""
        w = binding_words()["parties"]
        plays: dict[str, list[str]] = {}
        for industry in self.industry:
            role = next((r for r in w["roles"] if industry.endswith(r) and len(industry) > len(r)), None)
            plays.setdefault(role or "生产", []).append(industry[: -len(role)] if role else industry)
        for f in self.facilities:
            plays.setdefault("使用", []).extend(f.stated)
            if any(s in f.type for s in w["storage"]):
                plays.setdefault("储存", []).extend(f.stated)
                plays.setdefault("贮存", []).extend(f.stated)
        return {role: " ".join(texts) for role, texts in plays.items()}

    @property
    def places(self) -> list[str]:
        """The place and every level above it, national last: whose rules bind the company."""
        return places.ancestors(self.place)


def parse_quantity(text: str) -> Quantity | None:
    """`4.3米` → 4.3 米; `60万吨/年` → 60 万吨/年; `十二年` → 12 年 (as the documents' numbers are read); a bare
    number, a list or anything else → None."""
    text = str(text).strip()
    m = QTY_RE.fullmatch(text) or QTY_RE.fullmatch(re.sub(r"\s+", "", text))
    if not m or m.group("pre") or m.group("post"):
        return None
    value = number_value(m.group("nums"))
    return None if value is None else Quantity(value, m.group("unit"), text)


def _field(data: dict[str, Any], key: str, kind: type, where: str) -> Any:
    if key not in data:
        raise ProfileError(f"{where}{key}: missing (required)")
    value = data[key]
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ProfileError(f"{where}{key}: expected {kind.__name__}, got {type(value).__name__} {value!r}")
    return value


def _facility(data: Any, where: str) -> Facility:
    if not isinstance(data, dict):
        raise ProfileError(f"{where}: expected an object with type, count and attributes")
    kind = _field(data, "type", str, f"{where}.").strip()
    if not kind:
        raise ProfileError(f"{where}.type: empty (write the facility as you call it, e.g. 焦炉, 燃煤锅炉)")
    count = data.get("count", 1)
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise ProfileError(f"{where}.count: expected a whole number ≥ 1, got {count!r}")
    attributes: dict[str, Quantity] = {}
    details: dict[str, str] = {}
    for key, raw in (data.get("attributes") or {}).items():
        canonical = attribute_of(key)
        if canonical is None:  # not a measured attribute the documents set conditions on: kept, never compared
            details[key] = str(raw)
            continue
        quantity = parse_quantity(raw)
        if quantity is None:
            raise ProfileError(
                f"{where}.attributes.{key}: cannot read {raw!r} as a number with a unit, "
                f"write it like 4.3米, 12年, 60万吨/年"
            )
        attributes[canonical] = quantity
    return Facility(kind, count, attributes, details)


def profile_from_dict(data: Any) -> Profile:
    if not isinstance(data, dict):
        raise ProfileError("profile: expected a JSON object with name, place, industry and facilities")
    name = _field(data, "name", str, "").strip()
    if not name:
        raise ProfileError("name: empty")
    where = _field(data, "place", str, "").strip()
    place = places.lookup(where)
    if place is None or (place.parent is None and place.level != "national"):  # 火星市: no known place above it
        raise ProfileError(
            f"place: unknown place {where!r} (write a province, city or county of China, e.g. 介休市, 晋中市, 山西省)"
        )
    industry = _field(data, "industry", list, "")
    if not industry or not all(isinstance(i, str) and i.strip() for i in industry):
        raise ProfileError(f"industry: expected a list of industry names, got {industry!r}")
    facilities = data.get("facilities", [])
    if not isinstance(facilities, list):
        raise ProfileError(f"facilities: expected a list, got {type(facilities).__name__}")
    return Profile(
        name,
        place.name,
        [i.strip() for i in industry],
        [_facility(f, f"facilities[{i}]") for i, f in enumerate(facilities)],
    )


def load_profile(path: Path) -> Profile:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise ProfileError(f"{path}: no such file") from e
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ProfileError(f"{path}: not a UTF-8 JSON file ({e})") from e
    try:
        return profile_from_dict(data)
    except ProfileError as e:
        raise ProfileError(f"{path}: {e}") from e
