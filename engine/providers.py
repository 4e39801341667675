"""onnxruntime sessions: provider choice (auto / cpu / cuda), quiet CUDA fallback, provider reporting."""

from __future__ import annotations

import logging
import os
import threading

import onnxruntime as ort

from engine.errors import ModelLoadError

log = logging.getLogger(__name__)

PROVIDER_CHOICES = ("auto", "cpu", "cuda")
CUDA = "CUDAExecutionProvider"
CPU = "CPUExecutionProvider"
_LABELS = {CUDA: "CUDA", CPU: "CPU"}

# onnxruntime logs every failed attempt to load the CUDA libraries at error level, one wall of text
# per session. We find out once whether CUDA really works and say so once.
_ERROR_SEVERITY = 3
_FATAL_SEVERITY = 4
_cuda_state: dict[str, object] = {}
_lock = threading.Lock()


def provider_label(provider: str) -> str:
    return _LABELS.get(provider, provider.replace("ExecutionProvider", ""))


def available_providers() -> list[str]:
    """The onnxruntime providers of this install that Tintype uses (CUDA, CPU), else all it reports."""
    available = ort.get_available_providers()
    return [p for p in available if p in (CUDA, CPU)] or available


def cuda_compiled_in() -> bool:
    return CUDA in ort.get_available_providers()


def _session_options(severity: int) -> ort.SessionOptions:
    options = ort.SessionOptions()
    options.log_severity_level = severity
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    threads = os.environ.get("TINTYPE_THREADS")
    if threads:
        options.intra_op_num_threads = int(threads)
    return options


def create_session(model: bytes, *, provider: str, source: str) -> tuple[ort.InferenceSession, str]:
    """An InferenceSession for serialized ``model`` and the provider it really uses.

    ``provider``: ``auto`` (CUDA if it really works, else CPU), ``cpu``, or ``cuda`` (an error if
    CUDA cannot be used). Raises :class:`ModelLoadError` naming ``source`` when onnxruntime refuses
    the bytes (not ONNX, truncated, unsupported operators).
    """
    if provider not in PROVIDER_CHOICES:
        raise ValueError(f"provider must be one of {PROVIDER_CHOICES}, not {provider!r}")
    want_cuda = provider == "cuda" or (provider == "auto" and cuda_compiled_in() and _cuda_state.get("works", True))
    if provider == "cuda" and not cuda_compiled_in():
        raise ModelLoadError(
            f"{source}: CUDA was requested but this onnxruntime has no CUDA support "
            "(install onnxruntime-gpu on Linux or Windows with an NVIDIA GPU)"
        )
    providers = [CUDA, CPU] if want_cuda else [CPU]
    with _lock:
        first_cuda_try = want_cuda and "works" not in _cuda_state
        if first_cuda_try:
            ort.set_default_logger_severity(_FATAL_SEVERITY)
        try:
            session = ort.InferenceSession(
                model,
                sess_options=_session_options(_FATAL_SEVERITY if want_cuda else _ERROR_SEVERITY),
                providers=providers,
            )
        except Exception as exc:  # onnxruntime raises its own exception types, not exported stably
            raise ModelLoadError(f"{source}: not a loadable ONNX model ({_short(exc)})") from None
        finally:
            if first_cuda_try:
                ort.set_default_logger_severity(_ERROR_SEVERITY)
        in_use = session.get_providers()[0]
        if want_cuda:
            works = in_use == CUDA
            if first_cuda_try:
                _cuda_state["works"] = works
                if not works:
                    log.warning("CUDA is not usable here (libraries or GPU missing); running on the CPU")
            if provider == "cuda" and not works:
                raise ModelLoadError(f"{source}: CUDA was requested but could not be initialised")
    return session, in_use


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]
