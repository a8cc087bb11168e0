"""Every key of the app in one table: its keys, binding id, help line and palette entry.

Adding an action means adding one ``Key`` here (in the group where it works) and an
``action_<name>`` method on the widget or screen that owns the group: the binding, its id
(remappable through ``[keymap]`` in the config), the line in the help screen (``?``) and the
command-palette entry all come from this one line, so they cannot drift apart.
"""

from __future__ import annotations

from textual.binding import Binding, BindingType

from reader.records import record


@record
class Key:
    """One action a person can take, and everything that names it.

    ``keys`` is Textual's comma-separated key list (None: a palette-only command);
    ``footer`` shows it in the footer; ``palette`` is its title in the command palette (None:
    not listed there), ``palette_help`` the line under that title.
    """

    id: str
    keys: str | None
    action: str
    description: str
    footer: bool = False
    palette: str | None = None
    palette_help: str = ""

    def binding(self) -> Binding:
        if self.keys is None:
            raise ValueError(f"{self.id} has no keys: it is a palette-only command")
        return Binding(self.keys, self.action, self.description, show=self.footer, id=self.id)


def bindings(keys: tuple[Key, ...]) -> list[BindingType]:
    """The Textual bindings of a group (palette-only commands have none)."""
    return [key.binding() for key in keys if key.keys is not None]


STORY_LIST: tuple[Key, ...] = (
    Key("list.down", "j,down", "cursor_down", "Down"),
    Key("list.up", "k,up", "cursor_up", "Up"),
    Key("list.first", "g,home", "first", "First"),
    Key("list.last", "G,end", "last", "Last"),
    Key("list.page_up", "pageup", "page_up", "Page up"),
    Key("list.page_down", "pagedown", "page_down", "Page down"),
    Key("list.open", "enter", "open", "Open", footer=True),
)
"""The story list (``StoryList``)."""

READING_PANE: tuple[Key, ...] = (
    Key("reading.down", "j,down", "scroll_down", "Scroll down"),
    Key("reading.up", "k,up", "scroll_up", "Scroll up"),
    Key("reading.page_down", "space,pagedown", "page_down", "Page down"),
    Key("reading.page_up", "b,pageup", "page_up", "Page up"),
    Key("reading.top", "g,home", "scroll_home", "Top"),
    Key("reading.bottom", "G,end", "scroll_end", "Bottom"),
)
"""The story being read (``ReadingPane``)."""

MAIN: tuple[Key, ...] = (
    Key("story.back", "left_square_bracket,backspace", "back", "Back", footer=True,
        palette="Back", palette_help="The story you opened before"),
    Key("story.forward", "right_square_bracket", "forward", "Forward", footer=True,
        palette="Forward", palette_help="The story you opened next"),
    Key("story.toggle_read", "m", "toggle_read", "Read/unread",
        palette="Toggle read", palette_help="Mark the story read or unread"),
    Key("story.toggle_star", "s", "toggle_star", "Star", footer=True,
        palette="Toggle star", palette_help="Star or unstar the story"),
    Key("story.next_unread", "n", "next_unread", "Next unread story",
        palette="Next unread", palette_help="Open the next unread story in the list (n)"),
    Key("story.previous_unread", "p", "previous_unread", "Previous unread story",
        palette="Previous unread", palette_help="Open the previous unread story (p)"),
    Key("story.undo", "U", "undo", "Undo the last read/star change",
        palette="Undo", palette_help="Take back the last read/unread or star change (U)"),
    Key("view.mark_all_read", "A", "mark_all_read", "Mark every story in the view read",
        palette="Mark all read",
        palette_help="Mark every story in this view read, after asking (A; U undoes)"),
    Key("view.sort", "O", "sort", "Next sort order",
        palette="Next sort order",
        palette_help="Newest first, oldest first, unread first, by source (O)"),
    Key("view.unread_only", "u", "toggle_unread_only", "Unread only", footer=True,
        palette="Toggle unread only", palette_help="Show only unread stories, or all"),
    Key("view.starred_only", "asterisk", "toggle_starred_only", "Starred only",
        palette="Toggle starred only", palette_help="Show only starred stories, or all"),
    Key("story.open_link", "o", "open_link", "Open link",
        palette="Open link", palette_help="Open the story's link in the browser"),
    Key("story.follow_link", "f", "story('follow_link')", "Follow a numbered link",
        palette="Follow a link",
        palette_help="Open or copy one of the story's numbered links (f, its number, Enter)"),
    Key("story.copy_url", "y", "story('copy_url')", "Copy the story's link",
        palette="Copy link", palette_help="Copy the story's URL to the clipboard (y)"),
    Key("story.copy_markdown", "Y", "story('copy_markdown')", "Copy the story as Markdown",
        palette="Copy as Markdown",
        palette_help="Copy title, source, URL, text and links as Markdown (Y)"),
    Key("story.open_enclosure", "e", "story('open_enclosure')", "Play/open the enclosure",
        palette="Open enclosure",
        palette_help="Play the story's podcast or video with its opener, else the browser (e)"),
    Key("story.pipe", "vertical_line", "story('pipe')", "Pipe the story to a program",
        palette="Pipe story", palette_help="The story as text into pipe_command (less -R) (|)"),
    Key("story.save", "w", "story('save')", "Save the story as Markdown",
        palette="Save story", palette_help="Write the story as a Markdown file into save_dir (w)"),
    Key("story.full_text", "F", "full_text", "Fetch full text",
        palette="Fetch full text",
        palette_help="Save the story's whole text and images from its page, now (F)"),
    Key("story.toggle_images", "i", "toggle_images", "Images on/off",
        palette="Toggle images", palette_help="Show saved images, or only their alt text (i)"),
    Key("view.all", None, "show_all", "Show all stories",
        palette="Show all stories", palette_help="Leave the current view"),
    Key("view.search", "slash", "search", "Search", footer=True,
        palette="Search", palette_help="Search every cached story (/)"),
    Key("view.save_search", "ctrl+s", "save_search", "Save search",
        palette="Save search", palette_help="Keep the current search as a view (ctrl+s)"),
    Key("feeds.refresh", "R", "refresh", "Refresh", footer=True,
        palette="Refresh feeds", palette_help="Fetch every feed in the background (R)"),
    Key("view.sources", "S", "sources", "Sources",
        palette="Sources", palette_help="Feeds, seed folders and saved searches (S)"),
    Key("app.back_out", "escape", "back_out", "Back out"),
)
"""Stories and views: the main screen (``MainScreen``)."""

SEARCH_BAR: tuple[Key, ...] = (
    Key("search.cancel", "escape", "cancel", "Cancel the search", footer=True),
)
"""The search field (``SearchBar``); Esc elsewhere is ``app.back_out``, which also ends it."""

RELATED: tuple[Key, ...] = tuple(
    Key(f"story.related_{n}", str(n), f"open_related({n})", f"Open related story {n}")
    for n in range(1, 10)
)
"""Following a related story by its number (``MainScreen``)."""

RELATED_LIST: tuple[Key, ...] = (
    Key("related.down", "j", "cursor_down", "Down"),
    Key("related.up", "k", "cursor_up", "Up"),
)
"""The related stories under a story, once focused (``RelatedStories``)."""

APP: tuple[Key, ...] = (
    Key("app.quit", "q", "quit", "Quit", footer=True),
    Key("app.help", "question_mark", "help", "Help", footer=True,
        palette="Help", palette_help="Show every key"),
)
"""Everywhere (``ReaderApp``)."""

SOURCES: tuple[Key, ...] = (
    Key("sources.close", "escape,S,q", "close", "Close", footer=True),
    Key("sources.down", "j,down", "cursor_down", "Down"),
    Key("sources.up", "k,up", "cursor_up", "Up"),
    Key("sources.first", "g,home", "first", "First"),
    Key("sources.last", "G,end", "last", "Last"),
    Key("sources.open", "enter", "open", "Show its stories (folder: every feed's)"),
    Key("sources.toggle", "space", "toggle_folder", "Open or close a folder"),
    Key("sources.add", "a", "add", "Add a feed: its URL or a web page's",
        palette="Add a feed", palette_help="Subscribe to a feed, or the feed a page links to"),
    Key("sources.rename", "r", "rename", "Rename the feed or folder",
        palette="Rename", palette_help="Your own name for the feed or folder"),
    Key("sources.move", "M", "move", "Move the feed to a folder",
        palette="Move to folder", palette_help="Put the feed in a folder, or in none"),
    Key("sources.remove", "d", "remove", "Remove the feed or folder (asks first)",
        palette="Remove", palette_help="Unsubscribe; its stories go too (asks first)"),
    Key("sources.refresh", "R", "refresh", "Refresh the feed or folder",
        palette="Refresh this", palette_help="Fetch the feed, or every feed of the folder"),
    Key("sources.mark_read", "A", "mark_read", "Mark it all read (asks first)",
        palette="Mark all read", palette_help="Every story of the feed or folder (asks first)"),
)
"""The sources screen (``SourcesScreen``)."""

NUMBER_PROMPT: tuple[Key, ...] = (
    Key("number_prompt.open", "enter", "open", "Open the link with that number"),
    Key("number_prompt.copy", "y", "copy", "Copy it instead"),
    Key("number_prompt.erase", "backspace", "erase", "Erase the last digit"),
    Key("number_prompt.cancel", "escape", "cancel", "Leave"),
)
"""The prompt of ``f`` and of ``e`` with several enclosures (``NumberPrompt``); digits are
typed into it."""

CONFIRM: tuple[Key, ...] = (
    Key("confirm.yes", "y", "yes", "Yes, do it"),
    Key("confirm.no", "n,escape", "no", "No, leave it"),
)
"""A yes/no question (``ConfirmScreen``): "Mark 1,234 stories read? y/n"."""

PROMPT: tuple[Key, ...] = (
    Key("prompt.cancel", "escape", "cancel", "Cancel", footer=True),
)
"""A one-line question (``PromptScreen``); Enter answers it."""

HELP: tuple[Key, ...] = (
    Key("help.close", "escape,q,question_mark", "dismiss", "Close help", footer=True),
)
"""The help screen (``HelpScreen``)."""

EVERYWHERE_NOTES: tuple[Key, ...] = (
    Key("", "tab", "", "Next pane (list → story → related)"),
    Key("", "shift+tab", "", "Previous pane"),
    Key("", "ctrl+p", "", "Command palette: every action, open story…"),
)
"""Keys Textual itself provides (no id of ours), listed so the help tells the whole story."""


def help_groups(keymap: dict[str, str]) -> list[tuple[str, list[Key]]]:
    """What the help screen lists, group by group, with the user's remapping in mind."""
    related = list(RELATED)
    if not any(key.id in keymap for key in RELATED):
        # Nine near-identical lines read better as one, unless the user remapped some.
        related = [Key("", "1…9", "", "Open the related story with that number")]
    return [
        ("Story list", list(STORY_LIST)),
        ("Reading pane", list(READING_PANE)),
        ("Stories and views", [key for key in MAIN if key.keys is not None]),
        ("Related stories", related),
        ("Link prompt (f; e with several enclosures)",
         [Key("", "0…9", "", "Type the number"), *NUMBER_PROMPT]),
        ("Sources (S)", list(SOURCES)),
        ("Questions (y/n)", list(CONFIRM)),
        ("Everywhere", [*APP, *EVERYWHERE_NOTES]),
    ]
