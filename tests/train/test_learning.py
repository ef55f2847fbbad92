"""The tiny two-stage run learns: README's first command, checked by its reward curves (issue 7).

One seeded run of ``recipes/tiny-cpu.yaml`` (both stages, the recipe's step counts) is shared by the
tests below. Run lengths are in steps; nothing here asserts wall-clock time.

Margins come from repeated runs of the recipe (``python benchmarks/tiny_learning.py --seeds 0 1 2``,
three runs side by side on 2 shared CPU cores, ~350 s each). Mean reward, first -> last 10 % of logged
steps; total = 0.5 x tag format + accuracy:

    seed  FRE total      FRE format     FRE accuracy   MGT total      MGT format     MGT accuracy
    0     0.087->0.695   0.164->0.998   0.005->0.197   0.728->0.745   0.996->0.993   0.230->0.249
    1     0.100->0.588   0.173->0.861   0.013->0.158   0.456->0.780   0.655->0.999   0.129->0.280
    2     0.079->0.574   0.126->0.743   0.016->0.202   0.590->0.554   0.711->0.749   0.235->0.180
    0*    0.087->0.947   0.164->0.938   0.005->0.478   0.282->0.375   0.274->0.750   0.145->0.000

    * seed 0 again, alone (this test, 72 s + 108 s of training): runs are not bit-reproducible here.

Those runs predate the 16-token images, the 5-token MGT prompt and the empty-answer rule of the
tags reward; seed 0 with them: FRE total 0.087 -> 0.737 (accuracy 0.005 -> 0.422), MGT total
0.469 -> 0.208 (accuracy 0.161 -> 0.085).

Greedy accuracy of the MGT checkpoint on 128 held-out items was measured as 0.25 / 0.00 / 0.00 with
images and the same with blank images, but by an evaluation that did not suppress ``<|image_pad|>``
(TRL does when it samples), so the zeros are placeholders decoded, not wrong digits; with the
suppression an image-blind checkpoint scores chance (0.25) with and without its images.

What holds in every run: stage 1 learns the tags and to answer with a digit 1-4 (in one run of four
it also learned to copy the digit, accuracy 0.48). What does not, yet (xfail below, issue 7 stays
open): stage 2 keeps stage 1's format at its start in only some runs (first-10 %
format 0.27-1.00), and it never learned to read the colour from the image in this budget (accuracy at
the image-blind level). A likely cause: stage 1 ends with a near-deterministic digit, so stage 2
rarely samples the other digits (a 2-colour variant started from such a checkpoint scored 0.00 for
1,000 steps because its policy only ever said "2"). A second: the 4 image tokens are diluted in a
72-token prompt; with a 25-token prompt, a one-token answer and the accuracy reward alone, RL from
the bare model did read the image (0.01 -> 0.53, greedy 0.50 with images vs 0.25 blank), and so did
the recipe's own rewards with 16 image tokens, lr 5e-4 and temperature 1.5 (0.05 -> 0.69 in 4,000
steps, one seed; README, "Measured"). That last setting, stage 2 alone from the bare model, is
checked at the end of this file: over three seeds its accuracy ends at 0.48-1.00 (greedy 0.50-1.00 with images).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lmmr1.train import cli
from lmmr1.train.reward_log import first_last, read_rows
from lmmr1.train.synthetic import COLOURS, blank_images, greedy_accuracy, greedy_completions, make_mgt_dataset
from lmmr1.train.tiny import build_tiny_model
from tests.train.tiny_run import RECIPE

SEED = 0
CHANCE = 1 / len(COLOURS)

# Required rise of the mean total reward, last 10 % minus first 10 % of steps: the smallest seen
# over three seeds is 0.49; a stage that does not learn moves by a few hundredths (MGT: -0.04..+0.02
# in the seeds where its format was already learned).
FRE_MIN_RISE = 0.3
MGT_MIN_ACCURACY_RISE = 0.1  # the goal (not reached yet): accuracy well above the blind 0.25
# The goal for stage 2's first 10 %: most of the format stage 1 ended with. Measured ratios 1.00,
# 0.76, 0.96 and 0.29; a model starting from scratch scores 0.13-0.17 there.
FORMAT_CARRIED = 0.6  # fraction of FRE's final format reward that MGT should start with
BLANK_TOLERANCE = 0.1  # blank-image greedy accuracy may exceed chance by at most this
HELD_OUT = 128  # MGT items for the blank-image ablation, drawn with a seed training never used


def _format_column(rows: list[dict[str, float]]) -> str:
    (name,) = [c for c in rows[0] if c not in ("step", "total", "accuracy_reward")]
    return name


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("tiny-cpu")
    rc = cli.main(["--config", str(RECIPE), "--output-dir", str(out), f"seed={SEED}", "--log-level", "WARNING"])
    assert rc == 0
    return out


@pytest.mark.slow
def test_fre_reward_rises(run):
    rows = read_rows(run / "fre" / "rewards.csv")
    first, last = first_last(rows)["total"]
    assert last - first > FRE_MIN_RISE, f"FRE total reward {first:.3f} -> {last:.3f}"


@pytest.mark.slow
def test_fre_answers_with_a_digit(run):
    """Accuracy rises from ~0.01 to the level of always answering some digit 1-4 (0.16-0.20)."""
    first, last = first_last(read_rows(run / "fre" / "rewards.csv"))["accuracy_reward"]
    assert last - first > 0.08, f"FRE accuracy {first:.3f} -> {last:.3f}"


@pytest.mark.slow
@pytest.mark.xfail(
    reason="issue 7, open: in 1,000 steps stage 2 stays at the image-blind accuracy (0.18-0.28 over "
    "three seeds); reading the colour needs more steps or a better-conditioned task",
    strict=False,
)
def test_mgt_accuracy_rises_from_the_image(run):
    rows = read_rows(run / "mgt" / "rewards.csv")
    acc_first, acc_last = first_last(rows)["accuracy_reward"]
    assert acc_last - acc_first > MGT_MIN_ACCURACY_RISE, f"MGT accuracy {acc_first:.3f} -> {acc_last:.3f}"
    assert acc_last > CHANCE + 0.1, f"MGT accuracy ends at {acc_last:.3f}, no better than an image-blind guess"


@pytest.mark.slow
@pytest.mark.xfail(
    reason="issue 7, open: stage 2 starts with stage 1's format in 3 of 4 runs (first-10 % format / "
    "FRE's final: 1.00, 0.76, 0.96, 0.29); the image prompt is new to the tiny model",
    strict=False,
)
def test_mgt_starts_with_the_format_fre_learned(run):
    fre, mgt = read_rows(run / "fre" / "rewards.csv"), read_rows(run / "mgt" / "rewards.csv")
    col = _format_column(fre)
    fre_first, fre_last = first_last(fre)[col]
    mgt_first, _ = first_last(mgt)[col]
    assert mgt_first >= FORMAT_CARRIED * fre_last, (
        f"MGT starts at format {mgt_first:.3f} though FRE ended at {fre_last:.3f}: stage 2 did not start from stage 1"
    )
    assert mgt_first > fre_first + 0.3, f"MGT starts at format {mgt_first:.3f}, FRE started at {fre_first:.3f}"


@pytest.mark.slow
def test_blank_images_leave_mgt_at_chance(run):
    """With the image blank the prompt says nothing about the answer: no text shortcut exists."""
    held_out = make_mgt_dataset(HELD_OUT, seed=10_000 + SEED)
    blank = greedy_accuracy(run / "mgt" / "final", blank_images(held_out))
    assert blank <= CHANCE + BLANK_TOLERANCE, f"blank-image accuracy {blank:.3f}, chance {CHANCE:.2f}"


@pytest.mark.slow
def test_greedy_evaluation_never_emits_image_placeholders(run):
    """TRL suppresses ``<|image_pad|>`` when it samples, so training never learns its logit down; an
    evaluation that does not suppress it too decodes placeholders and scores every row 0 (which made
    the blank-image check above pass for the wrong reason before)."""
    completions = greedy_completions(run / "mgt" / "final", make_mgt_dataset(32, seed=20_000), skip_special_tokens=False)
    assert not [c for c in completions if "<|image_pad|>" in c or "<|video_pad|>" in c], completions[:4]


# Stage 2 alone, from the untrained tiny model, in the one setting where RL with the recipe's own
# rewards learned to read the image (README, "Measured"): a one-character system prompt (so the
# 16 image tokens are a large share of a short prompt), lr 5e-4, sampling temperature 1.5, 4,000
# steps. Not the two-stage recipe: started from stage 1's checkpoint, stage 2 has not learned it yet.
MGT_FROM_BARE = ["system_prompt=.", "mgt.learning_rate=5e-4", "mgt.temperature=1.5", "mgt.max_steps=4000"]
# Measured over seeds 0, 1, 2, ~395 s each, two side by side (accuracy first -> last 10 % of steps;
# greedy accuracy on 128 held-out items with images / blank images):
#     0: 0.06 -> 0.48, 0.50 / 0.00     1: 0.04 -> 1.00, 1.00 / 0.25     2: 0.04 -> 0.98, 1.00 / 0.25
# The margins sit below the weakest seed (0): about half its rise, and 0.10 under its greedy
# accuracy. The rise alone cannot tell image reading apart: a stage 2 that starts without answers
# and learns to write one digit always rises to the blind 0.25 (measured 0.01 -> 0.25). Greedy
# accuracy above 0.4 can: an image-blind policy scores exactly 0.25 on the balanced held-out set.
MGT_FROM_BARE_MIN_RISE = 0.2
MGT_FROM_BARE_MIN_GREEDY = 0.4


@pytest.fixture(scope="module")
def mgt_from_bare(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("mgt-from-bare")
    base = build_tiny_model(out / "tiny-base", seed=SEED)
    argv = ["--config", str(RECIPE), "--stages", "mgt", "--init-from", str(base), "--output-dir", str(out)]
    rc = cli.main([*argv, f"seed={SEED}", "--log-level", "WARNING", *MGT_FROM_BARE])
    assert rc == 0
    return out


@pytest.mark.slow
def test_mgt_from_the_bare_model_learns_to_read_the_image(mgt_from_bare):
    """The whole image path learns: pixels -> processor -> TRL's batching -> GRPO -> a policy that
    answers from the colour. Greedy accuracy with the images must beat any image-blind policy (0.25),
    and with blank images it must fall back to chance."""
    acc_first, acc_last = first_last(read_rows(mgt_from_bare / "mgt" / "rewards.csv"))["accuracy_reward"]
    assert acc_last - acc_first > MGT_FROM_BARE_MIN_RISE, f"MGT accuracy {acc_first:.3f} -> {acc_last:.3f}"
    held_out = make_mgt_dataset(HELD_OUT, seed=10_000 + SEED)
    seen = greedy_accuracy(mgt_from_bare / "mgt" / "final", held_out)
    blank = greedy_accuracy(mgt_from_bare / "mgt" / "final", blank_images(held_out))
    assert seen > MGT_FROM_BARE_MIN_GREEDY, f"greedy accuracy with images {seen:.3f}: no better than blind"
    assert blank <= CHANCE + BLANK_TOLERANCE, f"greedy accuracy with blank images {blank:.3f}"
