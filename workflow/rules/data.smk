# Data: make the raw data available once (local copy or download), then prepare each scale's sets.


rule fetch:
    output:
        f"{config['data']['root']}/{{dataset}}.json",
    params:
        python=PYTHON,
        root=fetch_root,
        source=fetch_args,
    priority: DATA_PRIORITY
    log:
        f"{config['data']['root']}/logs/fetch_{{dataset}}.log",
    shell:
        "{params.python:q} scripts/fetch_data.py --dataset {wildcards.dataset} --root {params.root:q}"
        " {params.source} --out {output:q} > {log:q} 2>&1"


rule prepare_data:
    input:
        raw=raw_input,
    output:
        data=f"{RESULTS}/data/{{name}}.pt",
        meta=f"{RESULTS}/data/{{name}}.json",
    params:
        python=PYTHON,
        raw=raw_arg,
        settings=dataset_params,
    threads: 1
    priority: DATA_PRIORITY
    log:
        f"{RESULTS}/logs/data/{{name}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/data/{{name}}.tsv",
    shell:
        "{params.python:q} scripts/prepare_data.py --name {wildcards.name} {params.raw} --params {params.settings:q}"
        " --threads {threads} --out {output.data:q} --meta {output.meta:q} > {log:q} 2>&1"


rule data:
    input:
        data_targets(),
