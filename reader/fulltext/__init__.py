"""Full text: the article behind a summary-only feed entry, fetched and saved at refresh.

Most news feeds carry only a standfirst, so offline such a story is a teaser. This package
decides which stories are summaries (``summary``, pure), fetches their pages politely
(``pages``), finds each page's main text with readability-lxml and passes it through the
reader's own sanitising HTML → Markdown conversion (``extract``). Choosing readability-lxml
over trafilatura was measured: see ``benchmarks/extraction.py`` and the README.
"""
