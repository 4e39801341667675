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

# onnxruntime logs every failed attempt to load the CUDA libraries, and every model it refuses, at
# error level, one wall of text each. Its errors also come back as exceptions, which Tintype reports
# in one line; so its own log is held to fatal messages, and whether CUDA really works is found out
# once and said once.
_FATAL_SEVERITY = 4
_cuda_state: dict[str, object] = {}
_lock = threading.Lock()
ort.set_default_logger_severity(_FATAL_SEVERITY)
# The smallest model (one Identity node): what a CUDA session is tried on when no model says yet.
_PROBE_MODEL = bytes.fromhex(
    "080812003a3b0a100a017812017922084964656e74697479120570726f62655a0f0a0178120a0a08080112040a020801"
    "620f0a0179120a0a08080112040a02080142040a001011"
)


def provider_label(provider: str) -> str:
    return _LABELS.get(provider, provider.replace("ExecutionProvider", ""))


def available_providers() -> list[str]:
    """The onnxruntime providers of this install that Tintype uses (CUDA, CPU), else all it reports."""
    available = ort.get_available_providers()
    return [p for p in available if p in (CUDA, CPU)] or available


def cuda_compiled_in() -> bool:
    return CUDA in ort.get_available_providers()


def cuda_usable() -> bool:
    """True when this onnxruntime has CUDA and a session really runs on it (tried once, on a tiny
    model if no model has been loaded yet): installed is not enough, the libraries and a GPU must be there."""
    if not cuda_compiled_in():
        return False
    if "works" not in _cuda_state:
        try:
            create_session(_PROBE_MODEL, provider="auto", source="CUDA probe")
        except ModelLoadError:
            _cuda_state.setdefault("works", False)
    return bool(_cuda_state.get("works"))


def _session_options(folder: str | None) -> ort.SessionOptions:
    options = ort.SessionOptions()
    options.log_severity_level = _FATAL_SEVERITY
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    if folder:
        # A model given as bytes finds weights kept in an external data file beside it, here.
        options.add_session_config_entry("session.model_external_initializers_file_folder_path", folder)
    threads = os.environ.get("TINTYPE_THREADS")
    if threads:
        options.intra_op_num_threads = int(threads)
    return options


def create_session(
    model: bytes, *, provider: str, source: str, folder: str | None = None
) -> tuple[ort.InferenceSession, str]:
    """An InferenceSession for serialized ``model`` and the provider it really uses.

    ``provider``: ``auto`` (CUDA if it really works, else CPU), ``cpu``, or ``cuda`` (an error if
    CUDA cannot be used). ``folder``: where the model's external data files are (the model file's
    folder). Raises :class:`ModelLoadError` naming ``source`` when onnxruntime refuses the bytes
    (not ONNX, truncated, unsupported operators, missing external data).
    """
    if provider not in PROVIDER_CHOICES:
        raise ValueError(f"provider must be one of {PROVIDER_CHOICES}, not {provider!r}")
    want_cuda = provider == "cuda" or (provider == "auto" and cuda_compiled_in() and _cuda_state.get("works", True))
    if provider == "cuda" and not cuda_compiled_in():
        raise ModelLoadError(
            f"{source}: CUDA was requested but this onnxruntime has no CUDA support "
            "(install onnxruntime-gpu on Linux or Windows with an NVIDIA GPU)"
        )
    if provider == "cuda" and _cuda_state.get("works") is False:
        raise ModelLoadError(f"{source}: CUDA was requested but is not usable here (libraries or GPU missing)")
    providers = [CUDA, CPU] if want_cuda else [CPU]
    with _lock:
        first_cuda_try = want_cuda and "works" not in _cuda_state
        try:
            session = ort.InferenceSession(model, sess_options=_session_options(folder), providers=providers)
        except Exception as exc:  # noqa: BLE001 - onnxruntime raises its own exception types, not exported stably
            raise ModelLoadError(f"{source}: not a loadable ONNX model ({_short(exc)})") from None
        in_use = session.get_providers()[0]
        if want_cuda:
            works = in_use == CUDA
            if first_cuda_try:
                _cuda_state["works"] = works
                if not works and provider == "auto":  # with "cuda", each refusal says it
                    log.warning("CUDA is not usable here (libraries or GPU missing); running on the CPU")
            if provider == "cuda" and not works:
                raise ModelLoadError(f"{source}: CUDA was requested but is not usable here (libraries or GPU missing)")
    return session, in_use


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]
