"""Deterministic, realistic RSS 2.0 and Atom feeds for the benchmarks; nothing is fetched.

A feed is a pure function of ``(seed, feed number, item count, version)``, so the reader and
newsboat see byte-identical documents on every run and a cache built once can be reused. Items
carry 2–6 KB of HTML (paragraphs, emphasis, links, lists, some images) made of real-looking
words. Bodies are assembled from a pool of paragraphs drawn once per seed, which keeps the
generator fast enough to serve 100,000 items without the generator being what is measured.

Planted words make the search measurements meaningful: ``COMMON_WORD`` is in nearly every
story, ``RARE_WORD`` in one story in a thousand, and ``PHRASE`` in about one in twenty. Each
item is also about one of ``TOPICS`` subjects, whose coined words (a name, a thing, an event)
only its stories use, a few subjects far more often than the rest: as in real news, stories
share distinctive words with a handful or a few hundred others, which is what related-story
search looks for (the general vocabulary above is in thousands of stories, too common to say
what one is about).
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from functools import lru_cache
from xml.sax.saxutils import escape

COMMON_WORD = "the"
RARE_WORD = "quillwort"
PHRASE = "supply chain"
NEWEST = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
FEED_SLOTS = 4096
"""Dates step by feed number within an item rank, so feed 0's first item is the newest."""

_WORDS = """
the of and to in a is that for it as was with be by on not he this are or his from at which
but have an they you were her she there been one all we their has would when if so what no out
up into them more some could time only new about other then now its also two over after first
year people may these well way many years market city government report data system software
energy water policy council school research study health team model company council price
budget week season league climate storm river bridge harbour railway station airport court
judge minister election voters campaign festival museum library garden kitchen recipe coffee
bread cheese wine orchard farmer harvest village island mountain valley coast forest trail
engine battery circuit sensor network server kernel compiler database browser protocol privacy
security update release version feature patch bug crash memory cache latency throughput signal
satellite telescope planet galaxy orbit rocket launch mission crew astronaut physics chemistry
biology genome protein vaccine hospital doctor nurse patient clinic therapy trial result survey
analysis economy inflation wages housing rent mortgage bank loan credit trade export import tariff
factory worker union strike contract deal merger startup founder investor fund shares profit loss
revenue quarter growth decline record highest lowest early late quickly slowly quietly openly
careful bright dark ancient modern rural urban local national global northern southern eastern
western small large major minor public private simple complex strong weak fresh rare common
""".split()  # noqa: SIM905 (a word list reads better as prose)
_CAPS = """
Ashford Brennan Calloway Dunmore Ellery Fairbanks Galloway Hartwell Ingram Jessop Kendrick
Lockhart Marlow Northcott Oakley Pemberton Quayle Radcliffe Stanton Thorne Underhill Vance
Whitlock Yardley Zeller Amsterdam Lisbon Nairobi Osaka Quito Tallinn Valparaiso Winnipeg
""".split()  # noqa: SIM905 (a word list reads better as prose)

TOPICS = 4000
"""Subjects the news is about: each item covers one, a few subjects far more often than most."""
_ONSETS = ("b", "br", "c", "ch", "d", "dr", "f", "g", "gr", "h", "j", "k", "l", "m", "n", "p",
           "pr", "qu", "r", "s", "sh", "st", "t", "th", "tr", "v", "w", "z")
_VOWELS = ("a", "e", "i", "o", "u", "ai", "ea", "ou")
_CODAS = ("ck", "ff", "ll", "m", "n", "nd", "r", "rn", "rt", "sk", "ss", "st", "th", "x")


def _coined(rng: random.Random, syllables: int) -> str:
    return "".join(rng.choice(_ONSETS) + rng.choice(_VOWELS) for _ in range(syllables - 1)) + (
        rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS))


@lru_cache(maxsize=4096)
def topic_words(topic: int) -> tuple[str, str, str]:
    """A subject's own words: a name, a thing and an event that only stories about it use."""
    rng = random.Random(f"topic/{topic}")
    return (_coined(rng, 2).capitalize(), _coined(rng, 3), _coined(rng, 2))


def _topic(rng: random.Random) -> int:
    """A subject, skewed: low numbers (the big stories) come up most often. At 100,000 items
    the biggest is in ~1,600 stories, the smallest in ~12."""
    return int(TOPICS * rng.random() ** 2)


def _sentence(rng: random.Random, low: int = 6, high: int = 18) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(low, high))]
    if rng.random() < 0.3:
        words.insert(rng.randrange(len(words)), rng.choice(_CAPS))
    if rng.random() < 0.25:
        words[0] = COMMON_WORD
    return " ".join(words).capitalize() + rng.choice(".......?!")


def _paragraph_html(rng: random.Random, number: int) -> str:
    parts: list[str] = []
    for _ in range(rng.randint(3, 7)):
        sentence = escape(_sentence(rng))
        roll = rng.random()
        if roll < 0.15:
            word = rng.choice(_WORDS)
            sentence += (f' See <a href="https://example.org/{word}/{number}">the {word}'
                         " coverage</a>.")
        elif roll < 0.25:
            sentence = f"<em>{sentence}</em>"
        elif roll < 0.32:
            sentence = f"<strong>{sentence}</strong>"
        parts.append(sentence)
    if rng.random() < 0.12:
        items = "".join(f"<li>{escape(_sentence(rng, 3, 8))}</li>" for _ in range(3))
        return "<p>" + " ".join(parts) + f"</p><ul>{items}</ul>"
    if rng.random() < 0.08:
        return (f'<figure><img src="https://images.example.org/{number}.jpg" alt="'
                f'{escape(_sentence(rng, 3, 6))}" width="640" height="360"></figure>'
                "<p>" + " ".join(parts) + "</p>")
    return "<p>" + " ".join(parts) + "</p>"


@lru_cache(maxsize=4)
def _paragraph_pool(seed: int, size: int = 600) -> tuple[str, ...]:
    rng = random.Random(seed)
    return tuple(_paragraph_html(rng, n) for n in range(size))


@dataclass(frozen=True, slots=True)
class Item:
    """One generated story, as both formats write it."""

    guid: str
    title: str
    link: str
    published: datetime
    author: str
    html: str


def item(seed: int, feed: int, number: int, version: int = 0) -> Item:
    """Item ``number`` of feed ``feed``: a pure function of its arguments."""
    rng = random.Random(f"{seed}/{feed}/{number}/{version}")
    pool = _paragraph_pool(seed)
    target = rng.randint(2000, 6000)
    ref = f"Filed as f{feed:04d}x{number:03d}."
    paragraphs: list[str] = []
    size = 0
    while size < target:
        chosen = pool[rng.randrange(len(pool))]
        # A per-item reference in every paragraph: unique text, and a marker to spot a repaint.
        chosen = chosen.replace("</p>", f" {ref}</p>", 1)
        paragraphs.append(chosen)
        size += len(chosen)
    key = feed * 1000 + number
    if key % 1000 == 7:
        paragraphs.insert(1, f"<p>A note on the {RARE_WORD} found near the {rng.choice(_CAPS)}"
                             " shore.</p>")
    if key % 20 == 3:
        paragraphs.insert(0, f"<p>Analysts followed the {PHRASE} disruption closely.</p>")
    name, thing, event = topic_words(_topic(rng))
    paragraphs.insert(min(1, len(paragraphs)), f"<p>{name} and the {thing} {event}: "
                      f"{escape(_sentence(rng))} The {thing} {event} in {name} goes on.</p>")
    title_words = [rng.choice(_WORDS) for _ in range(rng.randint(4, 8))]
    title_words.insert(rng.randrange(len(title_words)), rng.choice(_CAPS))
    title_words.insert(rng.randrange(len(title_words)), f"{name} {thing}")
    title = " ".join(title_words).capitalize() + f" ({feed}.{number})"
    published = NEWEST - timedelta(minutes=number * FEED_SLOTS + feed)
    return Item(
        guid=f"urn:bench:{seed}:{feed}:{number}",
        title=title,
        link=f"https://news{feed % 97}.example.org/{feed}/{number}-{version}",
        published=published,
        author=f"{rng.choice(_CAPS)} {rng.choice(_CAPS)}",
        html="".join(paragraphs),
    )


def feed_title(feed: int) -> str:
    return f"Bench Feed {feed:04d}"


def is_atom(feed: int) -> bool:
    """Odd feeds are Atom, even ones RSS 2.0: both parsers paths are exercised."""
    return feed % 2 == 1


def etag(seed: int, feed: int, items: int, version: int = 0) -> str:
    digest = hashlib.sha1(f"{seed}/{feed}/{items}/{version}".encode()).hexdigest()[:16]
    return f'"{digest}"'


def generate_feed(seed: int, feed: int, items: int, version: int = 0,
                  self_url: str = "") -> bytes:
    """The whole document of one feed, newest item first."""
    entries = [item(seed, feed, n, version) for n in range(items)]
    title = escape(feed_title(feed))
    site = f"https://news{feed % 97}.example.org/"
    if is_atom(feed):
        updated = entries[0].published.isoformat() if entries else NEWEST.isoformat()
        out = [
            '<?xml version="1.0" encoding="utf-8"?>\n'
            '<feed xmlns="http://www.w3.org/2005/Atom">',
            f"<title>{title}</title><id>urn:bench:{seed}:{feed}</id>"
            f'<link rel="alternate" href="{site}"/><link rel="self" href="{escape(self_url)}"/>'
            f"<updated>{updated}</updated>",
        ]
        for e in entries:
            out.append(
                f"<entry><title>{escape(e.title)}</title><id>{e.guid}</id>"
                f'<link rel="alternate" href="{e.link}"/>'
                f"<published>{e.published.isoformat()}</published>"
                f"<updated>{e.published.isoformat()}</updated>"
                f"<author><name>{escape(e.author)}</name></author>"
                f'<content type="html">{escape(e.html)}</content></entry>'
            )
        out.append("</feed>")
    else:
        out = [
            '<?xml version="1.0" encoding="utf-8"?>\n'
            '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>',
            f"<title>{title}</title><link>{site}</link>"
            f"<description>Generated feed {feed}</description>",
        ]
        for e in entries:
            out.append(
                f"<item><title>{escape(e.title)}</title><link>{e.link}</link>"
                f'<guid isPermaLink="false">{e.guid}</guid>'
                f"<pubDate>{format_datetime(e.published, usegmt=True)}</pubDate>"
                f"<dc:creator>{escape(e.author)}</dc:creator>"
                f"<description>{escape(e.html)}</description></item>"
            )
        out.append("</channel></rss>")
    return "\n".join(out).encode("utf-8")
