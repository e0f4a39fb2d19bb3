"""Reading a user's ``.zip`` into memory without trusting it: no paths that climb out, no zip bombs.

Nothing is ever extracted to disk: ``read_zip`` returns the members' bytes by their (checked) names. Entries
with absolute paths, drive letters, ``..`` components or symbolic links are refused, and so is an archive whose
unpacked size exceeds ``max_total_bytes`` or ``max_ratio`` times its packed size. The sizes are enforced while
reading, not taken from the headers (which a crafted archive can fake).
"""

from __future__ import annotations

import io
import stat
import zipfile
from collections.abc import Callable
from pathlib import PurePosixPath

MAX_TOTAL_BYTES = 2_000_000_000
MAX_RATIO = 200  # float vectors and Parquet barely compress; text does about 4-10x
READ_CHUNK = 1 << 20


class UnsafeZipError(ValueError):
    """A zip that is not readable, climbs out of its folder or unpacks to far more than it weighs."""


def checked_name(name: str) -> str:
    """The member name as a relative POSIX path; raises ``UnsafeZipError`` for names that could climb out."""
    posix = name.replace("\\", "/")
    parts = PurePosixPath(posix).parts
    if posix.startswith("/") or (parts and parts[0].endswith(":")) or ".." in parts or "\x00" in posix:
        raise UnsafeZipError(f"The zip holds the path {name[:80]!r}, which points outside its folder; such "
                             "archives are refused. Zip the folder again with relative paths.")
    return "/".join(part for part in parts if part not in ("", "."))


def read_zip(data: bytes, keep: Callable[[str], bool] = lambda name: True, max_total_bytes: int = MAX_TOTAL_BYTES,
             max_ratio: float = MAX_RATIO) -> dict[str, bytes]:
    """The bytes of the members of zip ``data`` whose checked name passes ``keep`` (every name is checked).

    Raises ``UnsafeZipError`` for unreadable archives, unsafe names, links and bombs.
    """
    limit = int(min(max_total_bytes, max(len(data), 1) * max_ratio))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
        raise UnsafeZipError(f"This is not a readable zip file ({error}).") from error
    members: dict[str, bytes] = {}
    total = 0
    with archive:
        for info in archive.infolist():
            name = checked_name(info.filename)
            if stat.S_ISLNK(info.external_attr >> 16):
                raise UnsafeZipError(f"The zip holds a symbolic link ({info.filename[:80]!r}); such archives are "
                                     "refused.")
            if info.is_dir() or not name or not keep(name):
                continue
            if total + info.file_size > limit:
                raise _bomb(limit)
            chunks = []
            try:
                with archive.open(info) as member:
                    while chunk := member.read(min(READ_CHUNK, limit - total + 1)):
                        total += len(chunk)
                        if total > limit:
                            raise _bomb(limit)
                        chunks.append(chunk)
            except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as error:
                if isinstance(error, UnsafeZipError):
                    raise
                raise UnsafeZipError(f"{name}: the zip is damaged or uses an unsupported method ({error}).") \
                    from error
            members[name] = b"".join(chunks)
    return members


def _bomb(limit: int) -> UnsafeZipError:
    return UnsafeZipError(f"The zip unpacks to more than {limit / 1e6:,.0f} MB, far more than it weighs (a zip "
                          "bomb?); it is refused. Upload the files themselves, or fewer of them.")
