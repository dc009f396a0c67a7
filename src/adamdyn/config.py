"""Config checks with short errors that name the offending key.

Snakemake's ``validate`` reports a schema violation with the whole schema attached; this check
runs first and says in one line per problem which key is wrong and what is allowed, e.g.::

    config.yaml: scales.paper: unknown key 'fig06x' (did you mean 'fig06'? allowed: cost, datasets, ...)

The configuration is ``config.yaml`` (what every figure shares) merged with one file per figure and
study, ``workflow/config/<id>.yaml`` (its statistics, claims and every scale's entry, and their schema
under ``schema.<id>``): the Snakefile reads them with ``configfile:``, Python code with
:func:`load_config`; both merge key by key. :func:`check_config` validates the settings against the
shared schema with each figure's part assembled in (:func:`assemble_schema`).
"""
from __future__ import annotations

import difflib
from pathlib import Path

import jsonschema
import yaml


SETTINGS_DIR = Path("workflow", "config")


def settings_files(root: str | Path = ".") -> list[Path]:
    """The per-figure settings files, in a fixed order (merged after config.yaml)."""
    return sorted((Path(root) / SETTINGS_DIR).glob("*.yaml"))


def merge(base: dict, change: dict) -> dict:
    """``change`` merged into ``base`` in place, key by key for nested mappings (as Snakemake merges
    its config files)."""
    for key, value in change.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merge(base[key], value)
        else:
            base[key] = value
    return base


def load_config(root: str | Path = ".") -> dict:
    """config.yaml with every ``workflow/config/<id>.yaml`` merged in: the configuration the Snakefile
    sees before any ``--config`` item."""
    config = yaml.safe_load((Path(root) / "config.yaml").read_text())
    for path in settings_files(root):
        merge(config, yaml.safe_load(path.read_text()) or {})
    return config


def settings_file(fig: str | None, root: str | Path = ".") -> str:
    """Figure ``fig``'s settings file, ``workflow/config/<fig>.yaml``, when it has one; else config.yaml."""
    own = SETTINGS_DIR / f"{fig}.yaml"
    return str(own) if fig and (Path(root) / own).exists() else "config.yaml"


def source_of(where: str, root: str | Path = ".") -> str:
    """The file that holds key path ``where`` (``scales.cpu.fig08.grid`` or ``claims.fig05.x``)."""
    parts = where.split(".")
    fig = parts[2] if parts[0] == "scales" and len(parts) > 2 else parts[1] if parts[0] in ("stats", "claims") \
        and len(parts) > 1 else None
    return settings_file(fig, root)


SCHEMA_PARTS = {"entry", "stats", "claims"}


def assemble_schema(config: dict, schema_path: str | Path) -> dict:
    """The whole schema: the shared one (``schema_path``) with each figure's own part, which its
    settings file declares under ``schema.<id>``: ``entry``, the schema of ``scales.<scale>.<id>``, and
    ``stats`` and ``claims``, those of its sections (``$ref`` may name the shared definitions)."""
    schema = yaml.safe_load(Path(schema_path).read_text())
    for fig, part in (config.get("schema") or {}).items():
        if not isinstance(part, dict) or "entry" not in part or set(part) - SCHEMA_PARTS:
            raise ValueError(f"{settings_file(fig, Path(schema_path).parents[2])}: schema.{fig} must be a "
                             f"mapping of entry (required), stats and claims, each a JSON schema")
        schema["definitions"]["scale"]["properties"][fig] = part["entry"]
        for section in ("stats", "claims"):
            if section in part:
                schema["properties"][section]["properties"][fig] = part[section]
    return schema


def config_errors(config: dict, schema_path: str | Path) -> list[str]:
    """One readable line per schema violation, each naming the file and the key path. The figures'
    own schemas (``config["schema"]``) are assembled in and are not themselves settings."""
    schema = assemble_schema(config, schema_path)
    config = {k: v for k, v in config.items() if k != "schema"}
    validator = jsonschema.Draft202012Validator(schema)
    lines = []
    for err in sorted(validator.iter_errors(config), key=lambda e: list(map(str, e.absolute_path))):
        where = ".".join(str(p) for p in err.absolute_path) or "(top level)"
        where = f"{source_of(where, Path(schema_path).parents[2])}: {where}"
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


def check_config(config: dict, schema_path: str | Path) -> None:
    """Raise ValueError listing every violation before any job starts, each with the file that holds it.
    The figures' schemas (``schema``) are then taken out of ``config``: what remains are the settings."""
    errors = config_errors(config, schema_path)
    config.pop("schema", None)
    if errors:
        raise ValueError("Invalid configuration (the file named on each line, or --config); nothing was run or "
                         "removed:\n  "
                         + "\n  ".join(errors)
                         + f"\nSee {schema_path} for every key, its type and its meaning.")
