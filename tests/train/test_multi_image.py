"""Rows with several images: read in order, checked against their prompts, and all seen by the vision tower."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("trl")
import torch  # noqa: E402
from PIL import Image  # noqa: E402

from lmmr1.train import pipeline  # noqa: E402
from lmmr1.train.config import RecipeError  # noqa: E402
from lmmr1.train.data import DataError, load_stage_dataset  # noqa: E402
from lmmr1.train.stage import build_trainer, load_processor, prepare_dataset  # noqa: E402
from lmmr1.train.tiny import build_tiny_model  # noqa: E402
from tests.train.tiny_run import MECHANICS, RECIPE  # noqa: E402

TOKENS_PER_IMAGE = 16  # a 112x112 image under the tiny processor's max_pixels: 8x8 patches, 2x2 merged


def _image_parts(n: int) -> list[dict]:
    return [{"type": "image"}] * n + [{"type": "text", "text": "Which?"}]


@pytest.fixture
def two_image_file(tmp_path):
    """A JSONL of two-image rows, images as relative paths, each row's second image blue."""
    (tmp_path / "img").mkdir()
    Image.new("RGB", (40, 40), "red").save(tmp_path / "img" / "red.png")
    Image.new("RGB", (20, 20), "blue").save(tmp_path / "img" / "blue.png")
    rows = [
        {"prompt": [{"role": "user", "content": _image_parts(2)}], "images": ["img/red.png", "img/blue.png"],
         "solution": "2", "task": "math"},
        {"prompt": "Which?", "images": ["img/red.png", "img/blue.png"], "solution": "2", "task": "math"},
    ]
    path = tmp_path / "pairs.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return str(build_tiny_model(tmp_path_factory.mktemp("multi") / "tiny-base"))


def test_an_images_list_is_read_in_order(two_image_file):
    ds = load_stage_dataset(str(two_image_file))
    for row in ds:
        assert [im.size for im in row["images"]] == [(40, 40), (20, 20)]


def test_a_row_whose_images_do_not_match_its_placeholders_is_named(two_image_file, tmp_path):
    rows = [json.loads(line) for line in two_image_file.read_text().splitlines()]
    rows[0]["prompt"][0]["content"] = _image_parts(1)  # one part, two images
    bad = tmp_path / "bad.jsonl"
    bad.write_text("".join(json.dumps(r) + "\n" for r in rows))
    with pytest.raises(DataError, match=r"row 0: 2 image\(s\) in 'images' but 1 image part"):
        load_stage_dataset(str(bad))


def test_a_single_image_row_with_two_placeholders_is_named(tmp_path):
    Image.new("RGB", (8, 8)).save(tmp_path / "a.png")
    rows = [{"prompt": [{"role": "user", "content": _image_parts(1)}], "image": "a.png", "solution": "1"},
            {"prompt": [{"role": "user", "content": _image_parts(2)}], "image": "a.png", "solution": "1"}]
    (tmp_path / "t.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    with pytest.raises(DataError, match=r"row 1: 1 image\(s\) in 'image' but 2 image part"):
        load_stage_dataset(str(tmp_path / "t.jsonl"))


def test_the_tiny_processor_puts_each_image_at_its_placeholder(tiny, two_image_file):
    processor = load_processor(tiny, True, True)
    row = load_stage_dataset(str(two_image_file))[0]
    messages = [{"role": "user", "content": [{"type": "image", "image": row["images"][0]},
                                             {"type": "image", "image": row["images"][1]},
                                             {"type": "text", "text": "Which?"}]}]
    out = processor.apply_chat_template([messages], add_generation_prompt=True, tokenize=True, return_dict=True)
    pad = processor.tokenizer.convert_tokens_to_ids("<|image_pad|>")
    start = processor.tokenizer.convert_tokens_to_ids("<|vision_start|>")
    ids = out["input_ids"][0]
    grid = out["image_grid_thw"]
    assert grid.shape[0] == 2  # one grid row per image
    per_image = (grid.prod(-1) // 4).tolist()  # LLM tokens per image after the 2x2 merge
    assert ids.count(start) == 2 and ids.count(pad) == sum(per_image)


@pytest.mark.parametrize(("pixels", "tokens"), [({}, 16), ({"max_pixels": 4 * 28 * 28}, 4),
                                                ({"min_pixels": 28 * 28, "max_pixels": 28 * 28}, 1)])
def test_min_and_max_pixels_change_the_image_token_count(tiny, pixels, tokens):
    processor = load_processor(tiny, True, True, **pixels)
    grid = processor.image_processor(images=[Image.new("RGB", (112, 112))], return_tensors="pt")["image_grid_thw"]
    assert int(grid.prod(-1)[0]) // 4 == tokens


@pytest.mark.parametrize(("override", "message"), [
    ("max_pixels=0", r"max_pixels=0; give a positive number of pixels"),
    ("min_pixels=2.5", r"min_pixels=2.5; give a positive"),
    ("min_pixels=4000", r"min_pixels=4000 is above max_pixels=3136"),
])
def test_bad_pixel_bounds_are_recipe_errors(tmp_path, override, message):
    with pytest.raises(RecipeError, match=message):
        pipeline.plan(RECIPE, stages=["mgt"], output_dir=str(tmp_path), overrides=["max_pixels=3136", override])


def test_pixel_bounds_with_vllm_are_refused(tmp_path):
    with pytest.raises(RecipeError, match=r"stage mgt: min_pixels/max_pixels reach only the trainer's processor, not vLLM"):
        pipeline.plan(RECIPE, stages=["mgt"], output_dir=str(tmp_path), overrides=["max_pixels=3136", "use_vllm=true"])


def test_pixel_bounds_reach_the_trainer(tmp_path, tiny):
    (plan,) = pipeline.plan(RECIPE, stages=["mgt"], output_dir=str(tmp_path),
                            overrides=[*MECHANICS, "synthetic_size=8", "max_pixels=3136"])
    trainer = build_trainer(plan, tiny, prepare_dataset(plan))
    assert trainer.processing_class.image_processor.size["longest_edge"] == 3136


def _visual_inputs(trainer) -> list[torch.Tensor]:
    """Record every ``grid_thw`` the vision tower is called with."""
    seen: list[torch.Tensor] = []
    visual = trainer.model.model.visual
    visual.register_forward_pre_hook(lambda _m, args, kwargs: seen.append(kwargs.get("grid_thw", args[1] if len(args) > 1 else None)),
                                     with_kwargs=True)
    return seen


def test_a_few_training_steps_on_two_image_rows_feed_both_images_to_the_tower(tmp_path, tiny):
    """The vision tower sees two grids a row, and swapping the second images changes the policy's scores."""
    (plan,) = pipeline.plan(
        RECIPE, stages=["mgt"], output_dir=str(tmp_path),
        overrides=[*MECHANICS, "mgt.dataset_name=synthetic:mgt_pair", "mgt.max_steps=2", "save_strategy=no"],
    )
    dataset = prepare_dataset(plan)
    torch.manual_seed(0)
    trainer = build_trainer(plan, tiny, dataset)
    seen = _visual_inputs(trainer)
    trainer.train()
    assert trainer.state.global_step == 2
    rows = plan.training.per_device_train_batch_size // plan.training.num_generations  # prompts a generation batch
    assert seen and all(g is not None and g.shape[0] % 2 == 0 for g in seen)
    assert max(g.shape[0] for g in seen) >= 2 * rows  # every image of every prompt reached the tower
    batch = trainer._buffered_inputs[0]
    assert batch["num_images"] == [2] * batch["prompt_ids"].shape[0]
    assert batch["image_grid_thw"].shape[0] == 2 * batch["prompt_ids"].shape[0]
    assert batch["pixel_values"].shape[0] == int(batch["image_grid_thw"].prod(-1).sum())

    def logps(pixel_values):
        with torch.no_grad():
            out, _, _ = trainer._get_per_token_logps_and_entropies(
                trainer.model, torch.cat([batch["prompt_ids"], batch["completion_ids"]], dim=1),
                torch.cat([batch["prompt_mask"], batch["completion_mask"]], dim=1), batch["completion_ids"].size(1),
                pixel_values=pixel_values, image_grid_thw=batch["image_grid_thw"], num_images=batch["num_images"],
                mm_token_type_ids=batch.get("mm_token_type_ids"),
            )
        return out[batch["completion_mask"].bool()]

    patches = list(torch.split(batch["pixel_values"], batch["image_grid_thw"].prod(-1).tolist()))
    swapped = list(patches)
    seconds = list(range(1, len(patches), 2))
    for a, b in zip(seconds, seconds[1:] + seconds[:1], strict=True):  # each row gets the next row's second image
        swapped[a] = patches[b]
    assert not torch.allclose(logps(torch.cat(patches)), logps(torch.cat(swapped)))
