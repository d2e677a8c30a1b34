# Two commands do all the set-up on a fresh machine:
#   make demo  — build, start the local CVM API emulator + demo page, print the URL
#   make test  — install what is missing, build, run every test suite
.PHONY: demo test build setup

demo:
	bash scripts/demo.sh

test:
	bash scripts/test.sh

build: setup
	bash scripts/build.sh

setup:
	bash scripts/setup.sh
