"""TRL reward adapters: the reward contract, driven through TRL's own reward-calling code."""

from __future__ import annotations

import math
import pickle
from collections import defaultdict
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lmmr1.rewards import AccuracyReward, FormatReward, completion_text

GOOD = "<think>3 + 4 = 7</think><answer>7</answer>"
BOXED = "Adding the two numbers gives $\\boxed{7}$."
WRONG = "<think>3 + 4 = 8</think><answer>8</answer>"


def conv(content):
    return [{"role": "assistant", "content": content}]


# --- contract -----------------------------------------------------------------------------------


def test_accuracy_scores_string_and_conversational_completions():
    reward = AccuracyReward()
    completions = [GOOD, conv(BOXED), conv([{"type": "text", "text": WRONG}])]
    assert reward(prompts=["q"] * 3, completions=completions, solution=["7", "7", "7"]) == [1.0, 1.0, 0.0]


def test_accuracy_reads_configurable_gold_column():
    reward = AccuracyReward(gold_column="answer")
    assert reward(prompts=["q"], completions=[GOOD], completion_ids=[[1, 2]], answer=["7"]) == [1.0]


def test_missing_gold_column_names_it_and_lists_the_columns():
    with pytest.raises(ValueError) as err:
        AccuracyReward()(prompts=["q"], completions=[GOOD], answer=["7"], image=[None], trainer_state=object())
    msg = str(err.value)
    assert "'solution'" in msg and "['answer', 'image']" in msg and "gold_column=" in msg
    assert "trainer_state" not in msg  # trainer plumbing is not a dataset column


def test_gold_column_length_mismatch_is_an_error():
    with pytest.raises(ValueError, match="2 values for 1 completions"):
        AccuracyReward()(prompts=["q"], completions=[GOOD], solution=["7", "8"])


def test_cannot_verify_is_none_not_zero():
    # An empty gold cannot be read by any rule: "cannot verify" must not become a 0 reward.
    assert AccuracyReward()(prompts=["q"], completions=[GOOD], solution=[""]) == [None]


def test_choice_task_and_options_columns():
    reward = AccuracyReward()
    options = [{"A": "3", "B": "7", "C": "9"}] * 2
    out = reward(
        prompts=["q", "q"],
        completions=["<answer>B</answer>", "<answer>C</answer>"],
        solution=["B", "B"],
        task=["choice", "choice"],
        options=options,
    )
    assert out == [1.0, 0.0]


def test_format_reward_strict_and_tags():
    completions = [GOOD, conv(BOXED), "<think>x</think> <answer>1"]
    assert FormatReward()(prompts=None, completions=completions) == [1.0, 0.0, 0.0]
    assert FormatReward(style="tags")(prompts=None, completions=completions) == [1.0, 0.0, 0.75]


def test_rewards_pickle_and_have_names():
    for reward, name in (
        (AccuracyReward(), "accuracy_reward"),
        (FormatReward(), "format_reward"),
        (FormatReward("tags"), "tag_count_reward"),
        (AccuracyReward(name="acc_math"), "acc_math"),
    ):
        clone = pickle.loads(pickle.dumps(reward))
        assert clone == reward and clone.__name__ == name


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"gold_column": ""}, "gold_column must be a non-empty string"),
        ({"default_task": "algebra"}, "default_task='algebra'"),
        ({"config": "strict"}, "config must be None"),
        ({"workers": 0}, "workers must be None or a positive int"),
    ],
)
def test_bad_accuracy_config_fails_early(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        AccuracyReward(**kwargs)


def test_bad_format_style():
    with pytest.raises(ValueError, match="choose 'strict' or 'tags'"):
        FormatReward(style="loose")


def test_completion_text_rejects_unknown_shapes():
    assert completion_text(conv([{"type": "image"}, {"type": "text", "text": "a"}, {"type": "text", "text": "b"}])) == "ab"
    assert completion_text([{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]) == "a"
    with pytest.raises(TypeError, match="a completion must be a string or a list of chat messages"):
        completion_text(42)


@settings(max_examples=60, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("0123456789.,-+/ x$\\{}()ABCor<>answethink")), max_size=40))
def test_conversational_and_plain_completions_score_the_same(text):
    plain = [text]
    as_chat = [conv([{"type": "text", "text": text[:5]}, {"type": "text", "text": text[5:]}])]
    for reward in (AccuracyReward(), FormatReward(), FormatReward("tags")):
        kwargs = {"solution": ["7"]}
        assert reward(prompts=["q"], completions=plain, **kwargs) == reward(prompts=["q"], completions=as_chat, **kwargs)


# --- TRL's own reward path ----------------------------------------------------------------------


def _trainer_shell(reward_funcs):
    """The attributes GRPOTrainer._calculate_rewards reads, with nothing else (no model needed)."""
    torch = pytest.importorskip("torch")
    from trl.trainer.utils import get_callable_name

    extra, metrics = defaultdict(list), defaultdict(list)
    shell = SimpleNamespace(
        accelerator=SimpleNamespace(device=torch.device("cpu"), is_main_process=True),
        args=SimpleNamespace(report_to=[]),
        state=SimpleNamespace(global_step=0),
        reward_funcs=reward_funcs,
        reward_processing_classes=[None] * len(reward_funcs),
        reward_func_names=[get_callable_name(f) for f in reward_funcs],
        environments=None,
        chat_template_kwargs={},
        _log_completion_extra=lambda column, values: extra[column].extend(values),
        _log_metric=lambda name, value: metrics[name].append(value),
    )
    return shell, extra, metrics


def test_grpo_trainer_calculate_rewards_runs_our_rewards():
    torch = pytest.importorskip("torch")
    from trl import GRPOTrainer

    funcs = [AccuracyReward(), FormatReward()]
    shell, extra, metrics = _trainer_shell(funcs)
    assert shell.reward_func_names == ["accuracy_reward", "format_reward"]
    prompts = [[{"role": "user", "content": "What is 3 + 4?"}]] * 3
    completions = [conv(GOOD), conv(WRONG), conv(GOOD)]
    # Inputs as GRPOTrainer builds them: one dict per completion, dataset columns included.
    inputs = [
        {"prompt": prompts[0], "solution": "7", "task": "math"},
        {"prompt": prompts[0], "solution": "7", "task": "math"},
        {"prompt": prompts[0], "solution": "", "task": "math"},  # unparseable gold
    ]
    rewards = GRPOTrainer._calculate_rewards(shell, inputs, prompts, completions, [[1], [2], [3]])

    assert rewards.shape == (3, 2)
    assert rewards[:2, 0].tolist() == [1.0, 0.0]
    assert math.isnan(rewards[2, 0].item())  # None became NaN: TRL leaves it out of the mean
    assert rewards[:, 1].tolist() == [1.0, 1.0, 1.0]
    assert torch.nanmean(rewards[:, 0]).item() == 0.5
    assert extra["accuracy_reward_reason"][:2] == ["equal", "not_equal"]
    assert extra["accuracy_reward_reason"][2] == "gold_unparseable"
    assert metrics["accuracy_reward/unverifiable_frac"] == [pytest.approx(1 / 3)]


def test_grpo_trainer_calculate_rewards_surfaces_missing_column():
    pytest.importorskip("torch")
    from trl import GRPOTrainer

    shell, _, _ = _trainer_shell([AccuracyReward(gold_column="answer")])
    with pytest.raises(ValueError, match=r"'answer'.*available columns: \['solution'\]"):
        GRPOTrainer._calculate_rewards(shell, [{"prompt": "q", "solution": "7"}], ["q"], [GOOD], [[1]])


@pytest.mark.slow
def test_one_real_grpo_step_logs_our_rewards(tmp_path):
    """A real GRPOTrainer step on a tiny random text model: TRL routes the dataset columns to us."""
    torch = pytest.importorskip("torch")
    from datasets import Dataset
    from transformers import AutoTokenizer, Qwen2Config, Qwen2ForCausalLM
    from trl import GRPOConfig, GRPOTrainer

    from lmmr1.train.tiny import build_tiny_model

    tokenizer = AutoTokenizer.from_pretrained(build_tiny_model(tmp_path / "tiny"))  # built offline, no hub
    torch.manual_seed(0)
    config = Qwen2Config(
        vocab_size=len(tokenizer), hidden_size=16, intermediate_size=32, num_hidden_layers=1, num_attention_heads=2,
        num_key_value_heads=1, max_position_embeddings=256, pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
    )  # fmt: skip
    # Half the golds are empty (cannot verify): the reward must answer None for those, not 0.
    dataset = Dataset.from_dict({"prompt": ["What is 3 + 4?", "What is 6 * 7?"] * 2, "answer": ["7", "", "7", ""]})
    args = GRPOConfig(
        output_dir=str(tmp_path / "out"), per_device_train_batch_size=8, num_generations=4, max_completion_length=8,
        max_steps=1, report_to=[], use_cpu=True, logging_steps=1, save_strategy="no", bf16=False,
    )  # fmt: skip
    trainer = GRPOTrainer(
        model=Qwen2ForCausalLM(config),
        reward_funcs=[AccuracyReward(gold_column="answer"), FormatReward(style="tags")],
        args=args,
        train_dataset=dataset,
        processing_class=tokenizer,
    )
    trainer.train()
    logs = trainer.state.log_history[0]
    assert "rewards/accuracy_reward/mean" in logs and "rewards/tag_count_reward/mean" in logs
    assert "accuracy_reward/unverifiable_frac" in logs  # our log_metric call reached TRL
    # TRL's completions table: per completion, its prompt, our reward and our reason (log_extra).
    table = trainer._logs
    reasons = table["extra"]["accuracy_reward_reason"]
    rewards = table["rewards"]["accuracy_reward"]
    assert len(reasons) == len(rewards) == len(table["prompt"]) == 8
    for prompt, reward, reason in zip(table["prompt"], rewards, reasons, strict=True):
        if reason == "gold_unparseable":
            assert "6 * 7" in prompt and math.isnan(reward)  # None reached TRL as NaN, not 0
        else:
            assert reason in ("not_equal", "no_answer") and reward == 0.0  # 8 random tokens never say 7


def test_options_padded_by_datasets_struct_columns():
    from datasets import Dataset

    # datasets turns per-row dicts into one struct: the 2-option row gains "C": None.
    ds = Dataset.from_list([
        {"solution": "B", "task": "choice", "options": {"A": "3", "B": "7"}},
        {"solution": "C", "task": "choice", "options": {"A": "3", "B": "7", "C": "9"}},
    ])  # fmt: skip
    assert ds[0]["options"] == {"A": "3", "B": "7", "C": None}
    reward = AccuracyReward()
    columns = {k: ds[k] for k in ds.column_names}
    assert reward(prompts=["q", "q"], completions=["<answer>C</answer>", "<answer>C</answer>"], **columns) == [0.0, 1.0]
    reasons = []
    reward(prompts=["q"], completions=["<answer>C</answer>"], log_extra=lambda c, v: reasons.extend(v),
           **{k: v[:1] for k, v in columns.items()})  # fmt: skip
    assert reasons == ["letter_not_in_options"]  # C is not an option of row 0, not just a wrong letter


# --- one bad row never fails the step -------------------------------------------------------------


def test_a_missing_gold_is_none_and_the_other_rows_are_scored():
    # A `datasets` column with a missing value; before, this raised TypeError and crashed the step.
    out = AccuracyReward()(prompts=["", ""], completions=["<answer>5</answer>"] * 2, solution=["5", None])
    assert out == [1.0, None]


def test_degenerate_golds_and_completions_are_rows_not_crashes():
    golds = ["7", float("nan"), float("inf"), 10**5000, [7], "7", "7"]
    completions = [GOOD] * 5 + [None, conv(7)]
    assert AccuracyReward()(prompts=["q"] * 7, completions=completions, solution=golds) == [1.0, None, None, None, None, 0.0, 0.0]
    assert FormatReward()(prompts=["q"] * 3, completions=[GOOD, None, 42]) == [1.0, 0.0, 0.0]
