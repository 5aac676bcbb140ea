"""The Voila that ``workshop serve`` runs, in its own process: ``python -m workshop.voila_app NOTEBOOK [options]``.

Stock Voila, made quicker for a phone's first visit: responses are gzip-compressed for a room's Wi-Fi, static
files are compressed once rather than once per phone, and the page asks for every script it will need at once
(``preload.txt``) instead of in the waves Voila's loader discovers them in. ``workshop.live`` starts it; nothing
here is imported by the facilitator's kernel.
"""
from __future__ import annotations

import gzip
import os
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import ClassVar

from jupyter_server.auth.decorator import allow_unauthenticated
from jupyter_server.base.handlers import FileFindHandler
from tornado.web import GZipContentEncoding
from voila.app import Voila
from voila.static_file_handler import MultiStaticFileHandler, TemplateStaticFileHandler

PRELOAD_LIST = Path(__file__).resolve().parent / "jupyter" / "voila" / "templates" / "participant" / "preload.txt"
STATIC_URL = "voila/static/"
LABEXTENSIONS_URL = "voila/labextensions/"


class PrecompressedStatic:
    """Mixin for Voila's static-file handlers: each file is gzipped once, kept in memory, and sent as is.

    Tornado's ``compress_response`` gzips every response as it streams out: the ~5 MB of scripts a participant
    page needs, again for every phone, on the server's one thread. Done once per file instead, a room joining at
    once does not queue behind the compression. A range request, or a client that does not accept gzip, gets
    Tornado's own answer.
    """

    _gzipped: ClassVar[dict[tuple[str, int, int], bytes]] = {}

    @classmethod
    def gzipped(cls, absolute_path: str) -> bytes:
        """The file gzipped, from memory unless it changed on disk since it was compressed."""
        stat = os.stat(absolute_path)
        key = (absolute_path, stat.st_mtime_ns, stat.st_size)
        if key not in cls._gzipped:
            cls._gzipped[key] = gzip.compress(Path(absolute_path).read_bytes(), compresslevel=9, mtime=0)
        return cls._gzipped[key]

    @classmethod
    def compress_ahead(cls, absolute_paths: Iterable[str]) -> None:
        for absolute_path in absolute_paths:
            cls.gzipped(absolute_path)

    @allow_unauthenticated  # as jupyter_server's own static handlers: the page loads before any login
    async def get(self, path: str, include_body: bool = True) -> None:
        if "gzip" not in self.request.headers.get("Accept-Encoding", "") or "Range" in self.request.headers:
            return await super().get(path, include_body)
        # Tornado's StaticFileHandler.get up to the body, whose length and bytes differ when gzipped
        self.path = self.parse_url_path(path)
        absolute_path = self.get_absolute_path(self.root, self.path)  # Voila's MultiStaticFileHandler sets root
        self.absolute_path = self.validate_absolute_path(self.root, absolute_path)
        if self.absolute_path is None:
            return
        self.modified = self.get_modified_time()
        self.set_headers()
        if self.should_return_304():
            self.set_status(304)
            return
        content_type = self.get_content_type()
        if not (content_type.startswith("text/") or content_type in GZipContentEncoding.CONTENT_TYPES):
            return await super().get(path, include_body)  # fonts and images are compressed already
        body = self.gzipped(self.absolute_path)
        self.set_header("Content-Encoding", "gzip")
        self.set_header("Content-Length", len(body))
        if include_body:
            self.write(body)


def read_preload_list(path: Path = PRELOAD_LIST) -> list[str]:
    """The script URLs (relative to the server's base URL) the participant page loads, in the order it asks."""
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def installed_files(urls: Iterable[str], roots: Mapping[str, Sequence[str]]) -> Iterator[tuple[str, str]]:
    """Each URL whose file is installed, with that file: ``roots`` maps a URL prefix to the folders Voila
    serves it from, first match wins as in Voila's handlers. A URL left over from other versions of Voila or
    of the widget extensions is skipped, so the page never preloads a file the server would answer 404."""
    for url in urls:
        path = url.split("?", 1)[0]
        for prefix, folders in roots.items():
            if path.startswith(prefix):
                relative = path[len(prefix):]
                found = next((os.path.join(folder, relative) for folder in folders
                              if os.path.isfile(os.path.join(folder, relative))), None)
                if found:
                    yield url, os.path.abspath(found)
                break


class WorkshopVoila(Voila):
    """Voila with compressed responses and the participant page's scripts preloaded (and compressed) up front.

    ``--Voila.tornado_settings={'compress_response': True}`` does nothing in Voila 0.5: Tornado picks its
    output transforms when the application is built and Voila adds ``tornado_settings`` afterwards, so the
    setting has to be in the settings the application is built with. The notebook page and the kernel API are
    compressed as they stream; static files are served by ``PrecompressedStatic``.
    """

    static_handlers: ClassVar[dict[type, type]] = {
        handler: type(f"Precompressed{handler.__name__}", (PrecompressedStatic, handler), {})
        for handler in (FileFindHandler, MultiStaticFileHandler, TemplateStaticFileHandler)}

    def initialize(self, argv: list[str] | None = None) -> None:
        super().initialize(argv)
        preload = list(installed_files(read_preload_list(), {STATIC_URL: self.static_paths,
                                                             LABEXTENSIONS_URL: self.labextensions_path}))
        # The participant template reads resources.preload; Voila hands the configured resources to templates.
        self.voila_configuration.config.VoilaConfiguration.resources = {"preload": [url for url, _ in preload]}
        # Compressed while the kernel pool fills, so the first phone does not wait for it either.
        threading.Thread(target=PrecompressedStatic.compress_ahead, args=([file for _, file in preload],),
                         daemon=True, name="precompress").start()

    def init_settings(self) -> dict:
        return {**super().init_settings(), "compress_response": True}

    def init_handlers(self) -> list:
        return [(pattern, self.static_handlers.get(handler, handler), *rest)
                for pattern, handler, *rest in super().init_handlers()]


if __name__ == "__main__":
    WorkshopVoila.launch_instance()
