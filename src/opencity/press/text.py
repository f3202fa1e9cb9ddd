"""The pure functions of press items: the same address in every spelling (:func:`normalise_url`),
a fingerprint of the text for near copies (:func:`simhash`), keyword and place matching on
folded text (``lib.text.fold``: with or without diacritics), and the score.

Nothing here touches the database; ``press.services.ingest`` calls these with the rows it read.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from opencity.lib.text import fold

TRACKING_PARAMS = ("fbclid", "gclid", "igshid", "mc_cid", "mc_eid", "zarsrc", "ref_src")


def normalise_url(url: str) -> str:
    """The key two spellings of one address share: ``http``/``https`` and ``www.`` ignored, host in
    lower case, no fragment, no default port, no trailing slash, no ``utm_*`` or click-tracking
    parameters, the others sorted. ``https://www.Báo.vn/a/?utm_source=x&b=2&a=1#top`` and
    ``http://báo.vn/a?a=1&b=2`` are the same article."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    port = parts.port
    if port and port not in (80, 443):
        host = f"{host}:{port}"
    path = re.sub(r"/{2,}", "/", parts.path or "/").rstrip("/") or "/"
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                   if not k.lower().startswith("utm_") and k.lower() not in TRACKING_PARAMS)
    key = urlunsplit(("", host, path, urlencode(query), "")).removeprefix("//")
    if len(key) > 255:  # a very long address: its start and a hash of the whole
        key = key[:200] + "#" + hashlib.sha256(key.encode()).hexdigest()[:40]
    return key


_WORD = re.compile(r"\w+", re.UNICODE)


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def simhash(text: str, *, shingle: int = 3) -> int:
    """A 64-bit SimHash of the folded text's word ``shingle``-grams, as a signed 64-bit integer
    (the database's bigint). Two texts that differ by a few words are a few bits apart; with
    fewer words than a shingle, the words themselves are the features."""
    tokens = words(text)
    if not tokens:
        return 0
    if len(tokens) >= shingle:
        features = [" ".join(tokens[i:i + shingle]) for i in range(len(tokens) - shingle + 1)]
    else:
        features = tokens
    counts = [0] * 64
    for feature in features:
        h = int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=8).digest(), "big")
        for bit in range(64):
            counts[bit] += 1 if h >> bit & 1 else -1
    value = sum(1 << bit for bit in range(64) if counts[bit] > 0)
    return value - (1 << 64) if value >= 1 << 63 else value


def bands(value: int) -> tuple[int, int, int, int]:
    """The four 16-bit bands of a fingerprint (lowest first)."""
    u = value & 0xFFFFFFFFFFFFFFFF
    return tuple((u >> (16 * i)) & 0xFFFF for i in range(4))  # type: ignore[return-value]


def distance(a: int, b: int) -> int:
    """Bits that differ between two fingerprints."""
    return ((a ^ b) & 0xFFFFFFFFFFFFFFFF).bit_count()


NEAR_COPY_BITS = 3


def contains_phrase(folded_text: str, phrase: str) -> bool:
    """``phrase`` (folded here) in ``folded_text`` (already folded) as whole words."""
    key = fold(phrase)
    if not key:
        return False
    return re.search(rf"(?<!\w){re.escape(key)}(?!\w)", folded_text) is not None


def matching(folded_text: str, phrases: Iterable[str]) -> list[str]:
    return [p for p in phrases if contains_phrase(folded_text, p)]


WARD_PREFIXES = ("phuong ", "xa ", "thi tran ", "dac khu ")


def place_key(area_name: str) -> str:
    """"Phường Thuận Hóa" → "thuan hoa": what a news text writes after "phường" or alone."""
    key = fold(area_name)
    for prefix in WARD_PREFIXES:
        if key.startswith(prefix):
            return key[len(prefix):]
    return key


# Words that say something is wrong (folded when compared), from the city's own complaints.
NEGATIVE_WORDS = (
    "bức xúc", "phản ánh", "ngập", "ngập úng", "ô nhiễm", "hư hỏng", "hỏng", "xuống cấp", "sạt lở", "tai nạn",
    "mất điện", "mất nước", "rác thải", "bốc mùi", "ùn tắc", "kẹt xe", "chậm trễ", "nhũng nhiễu", "vi phạm",
    "nguy hiểm", "lấn chiếm", "tố cáo", "khiếu nại", "thất vọng", "chặt phá", "cháy", "đổ sập",
)


def negative_count(folded_text: str) -> int:
    return len(set(matching(folded_text, NEGATIVE_WORDS)))


def score(*, reach: int, negative: int, topic_weights: Iterable[int]) -> int:
    """0–100: how much an item should be looked at first. Reach counts by its order of
    magnitude (10 points for each power of ten, at most 50: a post seen by 100,000 people scores
    50), each distinct negative word 8 (at most 32), each matched topic its weight."""
    reach_part = min(50, round(10 * math.log10(reach + 1))) if reach > 0 else 0
    return min(100, reach_part + min(32, 8 * negative) + sum(topic_weights))
