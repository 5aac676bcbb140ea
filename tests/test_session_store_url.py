"""How a workshop folder names its session store: SessionStore(url=), else $PROMISE_GAP_STORE, else the
folder's session.yml, else session.sqlite in the folder, whatever the working directory."""
from __future__ import annotations


import pytest

from workshop.folder import new_workshop
from workshop.session import SETTINGS_FILE, STORE_ENV, SessionError, SessionStore, has_session, store_url
from workshop.session.event_log import without_password



@pytest.fixture(autouse=True)
def no_store_named(monkeypatch) -> None:
    """Each test names the store itself, or none; not the environment it runs in."""
    monkeypatch.delenv(STORE_ENV, raising=False)


def test_by_default_the_session_is_the_folders_file_whatever_the_working_directory(live_dir, tmp_path,
                                                                                   monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert not has_session(live_dir) and not (live_dir / "session.sqlite").exists()
    with SessionStore(live_dir) as store:
        store.start("HB7KQ")
        assert store.url == "sqlite:///session.sqlite" and store.path == live_dir / "session.sqlite"
    assert has_session(live_dir) and list(elsewhere.iterdir()) == []


def test_session_yml_names_the_store_and_the_environment_wins_over_it(live_dir, postgresql_server, monkeypatch):
    database = postgresql_server.new_database()
    (live_dir / SETTINGS_FILE).write_text(f"# the room's database\nstore: {database}\n")
    with SessionStore(live_dir) as store:
        store.start("HB7KQ")
        assert store.url == database and store.path == database
    assert not (live_dir / "session.sqlite").exists() and has_session(live_dir)

    monkeypatch.setenv(STORE_ENV, "sqlite:///rehearsal.sqlite")
    with SessionStore(live_dir) as rehearsal:
        assert rehearsal.path == live_dir / "rehearsal.sqlite" and rehearsal.state().code is None
    with SessionStore(live_dir, url=database) as chosen:
        assert chosen.state().code == "HB7KQ"


@pytest.mark.parametrize("content, message", [
    ("store: 42\n", "field 'store': must be the URL of the session's store (found 42)"),
    ("store:\n", "field 'store': must be the URL"),
    ("store: [a, b\n", "is not valid YAML"),
])
def test_a_session_yml_that_names_no_store_is_refused_with_its_line(live_dir, content, message):
    (live_dir / SETTINGS_FILE).write_text(content)
    with pytest.raises(SessionError, match=message.replace("(", r"\(").replace(")", r"\)")) as refused:
        SessionStore(live_dir)
    assert str(live_dir / SETTINGS_FILE) in str(refused.value) and ", line " in str(refused.value)
    assert not (live_dir / "session.sqlite").exists()


@pytest.mark.parametrize("url", ["mysql://db/acme", "sqlite://session.sqlite", "sqlite:///", "session.sqlite"])
def test_a_url_of_no_known_store_is_refused_in_words(live_dir, url):
    with pytest.raises(SessionError, match="is neither sqlite:///FILE nor postgresql://") as refused:
        SessionStore(live_dir, url=url)
    assert "PROMISE_GAP_STORE" in refused.value.problems[0].fix


def test_messages_show_a_url_without_its_password():
    assert without_password("postgresql://promise:s3cret@db.example.org:5433/acme?sslmode=require") == (
        "postgresql://promise@db.example.org:5433/acme?sslmode=require")
    assert without_password("postgresql://db.example.org/acme") == "postgresql://db.example.org/acme"


def test_a_new_workshop_copied_from_another_does_not_take_its_store(live_dir, tmp_path):
    (live_dir / SETTINGS_FILE).write_text("store: postgresql://promise@db.example.org/harbour\n")
    copy = new_workshop(tmp_path / "quay", live_dir)
    assert not (copy / SETTINGS_FILE).exists()
    assert store_url(copy) == "sqlite:///session.sqlite"
