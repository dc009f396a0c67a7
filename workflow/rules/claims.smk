# Claims: the paper's claims per figure checked against the statistics, then one table for all.


rule claims:
    input:
        stats=f"{RESULTS}/stats/{{fig}}.csv",
        code=package_code("claims"),
    output:
        f"{RESULTS}/claims/{{fig}}.json",
    params:
        python=PYTHON,
        thresholds=claims_params,
    conda:
        "../../environment.yml"
    log:
        f"{RESULTS}/logs/claims/{{fig}}.log",
    shell:
        "{params.python:q} scripts/claims.py --figure {wildcards.fig} --stats {input.stats:q}"
        " --params {params.thresholds:q} --out {output:q} > {log:q} 2>&1"


rule claims_table:
    input:
        expand(f"{RESULTS}/claims/{{fig}}.json", fig=FIGURES),
    output:
        report(f"{RESULTS}/claims.md", category="Claims"),
    params:
        python=PYTHON,
        claims=" ".join(f"--claims {fig}={RESULTS}/claims/{fig}.json" for fig in FIGURES),
        scale=SCALE,
    conda:
        "../../environment.yml"
    log:
        f"{RESULTS}/logs/claims_table.log",
    shell:
        "{params.python:q} scripts/claims_table.py --scale {params.scale} {params.claims} --out {output:q} > {log:q} 2>&1"
