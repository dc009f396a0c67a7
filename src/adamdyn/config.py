"""Config checks with short errors that name the offending key.

Snakemake's ``validate`` reports a schema violation with the whole schema attached; this check
runs first and says in one line per problem which key is wrong and what is allowed, e.g.::

    config.yaml: scales.paper: unknown key 'fig06x' (did you mean 'fig06'? allowed: cost, datasets, ...)
"""
from __future__ import annotations

import difflib
from pathlib import Path

import jsonschema
import yaml


def config_errors(config: dict, schema_path: str | Path) -> list[str]:
    """One readable line per schema violation, each naming the key path."""
    schema = yaml.safe_load(Path(schema_path).read_text())
    validator = jsonschema.Draft202012Validator(schema)
    lines = []
    for err in sorted(validator.iter_errors(config), key=lambda e: list(map(str, e.absolute_path))):
        where = ".".join(str(p) for p in err.absolute_path) or "(top level)"
        if err.validator == "additionalProperties":
            allowed = ", ".join(err.schema.get("properties", {}))
            unknown = sorted(set(err.instance) - set(err.schema.get("properties", {})))
            for key in unknown:
                near = difflib.get_close_matches(str(key), list(err.schema.get("properties", {})), n=1)
                hint = f"did you mean {near[0]!r}? " if near else ""
                lines.append(f"{where}: unknown key {key!r} ({hint}allowed: {allowed})")
        elif err.validator == "required":
            lines.append(f"{where}: {err.message}")
        else:
            lines.append(f"{where}: {err.message}")
    return lines


SHORTHANDS = ("data_local", "data_download", "data_root")


def fold_shorthands(config: dict) -> None:
    """Fold the command-line shorthands ``data_local=...`` etc. into ``config["data"]``.

    Snakemake's ``--config`` takes only top-level keys; ``data_download=false`` arrives as the
    string "false" and becomes a boolean here.
    """
    for key in SHORTHANDS:
        if key in config:
            value = config.pop(key)
            if isinstance(value, str) and value.lower() in ("true", "false"):
                value = value.lower() == "true"
            if key == "data_local" and value in ("", "null", "None"):
                value = None
            config.setdefault("data", {})[key.removeprefix("data_")] = value


def check_config(config: dict, schema_path: str | Path, source: str = "config.yaml") -> None:
    """Raise ValueError listing every violation before any job starts."""
    errors = config_errors(config, schema_path)
    if errors:
        raise ValueError(f"Invalid configuration ({source} or --config); nothing was run or removed:\n  "
                         + "\n  ".join(errors)
                         + f"\nSee {schema_path} for every key, its type and its meaning.")
