"""The study drives the product only through ``python -m training train``: each zoo run must be a valid
command there, and start only from runs of earlier phases."""

from pathlib import Path

from study.runs import PHASE_SECONDS, RUNS, select
from study.zoo import command
from training import cli
from training.config import ModelConfig, TrainConfig
from training.flags import field_default


def test_every_run_is_a_valid_train_command(monkeypatch):
    configs = []
    monkeypatch.setattr("training.train.train", lambda config, resume=False: configs.append(config) or "ckpt")
    for run in RUNS:
        argv = command(
            run, data_root=Path("D"), out=Path("Z"), size=128, batch=64, epochs=150, seconds=60.0, preload=True
        )
        assert argv[1:4] == ["-m", "training", "train"]
        assert cli.main(argv[3:]) == 0, run.name
        config = configs[-1]
        assert (config.model.model_id, config.model.width, config.model.output) == (run.model, run.width, run.output)
        assert config.out == str(Path("Z") / run.name) and config.lr == run.lr


def test_runs_start_from_earlier_phases_and_unset_settings_are_the_training_defaults():
    by_name = {r.name: r for r in RUNS}
    assert len(by_name) == len(RUNS)
    for run in RUNS:
        assert run.phase in PHASE_SECONDS
        if run.init_from:
            assert by_name[run.init_from].phase < run.phase, run.name
    plain = next(r for r in RUNS if r.name == "general-koala")
    assert plain.lr == field_default(TrainConfig, "lr") and plain.zoom == field_default(TrainConfig, "zoom")
    assert plain.fusion == field_default(ModelConfig, "fusion")


def test_selection_for_the_scripts():
    assert [r.name for r in select(phases=(3,), where="gpu")] == [
        "general-unet-ft",
        "general-unet-mse",
        "general-koala-ft",
        "general-koala-mse",
        "general-cgan-cf1",
        "general-cgan-cf3",
    ]
    assert len(select(dataset="general", phases=(1, 2, 3, 4), evaluated=True)) == 17
