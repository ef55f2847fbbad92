#!/usr/bin/env bash
# Regenerate the committed data cards from ../shared/data (LMMR1_DATA). Only cards and stats land here.
set -euo pipefail
cd "$(dirname "$0")/.."
D="${LMMR1_DATA:-../shared/data}"  # paths are recorded as given: keep them relative
CURATE="${CURATE:-.venv/bin/curate}"
T="$D/text_math"
card() { local name=$1; shift; "$CURATE" filter --card "data_cards/$name.md" "$@"; }

card mathv_test --dataset "$D/mathv/test.jsonl" --name "MATH-V test" --license mit \
  --source-name "mathllm/MATH-V @ a1f5cc3 : data/test.jsonl" --disable image \
  --decontaminate "$T/math500_test.jsonl" "$T/aime24_test.jsonl" "$T/aime25_test.jsonl" "$T/amc23_test.jsonl" \
  "$T/gsm8k_test.jsonl" "$D/mathvista_testmini/testmini.json" \
  --note "The shared copy of MATH-V test has no images, so the image filter is disabled for this card." \
  --note "choice_options_only_in_image: 384 rows with options exactly A-E, 26 with (A)-(E), 5 with A)-E), 4 with a-e."
card mathv_testmini --dataset "$D/mathv/testmini.jsonl" --name "MATH-V testmini" --license mit \
  --source-name "mathllm/MATH-V @ a1f5cc3 : data/testmini.jsonl, images/" \
  --decontaminate "$T/math500_test.jsonl" "$T/aime24_test.jsonl" "$T/aime25_test.jsonl" "$T/amc23_test.jsonl" \
  "$T/gsm8k_test.jsonl" "$D/mathvista_testmini/testmini.json"
card geometry3k_test --dataset "$D/geometry3k_test/problems.jsonl" --name "Geometry3K test (FormalGeo rewrite)" \
  --license mit --source-name "orensultan/FormalGeo @ beb90f6 : formalgeo7k_v1 (Geometry3K test ids 2401-3001)" \
  --decontaminate "$T/math500_test.jsonl" "$D/mathv/test.jsonl" "$D/mathvista_testmini/testmini.json" \
  --note "FormalGeo states diagram facts in the text and has no answer choices; answers are exact sympy expressions."
card math500_test --dataset "$T/math500_test.jsonl" --name "MATH-500" --license mit \
  --source-name "openai/prm800k MATH-500 (via hkust-nlp/RL-Verifier-Pitfalls @ f2460ff)" \
  --decontaminate "$T/aime24_test.jsonl" "$T/aime25_test.jsonl" "$T/amc23_test.jsonl" "$T/gsm8k_test.jsonl" \
  "$D/mathv/test.jsonl"
card gsm8k_test --dataset "$T/gsm8k_test.jsonl" --name "GSM8K test" --license mit \
  --source-name "openai/grade-school-math @ 3101c7d : grade_school_math/data/test.jsonl" \
  --decontaminate "$T/math500_test.jsonl" "$T/aime24_test.jsonl" "$T/amc23_test.jsonl" "$D/mathv/test.jsonl" \
  --note "The gold is the value after '####' in GSM8K's answer field."
