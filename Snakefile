# Reproduction of Ma, Wu & E (2021), "A Qualitative Study of the Dynamic Behavior for Adaptive
# Gradient Algorithms". `snakemake --cores all` builds every figure of the chosen scale;
# `snakemake --cores 2 fig05` one figure with its statistics and claims.
import sys

from snakemake.exceptions import WorkflowError
from snakemake.utils import min_version

from adamdyn.config import check_config, fold_shorthands, settings_files

min_version("9.0")


configfile: "config.yaml"  # what every figure shares


for _settings in settings_files():  # each figure's and study's own settings: workflow/config/<id>.yaml

    configfile: _settings


fold_shorthands(config)
try:
    check_config(config, "workflow/schemas/config.schema.yaml")  # every setting is in the config files
except ValueError as exc:
    raise WorkflowError(str(exc))


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"


wildcard_constraints:
    run="[^/]+",
    name="[a-z0-9_]+",
    dataset="cifar10|fashion_mnist",
    fig=FIG_PATTERN,  # figNN or a study's name, or <that>-<variant> (a variant declared in config.yaml)



include: "workflow/rules/data.smk"
include: "workflow/rules/train.smk"
include: "workflow/rules/stats.smk"
include: "workflow/rules/claims.smk"
include: "workflow/rules/figures.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/calibration.smk"


rule all:
    default_target: True
    input:
        all_targets(),


# The end of the output says why: each failed job's cause, as its own log states it.
onerror:
    from adamdyn.workflow import failure_causes

    causes = failure_causes(log)
    if causes:
        print(f"\nThe cause{'s' if len(causes) > 1 else ''} of the failure:", file=sys.stderr)
        for line in causes:
            print(f"  {line}", file=sys.stderr)
