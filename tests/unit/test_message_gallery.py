"""docs/messages.md shows every message whole, as a subscriber receives it: the text there
is the text the code sends (scripts/message_gallery.py writes it)."""

from __future__ import annotations

import re

from message_gallery import GALLERY, SCENES, gallery, scene_messages

from workforce_reconciler.notifications import EventType

FIX = "run `python scripts/message_gallery.py` and read the diff of docs/messages.md"


def test_the_docs_show_each_message_exactly_as_it_is_sent() -> None:
    # Given the messages the scenes' runs send today
    # Then docs/messages.md holds them, word for word
    assert GALLERY.read_text(encoding="utf-8") == gallery(), f"not current: {FIX}"


def test_every_kind_of_message_is_shown_once_per_scene() -> None:
    # When each scene's runs are notified
    shown = [[m.event_type for m in scene_messages(scene)] for scene in SCENES]

    # Then each scene ends in exactly one message, and together they show every kind
    assert all(len(kinds) == 1 for kinds in shown), shown
    assert {kinds[0] for kinds in shown} == set(EventType)


def test_the_shown_subjects_are_the_sent_ones_and_fit_an_email_subject() -> None:
    subjects = re.findall(r"^Subject: `(.*)`$", GALLERY.read_text(encoding="utf-8"), re.M)
    sent = [scene_messages(scene)[0].subject for scene in SCENES]
    assert subjects == sent
    assert all(len(s) <= 99 and s.isascii() for s in subjects)
