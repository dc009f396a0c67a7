# Statistics: one table per figure, one row per run, from the runs' histories (<id>.table).


# The runs a figure reads, as a file the stats, figure and provenance jobs take (a bisected figure's
# is written by its bisection job).
rule reads:
    output:
        f"{RESULTS}/reads/{{fig}}.json",
    wildcard_constraints:
        fig=PLANNED_FIG,
    params:
        reads=figure_reads,
    localrule: True
    log:
        f"{RESULTS}/logs/reads/{{fig}}.log",
    run:
        write_json(output[0], params.reads)


rule stats:
    input:
        reads=f"{RESULTS}/reads/{{fig}}.json",
        histories=figure_histories,
        infos=figure_infos,
        code=figure_code,
    output:
        report(f"{RESULTS}/stats/{{fig}}.csv", category="Statistics tables"),
    params:
        python=PYTHON,
        settings=figure_settings("table"),
    log:
        f"{RESULTS}/logs/stats/{{fig}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/stats/{{fig}}.tsv",
    shell:
        "{params.python:q} scripts/stats.py --figure {wildcards.fig} --reads {input.reads:q}"
        " --params {params.settings:q} --out {output:q} > {log:q} 2>&1"
