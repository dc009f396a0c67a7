# Claims: the paper's claims per figure checked against its statistics (figNN.claims), then one
# table for all.


rule claims:
    input:
        stats=f"{RESULTS}/stats/{{fig}}.csv",
        code=figure_code,
    output:
        f"{RESULTS}/claims/{{fig}}.json",
    params:
        python=PYTHON,
        settings=figure_settings("claims"),
    log:
        f"{RESULTS}/logs/claims/{{fig}}.log",
    shell:
        "{params.python:q} scripts/claims.py --figure {wildcards.fig} --stats {input.stats:q}"
        " --params {params.settings:q} --out {output:q} > {log:q} 2>&1"


rule claims_table:
    input:
        expand(f"{RESULTS}/claims/{{fig}}.json", fig=FIGURES),
    output:
        report(f"{RESULTS}/claims.md", category="Claims"),
    params:
        python=PYTHON,
        claims=" ".join(f"--claims {fig}={RESULTS}/claims/{fig}.json" for fig in FIGURES),
        scale=SCALE,
    log:
        f"{RESULTS}/logs/claims_table.log",
    shell:
        "{params.python:q} scripts/claims_table.py --scale {params.scale} {params.claims} --out {output:q} > {log:q} 2>&1"
