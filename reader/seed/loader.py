"""Loading folders of seed articles into the cache: ``load_seed_articles``.

Each folder is one source. Files whose size and modification time have not changed since the
last load are not parsed again, so starting the reader on a large folder stays cheap. Story
keys depend on the file and the related title, never on the text, so an edited file updates
its stories in place and their read/starred state is kept.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from reader.identity import normalise_title
from reader.models import LoadReport, StoryDraft
from reader.seed.format import SeedArticle, SeedFormatError, parse_article
from reader.store import Store
from reader.text import escape_markdown

BUNDLED_KEY = "bundled-seeds"
BUNDLED_NAME = "seeds"


class SeedDirError(Exception):
    """A seed folder that cannot be read at all (the command stops before writing)."""


@dataclass(frozen=True, slots=True)
class SeedDir:
    path: Path
    key: str
    name: str


def bundled_seed_dir() -> SeedDir:
    """The seed articles shipped with the reader.

    A wheel carries them inside the package (``reader/seeds``); a source checkout or an
    editable install finds the repository's top-level ``seeds/`` beside the package.
    """
    package = Path(__file__).resolve().parent.parent
    packaged = package / "seeds"
    path = packaged if packaged.is_dir() else package.parent / "seeds"
    return SeedDir(path, BUNDLED_KEY, BUNDLED_NAME)


def user_seed_dir(path: str | os.PathLike[str]) -> SeedDir:
    """Check a user-named folder is readable now, before anything is written."""
    resolved = Path(path).expanduser().resolve()
    if not resolved.is_dir():
        raise SeedDirError(f"seed folder {str(path)!r} does not exist or is not a folder")
    try:
        next(iter(os.scandir(resolved)), None)
    except OSError as exc:
        raise SeedDirError(f"seed folder {str(path)!r} cannot be read: {exc.strerror}") from None
    return SeedDir(resolved, "seed:" + str(resolved), resolved.name or str(resolved))


def article_files(folder: Path) -> list[Path]:
    """The ``.txt`` article files under a folder, in a stable order."""
    return sorted(p for p in folder.rglob("*.txt") if p.is_file())


def read_article(path: Path) -> SeedArticle:
    """Read and parse one file; raises ``OSError`` or ``SeedFormatError`` with a reason."""
    data = path.read_bytes()
    if b"\x00" in data:
        raise SeedFormatError("binary data, not an article")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SeedFormatError(f"not UTF-8 text (byte {exc.start})") from None
    return parse_article(text)


def article_drafts(
    rel: str, article: SeedArticle, full_articles: dict[str, str]
) -> tuple[list[StoryDraft], list[tuple[str, str]]]:
    """Stories and explicit links for one article.

    A related item whose title matches a whole article of the same folder links to that
    article instead of becoming a teaser copy of it.
    """
    main_key = f"article:{rel}"
    drafts = [
        StoryDraft(
            key=main_key,
            title=article.headline,
            standfirst=article.standfirst,
            body="\n\n".join(escape_markdown(p) for p in article.paragraphs),
        )
    ]
    links: list[tuple[str, str]] = []
    for item in article.related:
        norm = normalise_title(item.title)
        target = full_articles.get(norm)
        if target is None:
            target = f"related:{norm}"
            drafts.append(
                StoryDraft(
                    key=target,
                    title=item.title,
                    standfirst=item.standfirst,
                    body="\n\n".join(escape_markdown(p) for p in item.paragraphs),
                    teaser=item.teaser,
                )
            )
        links.append((main_key, target))
    return drafts, links


def load_seed_dir(store: Store, seed_dir: SeedDir, force: bool = False) -> LoadReport:
    """Bring one folder's stories into the cache; unchanged files are skipped."""
    source_id = store.ensure_source(
        "seed", seed_dir.key, seed_dir.name, path=str(seed_dir.path)
    )
    meta = store.source_meta(source_id)
    signatures: dict[str, list[int]] = meta.get("files", {})
    furniture: dict[str, list[str]] = meta.get("furniture", {})
    warnings: list[str] = []
    files = article_files(seed_dir.path) if seed_dir.path.is_dir() else []
    current = {}
    for path in files:
        try:
            stat = path.stat()
        except OSError as exc:
            warnings.append(f"skipped {path}: {exc.strerror}")
            continue
        current[path.relative_to(seed_dir.path).as_posix()] = (path, [stat.st_mtime_ns,
                                                                   stat.st_size])
    if not force and all(signatures.get(rel) == sig for rel, (_, sig) in current.items()):
        return LoadReport(unchanged=len(current), warnings=tuple(warnings))

    parsed: dict[str, SeedArticle] = {}
    for rel, (path, _) in current.items():
        try:
            parsed[rel] = read_article(path)
        except (OSError, SeedFormatError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            warnings.append(f"skipped {path}: {reason}")
    full_articles = {normalise_title(a.headline): f"article:{rel}" for rel, a in parsed.items()}
    drafts: list[StoryDraft] = []
    links: list[tuple[str, str]] = []
    seen: set[str] = set()
    for rel, article in parsed.items():
        article_stories, article_links = article_drafts(rel, article, full_articles)
        for draft in article_stories:
            if draft.key not in seen:
                seen.add(draft.key)
                drafts.append(draft)
        links += article_links
        furniture[rel] = list(article.furniture)
    report = store.save_stories(source_id, drafts, links, replace_links=True)
    meta["files"] = {rel: sig for rel, (_, sig) in current.items() if rel in parsed}
    meta["furniture"] = {rel: lines for rel, lines in furniture.items() if rel in parsed}
    store.set_source_meta(source_id, meta)
    return LoadReport(report.new, report.updated, report.unchanged, tuple(warnings))


def load_seed_articles(store: Store, seed_dirs: list[SeedDir]) -> LoadReport:
    """Load the bundled seeds and every user folder; warnings name the files skipped."""
    new = updated = unchanged = 0
    warnings: list[str] = []
    for seed_dir in seed_dirs:
        report = load_seed_dir(store, seed_dir)
        new += report.new
        updated += report.updated
        unchanged += report.unchanged
        warnings += report.warnings
    return LoadReport(new, updated, unchanged, tuple(warnings))
