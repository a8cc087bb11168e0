"""History behaves like a browser's back/forward."""

from reader.history import History


def test_back_and_forward_walk_the_visits() -> None:
    history = History()
    for story in "abc":
        history.visit(story)
    assert history.current == "c"
    assert history.back() and history.current == "b"
    assert history.back() and history.current == "a"
    assert not history.back() and history.current == "a"
    assert history.forward() and history.current == "b"
    assert history.forward() and history.current == "c"
    assert not history.forward()


def test_visiting_after_going_back_drops_the_forward_entries() -> None:
    history = History()
    for story in "abc":
        history.visit(story)
    history.back()
    history.visit("d")
    assert history.current == "d"
    assert not history.can_go_forward
    history.back()
    assert history.current == "b"


def test_reopening_the_current_story_is_not_a_new_entry() -> None:
    history = History()
    history.visit("a")
    history.visit("a")
    assert len(history) == 1
    assert not history.can_go_back


def test_history_is_bounded() -> None:
    history = History(limit=3)
    for story in "abcde":
        history.visit(story)
    assert len(history) == 3
    assert history.back() and history.back() and not history.back()
    assert history.current == "c"
