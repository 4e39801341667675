"""The self-test the packaged app runs (``Tintype --selftest``), here on the source tree with tiny models."""

from desktop.selftest import run_selftest


def test_selftest_checks_models_restore_and_hints(models_dir, capsys):
    assert run_selftest([models_dir]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == "self-test passed" and not any(line.startswith("FAIL") for line in lines)
    passed = [line for line in lines if line.startswith("PASS")]
    assert any("restore: 3 specks filled in" in line for line in passed)
    assert any("restore: saved gray carries the algorithmically enhanced stamp" in line for line in passed)
    assert any("unet: a red color hint" in line for line in passed)
    assert any("unet: the saved file records the color hint" in line for line in passed)
