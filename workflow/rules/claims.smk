# Claims: the paper's claims per figure checked against its statistics (<id>.claims); the
# readings of the published figures measured on its runs (adamdyn.published); then one table for all.


rule claims:
    input:
        stats=f"{RESULTS}/stats/{{fig}}.csv",
        readings=readings_file(),  # the published facts a claim tests (Fig 8's onset band)
        code=figure_code,
    output:
        f"{RESULTS}/claims/{{fig}}.json",
    params:
        python=PYTHON,
        settings=figure_settings("claims"),
    log:
        f"{RESULTS}/logs/claims/{{fig}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/claims/{{fig}}.tsv",
    shell:
        "{params.python:q} scripts/claims.py --figure {wildcards.fig} --stats {input.stats:q}"
        " --params {params.settings:q} --out {output:q} > {log:q} 2>&1"


rule compare:
    input:
        reads=f"{RESULTS}/reads/{{fig}}.json",
        histories=figure_histories,
        infos=figure_infos,
        stats=f"{RESULTS}/stats/{{fig}}.csv",
        readings=readings_file(),
        code=compare_code,
    output:
        report(f"{RESULTS}/compare/{{fig}}.csv", category="Against the published figures"),
    params:
        python=PYTHON,
        settings=compare_settings,
    log:
        f"{RESULTS}/logs/compare/{{fig}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/compare/{{fig}}.tsv",
    shell:
        "{params.python:q} scripts/compare.py --figure {wildcards.fig} --reads {input.reads:q}"
        " --stats {input.stats:q} --readings {input.readings:q} --params {params.settings:q}"
        " --out {output:q} > {log:q} 2>&1"


rule claims_table:
    input:
        claims=expand(f"{RESULTS}/claims/{{fig}}.json", fig=BUILT),
        compare=expand(f"{RESULTS}/compare/{{fig}}.csv", fig=BUILT),
        code=package_code("claims/table.py"),
    output:
        report(f"{RESULTS}/claims.md", category="Claims"),
    params:
        python=PYTHON,
        claims=" ".join(f"--claims {fig}={RESULTS}/claims/{fig}.json" for fig in BUILT),
        compare=" ".join(f"--compare {fig}={RESULTS}/compare/{fig}.csv" for fig in BUILT),
        scale=SCALE,
        variants=json.dumps(VARIANTS),
    log:
        f"{RESULTS}/logs/claims_table.log",
    shell:
        "{params.python:q} scripts/claims_table.py --scale {params.scale} {params.claims} {params.compare}"
        " --variants {params.variants:q}"
        " --out {output:q} > {log:q} 2>&1"
