"""The bundled samples: their metadata, their bytes, and opening one in the session."""

from __future__ import annotations

import functools

from dashboard import state
from dashboard.state import Settings, Source
from sample_data import SAMPLE_IDS, SampleInfo, list_samples, load_sample_bytes, sample_info


@functools.cache
def samples() -> tuple[SampleInfo, ...]:
    """The bundled samples' metadata, in their fixed order."""
    return list_samples()


def is_sample_id(value: object) -> bool:
    """True when ``value`` names a bundled sample."""
    return isinstance(value, str) and value in SAMPLE_IDS


@functools.cache
def sample_bytes(sample_id: str) -> bytes:
    """The CSV bytes of a bundled sample."""
    return load_sample_bytes(sample_id)


def sample_meta(source: Source | None) -> SampleInfo | None:
    """The data dictionary of ``source`` when it is a bundled sample."""
    if source is None or not source.is_sample:
        return None
    return sample_info(source.name)


def use_sample(sample_id: str) -> None:
    """Make the bundled sample ``sample_id`` the session's data."""
    info = sample_info(sample_id)
    settings = None
    if info.task == "survival":  # the time/event pair is the sample's, not a guess
        settings = Settings(target=info.target, task="survival", time=info.time)
    state.set_sample(sample_id, sample_bytes(sample_id), settings=settings)
