"""Device choice is a pure function of two facts."""

from __future__ import annotations

import pytest

from explainers import DeviceError, choose_device, resolve_device


@pytest.mark.parametrize(
    ("requested", "built", "answers", "expected"),
    [
        ("auto", True, True, "cuda"),
        ("auto", True, False, "cpu"),
        ("auto", False, False, "cpu"),
        ("auto", False, True, "cpu"),
        ("cpu", True, True, "cpu"),
        ("cuda", True, True, "cuda"),
    ],
)
def test_choose_device(requested, built, answers, expected):
    """Check that auto picks CUDA only when built with it and a GPU answers."""
    assert choose_device(requested, cuda_built=built, gpu_answers=answers) == expected


@pytest.mark.parametrize(("built", "answers"), [(False, False), (True, False), (False, True)])
def test_cuda_without_gpu_is_an_error(built, answers):
    """Check that asking for CUDA where it cannot run raises a DeviceError saying what to do."""
    with pytest.raises(DeviceError, match="--device cpu or auto"):
        choose_device("cuda", cuda_built=built, gpu_answers=answers)


def test_resolve_cpu_never_probes(monkeypatch):
    """Check that an explicit CPU request skips the probe."""
    import explainers._device as module

    monkeypatch.setattr(module, "device_facts", lambda: (_ for _ in ()).throw(AssertionError))
    assert resolve_device("cpu") == "cpu"
