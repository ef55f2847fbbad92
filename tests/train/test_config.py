"""Recipe parsing: keys, overrides, stage sections and the errors that say how to fix them."""

from __future__ import annotations

import os
import textwrap

import pytest

pytest.importorskip("trl")

from lmmr1.errors import UserError  # noqa: E402
from lmmr1.train.config import RecipeError, load_recipe, plan_stages  # noqa: E402
from lmmr1.train.pipeline import apply_process_settings, init_for, plan  # noqa: E402
from lmmr1.train.rewards import REWARDS, build_rewards  # noqa: E402

BASE = """
output_dir: {out}
use_cpu: true
model_name_or_path: some/model
learning_rate: 1.0e-3
num_generations: 4
per_device_train_batch_size: 8
fre:
  dataset_name: synthetic:fre
  learning_rate: 2.0e-3
mgt:
  dataset_name: synthetic:mgt
"""


@pytest.fixture
def recipe(tmp_path):
    def write(extra: str = "") -> str:
        path = tmp_path / "r.yaml"
        path.write_text(BASE.format(out=tmp_path / "out") + textwrap.dedent(extra))
        return str(path)

    return write


def test_stage_keys_win_over_shared_and_overrides_win_over_both(recipe):
    fre, mgt = plan(recipe(), overrides=["mgt.learning_rate=5e-4", "num_generations=2"])
    assert fre.training.learning_rate == 2e-3
    assert mgt.training.learning_rate == 5e-4
    assert fre.training.num_generations == mgt.training.num_generations == 2
    assert fre.training.output_dir.endswith("out/fre") and mgt.training.output_dir.endswith("out/mgt")
    assert fre.script.dataset_name == "synthetic:fre" and mgt.script.dataset_name == "synthetic:mgt"


def test_trl_flags_on_the_command_line_win(recipe):
    (fre,) = plan(recipe(), stages=["fre"], cli_args=["--learning_rate", "7e-4"])
    assert fre.training.learning_rate == 7e-4


def test_unknown_top_level_key_is_named_with_a_suggestion(recipe):
    with pytest.raises(RecipeError, match=r"unknown key 'learning_rat'.*Did you mean learning_rate"):
        plan(recipe("learning_rat: 1.0\n"))


def test_unknown_stage_key_is_named_with_its_section(recipe):
    with pytest.raises(RecipeError, match=r"r\.yaml: unknown key 'num_generation' in section 'mgt'"):
        path = recipe()
        with open(path, "a") as f:
            f.write("  num_generation: 4\n")  # BASE ends inside the mgt: section
        plan(path)


@pytest.mark.parametrize("override", ["fre.num_generation=4", "num_generation=4"])
def test_a_typo_on_the_command_line_is_said_to_come_from_there(recipe, override):
    with pytest.raises(RecipeError, match=rf"unknown key 'num_generation' in '{override}', given on the command line"):
        plan(recipe(), overrides=[override])


def test_recipe_errors_are_user_errors():
    assert issubclass(RecipeError, UserError)


def test_model_option_in_a_stage_section_is_refused(recipe):
    with pytest.raises(RecipeError, match=r"mgt\.model_name_or_path.*shared"):
        plan(recipe(), overrides=["mgt.model_name_or_path=other"])


def test_bad_override_syntax_and_stage(recipe):
    with pytest.raises(RecipeError, match="key=value"):
        load_recipe(recipe(), ["learning_rate"])
    with pytest.raises(RecipeError, match="'sft' is not a stage"):
        load_recipe(recipe(), ["sft.learning_rate=1"])


def test_missing_recipe_says_where_to_look(tmp_path):
    with pytest.raises(RecipeError, match="recipes/"):
        load_recipe(tmp_path / "nope.yaml")


def test_unknown_stage_name():
    with pytest.raises(RecipeError, match="unknown stage 'sft'"):
        plan_stages({"output_dir": "x"}, ["sft"])


def test_unknown_reward_lists_the_known_ones():
    with pytest.raises(RecipeError, match=r"unknown reward function\(s\) \['acc'\].*known: \['accuracy'"):
        build_rewards(["format", "acc"])
    assert set(REWARDS) >= {"accuracy", "format"}


def test_default_rewards_are_lmmr1s(recipe):
    (fre,) = plan(recipe(), stages=["fre"])
    names = [r.__name__ for r in build_rewards(fre.script.reward_funcs)]
    assert names == ["format_reward", "accuracy_reward"]
    assert "<think>" in fre.script.system_prompt and "$" in fre.script.system_prompt


def test_reward_weights_must_match_reward_funcs(recipe):
    with pytest.raises(RecipeError, match="stage fre: reward_weights .* one weight per reward function"):
        plan(recipe("reward_weights: [0.5]\n"), stages=["fre"])


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("mgt.reward_funcs=[format, acc]", r"stage mgt: unknown reward function\(s\) \['acc'\]"),
        ("mgt.reward_weights=[1.0]", r"stage mgt: reward_weights \[1.0\] has 1 values for 2 reward_funcs"),
        ("mgt.reward_funcs=[]", "stage mgt: reward_funcs is empty"),
        ("mgt.reward_funcs=[format, format]", "stage mgt: reward_funcs lists a reward twice"),
    ],
)
def test_every_stages_rewards_are_checked_when_planning(recipe, override, message):
    # A bad mgt section fails while planning, before stage fre could train for hours.
    with pytest.raises(RecipeError, match=message):
        plan(recipe(), overrides=[override])


@pytest.mark.parametrize("steps", [-5, -2])
def test_negative_max_steps_is_refused_but_minus_one_means_epochs(recipe, steps):
    with pytest.raises(RecipeError, match=rf"stage fre: max_steps={steps}; .* or -1 \(the default\)"):
        plan(recipe(), overrides=[f"fre.max_steps={steps}"])
    fre, mgt = plan(recipe(), overrides=["fre.max_steps=-1", "mgt.max_steps=3"])
    assert (fre.training.max_steps, mgt.training.max_steps) == (-1, 3)


def test_parsing_is_pure_and_env_is_applied_when_a_run_starts(recipe, monkeypatch):
    monkeypatch.delenv("LMMR1_TEST_ENV", raising=False)
    plans = plan(recipe("env:\n  LMMR1_TEST_ENV: 7\n"))
    assert "LMMR1_TEST_ENV" not in os.environ
    assert plans[0].env == plans[1].env == (("LMMR1_TEST_ENV", "7"),)
    apply_process_settings(plans)
    assert os.environ["LMMR1_TEST_ENV"] == "7"


def test_torch_threads_are_set_when_a_stage_starts_not_when_planning(recipe):
    import torch

    from lmmr1.train.stage import apply_threads

    before = torch.get_num_threads()
    want = 1 if before != 1 else 2
    try:
        (fre,) = plan(recipe(f"torch_num_threads: {want}\n"), stages=["fre"])
        assert torch.get_num_threads() == before
        apply_threads(fre)
        assert torch.get_num_threads() == want
    finally:
        torch.set_num_threads(before)


def test_env_must_be_a_mapping(recipe):
    with pytest.raises(RecipeError, match="env: must map variable names to values"):
        plan(recipe("env: [A]\n"))


def test_model_loading_options_are_set_when_planning_not_by_the_trainer(recipe):
    (fre,) = plan(recipe("dtype: bfloat16\n"), stages=["fre"])
    assert fre.training.model_init_kwargs["dtype"] == "bfloat16"


def test_mgt_never_starts_from_the_base_model_by_mistake(tmp_path):
    out = tmp_path / "out"
    assert init_for("mgt", ["fre", "mgt"], out, "base", None) == str(out / "fre" / "final")
    assert init_for("mgt", ["mgt"], out, "base", "ckpt") == "ckpt"
    with pytest.raises(RecipeError, match="--init-from"):
        init_for("mgt", ["mgt"], out, "base", None)
    (out / "fre" / "final").mkdir(parents=True)
    (out / "fre" / "final" / "lmmr1_stage.json").write_text("{}")
    assert init_for("mgt", ["mgt"], out, "base", None) == str(out / "fre" / "final")


def test_plain_override_applies_to_every_stage_even_over_stage_sections(recipe):
    fre, mgt = plan(recipe(), overrides=["learning_rate=9e-4"])
    assert fre.training.learning_rate == mgt.training.learning_rate == 9e-4


def test_yaml_no_stays_a_string_and_numbers_are_numbers(recipe):
    (fre,) = plan(recipe("save_strategy: no\n"), stages=["fre"], overrides=["logging_steps=1", "bf16=false"])
    assert (
        fre.training.save_strategy == "no" and fre.training.logging_steps == 1 and fre.training.bf16 is False
    )


@pytest.mark.parametrize(
    ("overrides", "cli_args", "message"),
    [
        (["learning_rate=abc"], [], "stage fre: argument --learning_rate/--learning-rate: invalid float value: 'abc'"),
        ([], ["--learning_rate"], "stage fre: argument --learning_rate/--learning-rate: expected one argument"),
    ],
)
def test_a_bad_value_names_the_key_instead_of_printing_usage(recipe, capsys, overrides, cli_args, message):
    with pytest.raises(RecipeError, match=message):
        plan(recipe(), overrides=overrides, cli_args=cli_args)
    assert "usage:" not in capsys.readouterr().err
