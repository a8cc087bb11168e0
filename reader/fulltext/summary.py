"""Which stories are only a summary of an article, so that its page is worth fetching. Pure.

Measured on the 3,333 entries of the 199 real feeds in ``../shared/realfeeds/``
(``tests/test_fulltext_summary.py`` keeps the figures honest):

- An entry with no ``content`` gives its ``summary`` as the body. Of 1,400 such entries, 1,144
  have under 150 words: standfirsts (The Register, the Guardian, Medium, news agencies). The
  256 longer ones are mostly whole blog posts and show notes written into ``<description>``
  (atp.fm, Daring-Fireball-style blogs, the 400+ word posts of ``large_rss``): fetching their
  pages would only replace a whole text with a scraped copy.
- 150 words is "short compared with a typical article": the human-marked article bodies of
  ``../shared/extraction/`` have a median of 545 words and a 10th percentile of 172.
- A text that ends in a "read more" link or an ellipsis is cut short whatever its length up
  to the typical article: the Guardian's "Continue reading..." entries run to 332 words,
  Medium's "Continue reading on Medium »" to 33; ``[read more]``, ``…``, ``[...]`` likewise.
  That holds for entries with ``content`` too (Google Alerts, podcast feeds).

Per feed, ``full_text = "always"`` fetches every new story's page, ``"never"`` none.
"""

from __future__ import annotations

import re

from reader.fulltext.extract import count_words, plain_text

SHORT_WORDS = 150
"""An entry without ``content`` and with fewer words than this is a summary."""
TYPICAL_ARTICLE_WORDS = 545
"""The median article of the extraction set: a text that ends in "read more" and is shorter
than this is a summary, even when the feed calls it ``content``."""

_READ_MORE_WORDS = re.compile(
    r"^\W*(?:read|continue|continue reading|keep reading|read (?:the )?(?:full|whole|rest|more)"
    r"|more|full (?:story|article|post|text)|weiterlesen|lire la suite|leer m[aá]s|leggi"
    r"|continua|mehr)\b",
    re.IGNORECASE,
)
_LAST_LINK = re.compile(r"\[((?:\\.|[^\]\\])*)\]\([^)\s]*\)\W*$")
_MARKUP = re.compile(r"(?<!\\)(?:\*+|`+|^#+ |^> ?|^- )", re.MULTILINE)
_ELLIPSIS = re.compile(r"(?:…|\.\.\.|\\\[(?:…|\.\.\.)\\\]|\[(?:…|\.\.\.)\])\W{0,3}$")


def ends_in_read_more(markdown: str) -> bool:
    """True when the text's last words are a "read more" / "continue reading" link, or an
    ellipsis that cuts it off (``…``, ``...``, ``[…]``)."""
    tail = markdown.rstrip()[-400:]
    link = _LAST_LINK.search(tail)
    if link is not None and _READ_MORE_WORDS.match(link.group(1).replace("\\", "")):
        return True
    return _ELLIPSIS.search(tail) is not None


def is_summary(body_markdown: str, *, had_content: bool) -> bool:
    """Whether a feed entry's text is only a summary of its article (see the module doc)."""
    words = count_words(plain_text(body_markdown))
    if not had_content and words < SHORT_WORDS:
        return True
    return words < TYPICAL_ARTICLE_WORDS and ends_in_read_more(body_markdown)


def wants_full_text(mode: str, url: str | None, body_markdown: str, *,
                    had_content: bool) -> bool:
    """Whether a new story's page should be fetched for its full text."""
    if not url or not url.startswith(("http://", "https://")) or mode == "never":
        return False
    if mode == "always":
        return True
    return is_summary(body_markdown, had_content=had_content)


def standfirst_from_summary(body_markdown: str) -> str:
    """The feed's summary as a one-line standfirst, once the page's text becomes the body:
    its "read more" link is dropped (the body now is the more)."""
    text = body_markdown.rstrip()
    link = _LAST_LINK.search(text[-400:])
    if link is not None and _READ_MORE_WORDS.match(link.group(1).replace("\\", "")):
        text = text[: len(text) - len(text[-400:]) + link.start()]
    return " ".join(plain_text(_MARKUP.sub("", text)).split())
