"""Loading folders of seed articles into the cache: ``load_seed_articles``.

Each folder is one source. Files whose size and modification time have not changed since the
last load are not parsed again, so starting the reader on a large folder stays cheap: a file
that failed is remembered the same way, with its reason, so an unchanged folder is never parsed
again (one empty ``.txt`` beside a 50 MB article made every ``reader --seeds DIR list`` parse
the folder again: 2.7 s and 234 MB instead of 0.10 s and 22 MB). Every ``.txt`` entry that is
skipped (unreadable, not an article, a symlink loop or a link to nothing, a FIFO, a folder)
gives one warning line, on every run. Files are read with a cap (``SEED_MAX_BYTES``), never
opened when they are not regular files, so a FIFO or ``/dev/zero`` cannot stall or fill memory.

Story keys depend on the file and the related title, never on the text, so an edited file
updates its stories in place and their read/starred state is kept.

The article parser (``reader.seed.format``) and the title normaliser (``reader.identity``, with
hashlib) are imported only when a file has to be parsed: every start of the app checks the
folders, and on an unchanged one that costs ~0.2 ms while importing them cost ~4 ms of the
first paint.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING

from reader.files import LocalFileError, describe_mode, describe_os_error, read_bounded
from reader.models import LoadReport, StoryDraft
from reader.records import record
from reader.store import Store
from reader.text import escape_markdown

if TYPE_CHECKING:
    from reader.seed.format import SeedArticle

BUNDLED_KEY = "bundled-seeds"
BUNDLED_NAME = "seeds"
SEED_MAX_BYTES = 64 * 1024 * 1024
"""An article file larger than this is skipped unread: the largest real one seen is 50 MB."""


class SeedDirError(Exception):
    """A seed folder that cannot be read at all (the command stops before writing)."""


@record
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


def _not_a_folder(mode: int) -> str:
    if stat.S_ISREG(mode):
        return "it is a file, not a folder"
    return (describe_mode(mode) or "it is not a folder").replace("not a file", "not a folder")


def user_seed_dir(path: str | os.PathLike[str]) -> SeedDir:
    """Check a user-named folder is readable now, before anything is written."""
    shown = repr(str(path))
    expanded = Path(path).expanduser()
    try:
        info = os.stat(expanded)
    except FileNotFoundError:
        raise SeedDirError(f"seed folder {shown} does not exist") from None
    except OSError as exc:
        raise SeedDirError(f"seed folder {shown} cannot be read: {describe_os_error(exc)}"
                           ) from None
    if not stat.S_ISDIR(info.st_mode):
        raise SeedDirError(f"seed folder {shown}: {_not_a_folder(info.st_mode)}")
    try:
        resolved = expanded.resolve()
        next(iter(os.scandir(resolved)), None)
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop, to pathlib
        reason = describe_os_error(exc) if isinstance(exc, OSError) else "it is a symlink loop"
        raise SeedDirError(f"seed folder {shown} cannot be read: {reason}") from None
    return SeedDir(resolved, "seed:" + str(resolved), resolved.name or str(resolved))


@record
class ArticleFile:
    """One article file found in a folder: its path, relative name and signature (its
    modification time and size, which say whether it changed since the last load)."""

    path: Path
    rel: str
    signature: list[int]


def article_files(folder: Path) -> tuple[list[ArticleFile], list[str]]:
    """The ``.txt`` article files under a folder, in a stable order, and a warning for every
    ``.txt`` entry that is not a file that can be read (symlinked folders are not followed)."""
    found: list[ArticleFile] = []
    warnings: list[str] = []

    def walk(directory: Path) -> None:
        try:
            with os.scandir(directory) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as exc:
            warnings.append(f"skipped folder {directory}: {describe_os_error(exc)}")
            return
        for entry in entries:
            path = Path(entry.path)
            is_article = entry.name.endswith(".txt")
            try:
                is_folder = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_folder = False
            if is_folder:
                if is_article:
                    warnings.append(f"skipped {path}: it is a folder, not a file")
                walk(path)
                continue
            if not is_article:
                continue
            try:
                info = os.stat(path)  # a link to a file is read as that file
            except OSError as exc:
                dangling = exc.errno == errno.ENOENT and entry.is_symlink()
                reason = "it is a link to nothing" if dangling else describe_os_error(exc)
                warnings.append(f"skipped {path}: {reason}")
                continue
            refusal = describe_mode(info.st_mode)
            if refusal is not None:
                warnings.append(f"skipped {path}: {refusal}")
                continue
            found.append(ArticleFile(path, path.relative_to(folder).as_posix(),
                                     [info.st_mtime_ns, info.st_size]))

    walk(folder)
    found.sort(key=lambda article: article.path)
    return found, warnings


def read_article(path: Path) -> SeedArticle:
    """Read (at most ``SEED_MAX_BYTES``) and parse one file; raises ``LocalFileError`` or
    ``SeedFormatError`` with a reason."""
    from reader.seed.format import SeedFormatError, parse_article

    data = read_bounded(path, SEED_MAX_BYTES)
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
    from reader.identity import normalise_title

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
    """Bring one folder's stories into the cache; unchanged files are skipped, and so are
    unchanged files that failed before (with their remembered reason as the warning)."""
    source_id = store.ensure_source(
        "seed", seed_dir.key, seed_dir.name, path=str(seed_dir.path)
    )
    meta = store.source_meta(source_id)
    signatures: dict[str, list[int]] = meta.get("files", {})
    failed: dict[str, list[int | str]] = meta.get("failed", {})
    furniture: dict[str, list[str]] = meta.get("furniture", {})
    files, warnings = (article_files(seed_dir.path) if seed_dir.path.is_dir() else ([], []))

    def failed_before(article: ArticleFile) -> str | None:
        """The reason this very file (same time and size) failed last time, if it did."""
        known = failed.get(article.rel)
        if known is None or known[:2] != article.signature:
            return None
        return str(known[2])

    unchanged = [a for a in files if signatures.get(a.rel) == a.signature]
    if not force and all(a in unchanged or failed_before(a) is not None for a in files):
        warnings += [f"skipped {a.path}: {failed_before(a)}" for a in files
                     if a not in unchanged]
        return LoadReport(unchanged=len(unchanged), warnings=tuple(warnings))

    from reader.identity import normalise_title
    from reader.seed.format import SeedFormatError

    parsed: dict[str, SeedArticle] = {}
    now_failed: dict[str, list[int | str]] = {}
    for article in files:
        reason = None if force else failed_before(article)
        if reason is None:
            try:
                parsed[article.rel] = read_article(article.path)
                continue
            except (LocalFileError, SeedFormatError) as exc:
                reason = str(exc)
        warnings.append(f"skipped {article.path}: {reason}")
        now_failed[article.rel] = [*article.signature, reason]
    full_articles = {normalise_title(a.headline): f"article:{rel}" for rel, a in parsed.items()}
    drafts: list[StoryDraft] = []
    links: list[tuple[str, str]] = []
    seen: set[str] = set()
    for rel, seed_article in parsed.items():
        article_stories, article_links = article_drafts(rel, seed_article, full_articles)
        for draft in article_stories:
            if draft.key not in seen:
                seen.add(draft.key)
                drafts.append(draft)
        links += article_links
        furniture[rel] = list(seed_article.furniture)
    report = store.save_stories(source_id, drafts, links, replace_links=True)
    meta["files"] = {a.rel: a.signature for a in files if a.rel in parsed}
    meta["failed"] = now_failed
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
