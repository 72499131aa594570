"""Settings of the web server that serve.py applies before the app starts.

Under `uvicorn serve:app` two documented settings were silently ignored (issue 12):

- Streamlit's `STREAMLIT_*` environment variables: `streamlit run` reads them through its
  command line (click), which never runs here. `streamlit_env_options` reads them the same way
  (each option's own variable, e.g. STREAMLIT_RUNNER_POST_SCRIPT_GC for runner.postScriptGC,
  parsed by the option's type) and serve.py hands them to Streamlit as `streamlit run` hands
  its flags: above config.toml. Sensitive options Streamlit reads from the environment itself.
- uvicorn's `--no-access-log`: Streamlit gives uvicorn's access logger a handler of its own
  once its configuration is read, so every request was logged anyway, the one-time sign-in
  ticket of /session/adopt?ticket=... included. `AccessLog` is a filter on that logger: it
  drops every line when uvicorn was told not to log access, and otherwise keeps the line
  without its query string, where tickets, sign-on codes and tokens travel.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import click
from streamlit import config as st_config

ACCESS_LOGGER = "uvicorn.access"
log = logging.getLogger("mild.server")


def access_log_wanted() -> bool:
    """Whether uvicorn was asked to log access, as uvicorn itself decides (a handler on its
    access logger or on one it propagates to), Streamlit's own handler left out: uvicorn sets
    the logger up with none under --no-access-log."""
    logger: logging.Logger | None = logging.getLogger(ACCESS_LOGGER)
    streamlit_handler = getattr(logger, "streamlit_console_handler", None)
    while logger is not None:
        if any(h is not streamlit_handler for h in logger.handlers):
            return True
        if not logger.propagate:
            return False
        logger = logger.parent
    return False


class AccessLog(logging.Filter):
    """uvicorn's access lines as configured: none at all, or each without its query string."""

    def __init__(self, enabled: bool) -> None:
        super().__init__()
        self.enabled = enabled

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.enabled:
            return False
        args = record.args
        # uvicorn's access record: (client address, method, path with query, version, status)
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
            record.args = (args[0], args[1], without_query(args[2]), args[3], args[4])
        return True


def without_query(path: str) -> str:
    """A request target without its query: "/session/adopt?ticket=x" -> "/session/adopt?[query]"."""
    base, mark, _ = path.partition("?")
    return f"{base}?[query]" if mark else base


def install_access_log(enabled: bool) -> AccessLog:
    """Put the filter on uvicorn's access logger (it outlives any handler added later)."""
    logger = logging.getLogger(ACCESS_LOGGER)
    for old in [f for f in logger.filters if isinstance(f, AccessLog)]:
        logger.removeFilter(old)
    chosen = AccessLog(enabled)
    logger.addFilter(chosen)
    return chosen


class SettingError(ValueError):
    """A STREAMLIT_* variable whose value its option cannot take."""


def streamlit_env_options(environ: Mapping[str, str]) -> dict[str, Any]:
    """Streamlit's options set by their STREAMLIT_* variables, parsed as `streamlit run` would:
    option key -> value. Sensitive options are left to Streamlit (it reads those itself)."""
    found: dict[str, Any] = {}
    for key, option in st_config._config_options_template.items():
        if option.sensitive or option.env_var not in environ:
            continue
        raw = environ[option.env_var]
        if not raw.strip():
            continue  # set but empty: unset, as click reads it
        kind = click.types.convert_type(option.type)
        try:
            if option.multiple:
                found[key] = [kind.convert(part, None, None) for part in raw.split()]
            else:
                found[key] = kind.convert(raw, None, None)
        except click.exceptions.BadParameter as exc:
            raise SettingError(f"{option.env_var}={raw!r}: {exc.format_message()}") from None
    return found


def apply_streamlit_options(options: Mapping[str, Any]) -> None:
    """Read Streamlit's configuration again with `options` above config.toml, the way
    `streamlit run` applies its flags; the options applied are logged (names only: a leftover
    variable overriding a committed setting shows at start-up)."""
    st_config.get_config_options(force_reparse=True, options_from_flags=dict(options))
    if options:
        log.warning("Streamlit options from the environment: %s", ", ".join(sorted(options)))
