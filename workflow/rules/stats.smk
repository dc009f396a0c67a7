# Statistics: one table per figure, one row per run, from the runs' histories (figNN.table).


rule stats:
    input:
        histories=figure_histories,
        infos=figure_infos,
        code=figure_code,
    output:
        report(f"{RESULTS}/stats/{{fig}}.csv", category="Statistics tables"),
    params:
        python=PYTHON,
        runs=figure_run_args,
        settings=figure_settings("table"),
    log:
        f"{RESULTS}/logs/stats/{{fig}}.log",
    shell:
        "{params.python:q} scripts/stats.py --figure {wildcards.fig} {params.runs}"
        " --params {params.settings:q} --out {output:q} > {log:q} 2>&1"
