"""Every reason a saved analysis is refused, as a :class:`DataError` with a stable code.

Each builder names what was wrong and what to do, and carries ``params`` an interface can
translate. Messages quote member names (shortened, control characters escaped) and
sizes, never a cell value.
"""

from __future__ import annotations

from .._errors import DataError
from .._io.limits import human_size

AGAIN = "Open an .xai file saved by this app or by xai-explain, or save the analysis again."
"""The hint most refusals end with."""


def shown(name: str, limit: int = 60) -> str:
    """``name`` safe to print: control and non-ASCII characters escaped, at most ``limit``."""
    text = name.encode("ascii", "backslashreplace").decode("ascii")
    text = "".join(c if 32 <= ord(c) < 127 else f"\\x{ord(c):02x}" for c in text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def too_large(size: int | None, limit: int) -> DataError:
    return DataError(
        f"The saved analysis is larger than the limit of {human_size(limit)}, so it was not "
        "opened. Save it again without the table, or raise the limit.",
        code="archive_too_large",
        size_bytes=size,
        limit_bytes=limit,
        limit_mb=round(limit / 2**20, 3),
    )


def cannot_read_file(reason: str) -> DataError:
    what = "was not found" if reason == "not_found" else "could not be opened"
    return DataError(
        f"The saved analysis {what}. Check the path and that you may read the file.",
        code="archive_unreadable_file",
        reason=reason,
    )


def cannot_write(detail: str) -> DataError:
    return DataError(
        "The analysis could not be written to that place. Check the folder exists and that "
        "you may write there.",
        code="archive_cannot_write",
        detail=detail,
    )


def not_zip(found: str) -> DataError:
    what = {
        "empty": "The file is empty",
        "damaged": "The file starts like a ZIP archive but cannot be read; it is damaged or cut "
        "short",
        "other": "The file is not a saved analysis (an .xai file is a ZIP archive)",
    }[found]
    return DataError(f"{what}. {AGAIN}", code="archive_not_zip", found=found)


def pickle_content(member: str | None) -> DataError:
    where = "The file" if member is None else f"The member {shown(member)!r}"
    return DataError(
        f"{where} is a Python pickle. Pickles run code when opened, so they are never "
        f"opened here. {AGAIN}",
        code="archive_pickle",
        member=member,
    )


def too_many_members(count: int, limit: int) -> DataError:
    return DataError(
        f"The archive holds {count:,} entries, more than the {limit:,} a saved analysis may "
        f"hold, so it was not opened. {AGAIN}",
        code="archive_too_many_members",
        count=count,
        limit=limit,
    )


def expands_too_much(reason: str, limit: int, member: str | None = None) -> DataError:
    what = {
        "declared": f"would unpack to more than {human_size(limit)}",
        "more_than_declared": f"has a member ({shown(member or '')!r}) that unpacks to more "
        "than it declares",
        "memory": "needed more memory to unpack than this computer has",
    }[reason]
    return DataError(
        f"The archive {what}, so it was not opened (this is how zip bombs work). {AGAIN}",
        code="archive_expands_too_much",
        reason=reason,
        limit_bytes=limit,
        limit_mb=round(limit / 2**20, 3),
        member=None if member is None else shown(member),
    )


def bad_member_name(name: str, reason: str) -> DataError:
    why = {
        "empty": "has an empty name",
        "too_long": "has a name that is too long",
        "control": "has control characters in its name",
        "backslash": "has a backslash in its name",
        "absolute": "has an absolute path",
        "drive": "names a drive or stream (a colon in its name)",
        "parent": "points outside the archive or is not a plain path ('..', '.' or an empty part)",
        "directory": "is a folder",
        "link": "is a symbolic link",
        "special": "is not a plain file",
        "renamed": "has a different name in its own header than in the archive's index",
    }[reason]
    return DataError(
        f"An entry of the archive, {shown(name)!r}, {why}, so the file was not opened. {AGAIN}",
        code="archive_bad_member_name",
        member=shown(name),
        reason=reason,
    )


def duplicate_member(name: str) -> DataError:
    return DataError(
        f"The archive holds two entries named {shown(name)!r}, so it was not opened. {AGAIN}",
        code="archive_duplicate_member",
        member=shown(name),
    )


def unsupported_member(name: str, reason: str) -> DataError:
    why = "is encrypted" if reason == "encrypted" else "uses an unsupported compression"
    return DataError(
        f"The entry {shown(name)!r} {why}; saved analyses use plain ZIP deflate. {AGAIN}",
        code="archive_unsupported_member",
        member=shown(name),
        reason=reason,
    )


def damaged(member: str, reason: str) -> DataError:
    return DataError(
        f"The entry {shown(member)!r} of the archive is damaged ({reason.replace('_', ' ')}), "
        f"so the file was not opened. {AGAIN}",
        code="archive_damaged",
        member=shown(member),
        reason=reason,
    )


def bad_manifest(reason: str, field: str | None = None) -> DataError:
    what = {
        "missing": "has no manifest.json",
        "not_json": "has a manifest.json that is not valid JSON",
        "not_object": "has a manifest.json that is not a JSON object",
        "format": "has a manifest.json that does not describe a saved analysis",
        "field": f"has a manifest.json whose field {shown(field or '')!r} is missing or wrong",
        "unknown_field": f"has a manifest.json with an unexpected field {shown(field or '')!r}",
    }[reason]
    return DataError(
        f"The file {what}, so it cannot be opened. {AGAIN}",
        code="archive_bad_manifest",
        reason=reason,
        field=field,
    )


def newer_version(version: int, supported: int) -> DataError:
    return DataError(
        f"This analysis was made by a newer version of the app (file format {version}; this "
        f"app reads up to {supported}). Update the app to open it.",
        code="archive_newer_version",
        version=version,
        supported=supported,
    )


def old_version(version: int, oldest: int) -> DataError:
    return DataError(
        f"This analysis uses file format {version}, older than any this app can read (the "
        f"oldest is {oldest}); no migration exists for it. Open the original data and save "
        "the analysis again.",
        code="archive_old_version",
        version=version,
        oldest=oldest,
    )


def unknown_member(name: str) -> DataError:
    return DataError(
        f"The manifest lists a member this app does not know, {shown(name)!r}. {AGAIN}",
        code="archive_unknown_member",
        member=shown(name),
    )


def unlisted_member(name: str, count: int) -> DataError:
    return DataError(
        f"The archive holds {count} entr{'y' if count == 1 else 'ies'} the manifest does not "
        f"list (such as {shown(name)!r}), so it was not opened. {AGAIN}",
        code="archive_unlisted_member",
        member=shown(name),
        count=count,
    )


def missing_member(name: str, reason: str) -> DataError:
    what = (
        "the archive does not hold it"
        if reason == "absent"
        else "it is needed, but the manifest does not list it"
    )
    return DataError(
        f"A member of the saved analysis is missing: {shown(name)!r} ({what}). {AGAIN}",
        code="archive_missing_member",
        member=shown(name),
        reason=reason,
    )


def hash_mismatch(name: str, reason: str) -> DataError:
    what = "size" if reason == "size" else "SHA-256 checksum"
    return DataError(
        f"The {what} of {shown(name)!r} differs from the one the manifest records: the file "
        f"was changed or damaged after it was saved. {AGAIN}",
        code="archive_hash_mismatch",
        member=shown(name),
        reason=reason,
    )


def bad_kind(name: str, kind: str, expected: str) -> DataError:
    return DataError(
        f"The manifest says {shown(name)!r} is {shown(kind, 30)!r}; it must be {expected}. "
        f"Only JSON, Parquet and XGBoost model files are accepted. {AGAIN}",
        code="archive_bad_kind",
        member=shown(name),
        kind=shown(kind, 30),
        expected=expected,
    )


def bad_content(name: str, kind: str) -> DataError:
    return DataError(
        f"The member {shown(name)!r} is not the {kind} its manifest entry says it is. {AGAIN}",
        code="archive_bad_content",
        member=shown(name),
        kind=kind,
    )


def bad_member(name: str, field: str) -> DataError:
    return DataError(
        f"The member {shown(name)!r} does not hold what a saved analysis needs (at "
        f"{shown(field)!r}). {AGAIN}",
        code="archive_bad_member",
        member=shown(name),
        field=shown(field),
    )


def bad_model(reason: str, detail: str | None = None) -> DataError:
    return DataError(
        "The model inside the saved analysis could not be read safely (checked in a separate "
        f"process: {reason.replace('_', ' ')}). {AGAIN}",
        code="archive_bad_model",
        reason=reason,
        detail=detail,
    )


def model_mismatch(reason: str) -> DataError:
    return DataError(
        f"The model inside the saved analysis does not match its settings ({reason}). {AGAIN}",
        code="archive_model_mismatch",
        reason=reason,
    )


def bad_audit() -> DataError:
    return DataError(
        "The audit document cannot be saved: it must be plain JSON (text, numbers, lists and "
        "objects, no NaN). Pass the document audit_document returns.",
        code="archive_bad_audit",
    )
