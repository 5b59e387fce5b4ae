# Touch Base: a Pelican blog and its Flask comment service.
# Every target installs what it needs first, so `make run` and `make test` work on a fresh clone.

PY ?= python3
BASEDIR = $(CURDIR)
VENV = $(BASEDIR)/.venv
BIN = $(VENV)/bin
PELICAN ?= $(BIN)/pelican
INPUTDIR = $(BASEDIR)/content
OUTPUTDIR = $(BASEDIR)/output
CONFFILE = $(BASEDIR)/pelican.conf.py
PUBLISHCONF = $(BASEDIR)/publish.conf.py
HOST ?= 127.0.0.1
PORT ?= 8000
DEBUG ?= 0
PYTEST_ARGS ?=

PELICANOPTS =
ifeq ($(DEBUG), 1)
	PELICANOPTS += -D
endif

# The stamp is newer than pyproject.toml once the venv holds what it asks for.
STAMP = $(VENV)/.installed

.PHONY: help install html publish serve run test check-chromium bench clean

help:
	@echo 'Touch Base'
	@echo ''
	@echo '  make run       install, build the site, migrate, serve site + comments on http://$(HOST):$(PORT)'
	@echo '  make test      install (with test tools) and run the whole test suite'
	@echo '  make install   create .venv and install the project into it'
	@echo '  make html      build the site into output/'
	@echo '  make publish   build the site with production settings (publish.conf.py)'
	@echo '  make serve     Pelican preview server that rebuilds on save (authors; no comment API)'
	@echo '  make bench     performance and spam-filter benchmarks'
	@echo '  make clean     remove output/ and caches (keeps var/comments.db)'
	@echo ''
	@echo 'Set PORT=8080 to change the port, DEBUG=1 for verbose Pelican output.'

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

html: $(STAMP)
	$(PELICAN) $(INPUTDIR) -o $(OUTPUTDIR) -s $(CONFFILE) $(PELICANOPTS)

publish: $(STAMP)
	$(PELICAN) $(INPUTDIR) -o $(OUTPUTDIR) -s $(PUBLISHCONF) $(PELICANOPTS)

serve: $(STAMP)
	$(PELICAN) $(INPUTDIR) -o $(OUTPUTDIR) -s $(CONFFILE) $(PELICANOPTS) --listen --autoreload -b $(HOST) -p $(PORT)

run: html
	$(BIN)/comments init
	$(BIN)/comments serve --host $(HOST) --port $(PORT)

# The browser tests drive Debian's Chromium (never a downloaded browser) and inject axe-core
# from node_modules, installed from package-lock.json.
CHROMIUM ?= /usr/bin/chromium
NODE_STAMP = node_modules/.package-lock.json

$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo 'make test needs npm (Node.js) for axe-core: apt-get install npm'; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error

check-chromium:
	@test -x $(CHROMIUM) || { \
	  echo 'make test needs Chromium for the browser tests, and there is none at $(CHROMIUM).'; \
	  echo 'Install Debian'"'"'s package:  apt-get install chromium   (or run with CHROMIUM=/path/to/chromium)'; \
	  exit 1; }

test: $(STAMP) $(NODE_STAMP) check-chromium
	CHROMIUM=$(CHROMIUM) $(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(OUTPUTDIR) var/pelican-cache .pytest_cache test-artifacts
